// Tests of the Runtime with a journal (doc/spec/journal.md): what it records, and a resumed run taking
// the tasks an earlier run did from its journal (the cache rule), through fake agents and real files.
#include <sqlite3.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "common/util/log.h"
#include "daemon/journal.h"
#include "daemon/runtime.h"
#include "tests/unit/daemon/scratch.h"
#include "tests/unit/daemon/fake_endpoint.h"

using namespace compss;
using namespace compss::daemon;
using compss::test::FakeEndpoint;
namespace fs = std::filesystem;

namespace {

const bool kQuiet = (log::set_level(log::Level::kError), true);

// A work directory for the tasks and one job directory per run.
struct Scratch : test::Scratch {
  Scratch() : test::Scratch("resume") { fs::create_directories(root / "work"); }
  std::string work() const { return (root / "work").string(); }
  std::string job(int n) const {
    fs::path d = root / ("job" + std::to_string(n));
    fs::create_directories(d);
    return d.string();
  }
};

// One run: a Runtime with a journal in job directory `n`, resuming from `from` when given, and one agent.
struct Run {
  Runtime rt{test::job_config("test")};
  std::shared_ptr<FakeEndpoint> client = std::make_shared<FakeEndpoint>("client");
  std::shared_ptr<FakeEndpoint> agent = std::make_shared<FakeEndpoint>("agent n1");
  std::string cwd;
  double t = 0;

  Run(const Scratch& s, int n, const std::string& from = "", JournalOptions options = {}) : cwd(s.work()) {
    if (!from.empty()) {
      auto c = load_cache(from);
      REQUIRE(c);
      rt.set_resume(std::make_unique<ResumeCache>(std::move(*c)));
    }
    auto j = Journal::create(s.job(n), JournalRun{"test", from}, options);
    REQUIRE(j);
    rt.attach_journal(std::move(*j));
    test::register_agent(rt, agent, "n1", 4, t);
  }
  // Submits one task that runs `argv` in the work directory; returns its id.
  std::uint64_t submit(std::vector<std::string> argv, std::vector<std::string> in = {}, std::vector<std::string> out = {},
                       std::vector<std::string> env = {}) {
    proto::TaskSpec spec = test::task(std::move(argv), 1, std::move(in), std::move(out));
    spec.cwd = cwd;
    spec.env = std::move(env);
    spec.retries = 0;
    proto::Submit s;
    s.tasks.push_back(std::move(spec));
    return test::submit_to(rt, client, std::move(s), t).front().first;
  }
  // Runs everything assigned until nothing is left: each task "writes" its outputs (a line naming it) and
  // exits with `code_of(argv[0])`. Returns the argv[0] of every task that ran, in order.
  std::vector<std::string> run_all(const std::map<std::string, int>& codes = {}) {
    std::vector<std::string> ran;
    std::size_t seen = 0;
    for (int round = 0; round < 100; ++round) {
      t += 1;
      rt.pump(t);
      auto assigns = agent->all<proto::Assign>();
      if (assigns.size() == seen) break;
      for (; seen < assigns.size(); ++seen) {
        const auto& a = assigns[seen];
        ran.push_back(a.argv[0]);
        auto code = codes.count(a.argv[0]) ? codes.at(a.argv[0]) : 0;
        if (code == 0)
          for (const auto& o : outputs_.at(a.task)) std::ofstream(fs::path(cwd) / o, std::ios::app) << a.argv[0] << "\n";
        test::run_task(rt, agent, a, code, t);
      }
    }
    return ran;
  }
  proto::TaskInfo query(std::uint64_t id) {
    proto::Query q;
    q.rid = 3;
    q.ids = {{id, id}};
    client->clear();
    rt.on_client(client, std::move(q), t);
    return client->last<proto::QueryResult>().tasks.at(0);
  }
  proto::StatusResult status() {
    client->clear();
    rt.on_client(client, proto::StatusQuery{7}, t);
    return client->last<proto::StatusResult>();
  }
  void close() { rt.close_journal(t); }

  std::map<std::uint64_t, std::vector<std::string>> outputs_;
  // submit() and remember what the task writes, for run_all().
  std::uint64_t task(std::vector<std::string> argv, std::vector<std::string> in = {}, std::vector<std::string> out = {},
                     std::vector<std::string> env = {}) {
    const auto id = submit(std::move(argv), std::move(in), out, std::move(env));
    outputs_[id] = out;
    return id;
  }
};

// The workflow of these tests: a -> b through a.txt, an ensemble of identical tasks, a task with an
// environment, d -> e through d.txt.
void workflow(Run& r, const std::string& x = "1", int ensemble = 2) {
  r.task({"make-a"}, {}, {"a.txt"});
  r.task({"use-a"}, {"a.txt"}, {"b.txt"});
  r.task({"flaky"}, {}, {"c.txt"});
  for (int i = 0; i < ensemble; ++i) r.task({"ens"});
  r.task({"envy"}, {}, {}, {"X=" + x});
  r.task({"make-d"}, {}, {"d.txt"});
  r.task({"use-d"}, {"d.txt"}, {"e.txt"});
}

std::string sql(const std::string& db, const std::string& query) {
  return test::Peek(db, true).text(query);
}

}  // namespace

TEST_CASE("the journal records submissions, every state change and the files of done tasks", "[resume]") {
  Scratch s;
  Run r(s, 1);
  r.task({"make-a"}, {}, {"a.txt"});
  r.task({"use-a"}, {"a.txt"}, {"b.txt"});
  r.task({"bad"}, {}, {"z.txt"});
  r.run_all({{"bad", 3}});
  r.close();
  const std::string db = s.job(1) + "/journal.db";
  CHECK(sql(db, "SELECT task, spec FROM tasks ORDER BY task") == "0|0\n1|1\n2|2\n");
  CHECK(sql(db, "SELECT state FROM states WHERE task = 1 ORDER BY seq") == "ready\nscheduled\nrunning\ndone\n");
  CHECK(sql(db, "SELECT state, attempt, exit_code, node, reason FROM states WHERE task = 2 AND state = 'failed'") ==
        "failed|1|3|n1|exit code 3 on n1 (attempt 1)\n");
  CHECK(sql(db, "SELECT direction, path, size FROM files WHERE task = 1 ORDER BY seq") ==
        "in|" + s.work() + "/a.txt|7\nout|" + s.work() + "/b.txt|6\n");
  CHECK(sql(db, "SELECT count(*) FROM files WHERE task = 2") == "0\n");  // failed: no identity
  CHECK(r.rt.summary(r.t).find("journal: " + db) != std::string::npos);
}

TEST_CASE("a resumed run takes unchanged successes from the journal and runs the rest", "[resume]") {
  Scratch s;
  {
    Run first(s, 1);
    workflow(first);
    CHECK(first.run_all({{"flaky", 1}}).size() == 8);
    first.close();
  }
  fs::remove(fs::path(s.work()) / "d.txt");  // a deleted output: make-d runs again, so use-d does too

  Run second(s, 2, s.job(1));
  workflow(second, "2", 3);  // envy's environment changed; a third ensemble member
  // Cached tasks are done at once, before anything is placed.
  CHECK(second.query(0).state == proto::TaskState::kDone);
  CHECK(second.query(0).cached);
  CHECK(second.query(0).reason == "cached: done as task 0 of " + s.job(1));
  CHECK(second.query(1).cached);
  CHECK_FALSE(second.query(2).cached);
  const auto ran = second.run_all();
  CHECK(ran == std::vector<std::string>{"flaky", "ens", "envy", "make-d", "use-d"});
  CHECK(second.status().counts.cached == 4);  // make-a, use-a, two of three ens
  CHECK(second.status().counts.done == 9);
  CHECK(second.rt.counts().cached == 4);
  const std::string summary = second.rt.summary(second.t);
  CHECK(summary.find("9 submitted, 9 done (4 cached), 0 failed") != std::string::npos);
  CHECK(summary.find("resumed from " + s.job(1) + ": 4 of 9 tasks cached") != std::string::npos);
  second.close();
  CHECK(sql(s.job(2) + "/journal.db", "SELECT task FROM states WHERE cached = 1 ORDER BY task") == "0\n1\n3\n4\n");

  // The second run's journal resumes a third run: everything is cached, from either run.
  Run third(s, 3, s.job(2));
  workflow(third, "2", 3);
  CHECK(third.run_all().empty());
  CHECK(third.rt.counts().cached == 9);
}

TEST_CASE("a changed output or input runs its task again, and its successors", "[resume]") {
  Scratch s;
  {
    Run first(s, 1);
    first.task({"make-a"}, {}, {"a.txt"});
    first.task({"use-a"}, {"a.txt"}, {"b.txt"});
    first.task({"make-x"}, {}, {"x.txt"});
    first.run_all();
    first.close();
  }
  std::ofstream(fs::path(s.work()) / "b.txt", std::ios::app) << "edited\n";  // an output changed
  std::ofstream(fs::path(s.work()) / "x.txt", std::ios::trunc) << "y\n";      // another one
  Run second(s, 2, s.job(1));
  second.task({"make-a"}, {}, {"a.txt"});
  second.task({"use-a"}, {"a.txt"}, {"b.txt"});
  second.task({"make-x"}, {}, {"x.txt"});
  // make-a is cached; use-a and make-x run again.
  CHECK(second.run_all() == std::vector<std::string>{"use-a", "make-x"});
  CHECK(second.rt.counts().cached == 1);
}

TEST_CASE("a changed command, working directory or access list is not the same task", "[resume]") {
  Scratch s;
  {
    Run first(s, 1);
    first.task({"sim", "1"}, {}, {"o1"});
    first.task({"sim", "2"}, {}, {"o2"});
    first.task({"sim", "3"}, {}, {"o3"});
    first.run_all();
    first.close();
  }
  Run second(s, 2, s.job(1));
  second.task({"sim", "1"}, {}, {"o1"});
  second.task({"sim", "2", "--fast"}, {}, {"o2"});  // argv
  second.task({"sim", "3"}, {"o1"}, {"o3"});        // one more access
  CHECK(second.run_all() == std::vector<std::string>{"sim", "sim"});
  CHECK(second.query(0).cached);
  Run third(s, 3, s.job(2));
  third.cwd = s.root.string();  // another working directory
  third.task({"sim", "1"}, {}, {"work/o1"});
  CHECK(third.run_all() == std::vector<std::string>{"sim"});
}

TEST_CASE("an array's tasks are matched one by one, with their index", "[resume]") {
  Scratch s;
  auto array = [&](Run& r, std::uint64_t last) {
    proto::TaskSpec spec = test::task({"member", "{i}"}, 1, {}, {"m{i}.txt"});
    spec.cwd = r.cwd;
    spec.array = proto::ArraySpec{1, last, 1};
    proto::Submit sub;
    sub.tasks.push_back(spec);
    r.rt.on_client(r.client, std::move(sub), r.t);
    for (std::uint64_t i = 0; i < last; ++i) r.outputs_[i] = {"m" + std::to_string(i + 1) + ".txt"};
  };
  {
    Run first(s, 1);
    array(first, 3);
    CHECK(first.run_all().size() == 3);
    first.close();
  }
  fs::remove(fs::path(s.work()) / "m2.txt");
  Run second(s, 2, s.job(1));
  array(second, 4);
  auto assigns = [&] {
    second.run_all();
    std::vector<std::string> v;
    for (const auto& a : second.agent->all<proto::Assign>()) v.push_back(a.argv[1]);
    return v;
  }();
  CHECK(assigns == std::vector<std::string>{"2", "4"});
  CHECK(second.rt.counts().cached == 2);
}

TEST_CASE("a journal that cannot write stops, says so once, and the run goes on", "[resume]") {
  Scratch s;
  Run r(s, 1, "", JournalOptions{.max_pages = 12});
  for (int i = 0; i < 300; ++i) r.task({"t" + std::to_string(i), std::string(200, 'x')});
  CHECK(r.run_all().size() == 300);
  CHECK(r.rt.counts().done == 300);
  CHECK_FALSE(r.rt.journal_writing());
  int notes = 0;
  for (const auto& e : r.status().events) notes += e.text.find("journal stopped at") != std::string::npos;
  CHECK(notes == 1);
  const std::string summary = r.rt.summary(r.t);
  CHECK(summary.find("journal: stopped at ") != std::string::npos);
  CHECK(summary.find("resume from this run will redo tasks after that point") != std::string::npos);
  r.close();
  auto c = load_cache(s.job(1));  // what was committed is intact and readable
  REQUIRE(c);
  CHECK(c->done_count() < 300);
}
