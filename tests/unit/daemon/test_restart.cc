// Tests of a compssd restarted inside its job (doc/spec/journal.md, section 6): the run rebuilt from its
// own journal, the tasks an agent kept running taken over, and a submit repeated with its key taken once.
// Fake agents and clients, a real journal.
#include <catch2/catch.hpp>
#include <filesystem>

#include "common/util/log.h"
#include "daemon/journal.h"
#include "daemon/runtime.h"
#include "tests/unit/daemon/fake_endpoint.h"
#include "tests/unit/daemon/scratch.h"

using namespace compss;
using namespace compss::daemon;
using compss::test::FakeEndpoint;
namespace fs = std::filesystem;

namespace {

const bool kQuiet = (log::set_level(log::Level::kError), true);

struct Daemon {
  Runtime rt{test::job_config("test")};
  std::shared_ptr<FakeEndpoint> client = std::make_shared<FakeEndpoint>("client");
  double t = 0;

  Daemon(const std::string& job_dir, const Replay* replay = nullptr) {
    auto aside = set_aside_journal(job_dir);
    REQUIRE(aside);
    auto j = Journal::create(job_dir, JournalRun{"test", replay ? job_dir : ""});
    REQUIRE(j);
    rt.attach_journal(std::move(*j));
    if (replay) {
      REQUIRE(rt.restore(*replay, t));
      rt.hold_placement(true);
    }
  }
  std::shared_ptr<FakeEndpoint> agent(const std::string& node, std::vector<proto::RunningTask> running = {}) {
    auto a = std::make_shared<FakeEndpoint>("agent " + node);
    test::register_agent(rt, a, node, 2, t, std::move(running));
    return a;
  }
  std::vector<std::uint64_t> submit(int count, const std::string& key = "", std::vector<std::string> out = {}) {
    proto::Submit s;
    s.key = key;
    for (int i = 0; i < count; ++i) {
      proto::TaskSpec spec = test::task({"t" + std::to_string(i)}, 1, {}, out);
      spec.cwd = "/tmp";
      s.tasks.push_back(std::move(spec));
    }
    auto e = proto::expand(test::submit_to(rt, client, std::move(s), t), 1000);
    REQUIRE(e);
    return *e;
  }
  void finish(const std::shared_ptr<FakeEndpoint>& a, std::uint64_t task, std::uint32_t attempt) {
    proto::Assign as;
    as.task = task;
    as.attempt = attempt;
    test::run_task(rt, a, as, 0, t, false);
  }
  proto::StatusResult status() {
    client->clear();
    rt.on_client(client, proto::StatusQuery{7}, t);
    return client->last<proto::StatusResult>();
  }
};

Replay replay_of(const std::string& dir) {
  auto r = load_replay(dir);
  REQUIRE(r);
  return std::move(*r);
}

}  // namespace

TEST_CASE("a restart rebuilds the run with its ids, done tasks done, and takes over what agents still run",
          "[restart]") {
  test::Scratch s("restart");
  const std::string dir = s.root.string();
  {
    Daemon d(dir);
    auto n1 = d.agent("n1");
    auto ids = d.submit(4);
    REQUIRE(ids == std::vector<std::uint64_t>{0, 1, 2, 3});
    d.t = 1;
    d.rt.pump(d.t);
    auto assigns = n1->all<proto::Assign>();
    REQUIRE(assigns.size() == 2);  // two cores
    for (const auto& a : assigns) d.rt.on_agent(n1, proto::Started{a.task, a.attempt, 100}, d.t);
    d.finish(n1, assigns[0].task, assigns[0].attempt);
    d.t = 2;
    d.rt.pump(d.t);  // the next task goes out on the freed core
    d.rt.flush_journal(10);
    // compssd is killed here: no close_journal().
  }
  Replay r = replay_of(dir);
  REQUIRE(r.specs.size() == 4);  // one per spec of the submit
  REQUIRE(r.tasks.size() == 4);
  CHECK(r.tasks[0].state == "done");
  CHECK(r.tasks[1].state == "running");
  CHECK(r.tasks[1].node == "n1");
  CHECK(r.tasks[2].state == "scheduled");
  CHECK(r.tasks[3].state == "ready");

  Daemon d(dir, &r);
  CHECK(d.rt.restored() == 1);
  // n1 comes back running task 1 (on core 1) and with task 2's end (it ran on core 0 meanwhile).
  auto n1 = d.agent("n1", {proto::RunningTask{1, 1, 200, {1}, {}}, proto::RunningTask{2, 1, 201, {0}, {}}});
  CHECK(d.rt.adopted() == 2);
  CHECK(n1->all<proto::Kill>().empty());
  d.finish(n1, 2, 1);
  // Held: core 0 is free and task 3 ready, but nothing is placed until the hold ends.
  d.rt.pump(1.5);
  CHECK(n1->all<proto::Assign>().empty());
  d.rt.hold_placement(false);
  d.rt.pump(2);
  auto assigns = n1->all<proto::Assign>();
  REQUIRE(assigns.size() == 1);  // only task 3 runs: 1 is taken over, 0 and 2 are done
  CHECK(assigns[0].task == 3);
  d.finish(n1, 1, 1);
  d.finish(n1, 3, assigns[0].attempt);
  auto st = d.status();
  CHECK(st.counts.done == 4);
  CHECK(st.counts.cached == 0);  // done before the restart is done by this run, not taken from another
  CHECK(st.outcome == proto::Outcome::kSucceeded);
}

TEST_CASE("a task failed before a restart stays failed after it, and so does the run", "[restart]") {
  test::Scratch s("restart-failed");
  const std::string dir = s.root.string();
  {
    Daemon d(dir);
    auto n1 = d.agent("n1");
    proto::Submit sub;
    for (const char* name : {"fails", "after"}) {
      proto::TaskSpec spec = test::task({name}, 1, {}, {});
      spec.cwd = "/tmp";
      spec.retries = 0;
      sub.tasks.push_back(std::move(spec));
    }
    sub.tasks[0].out = {"x"};
    sub.tasks[1].in = {"x"};
    test::submit_to(d.rt, d.client, std::move(sub), d.t);
    proto::Submit other;
    other.tasks.push_back(test::task({"other"}));
    other.tasks[0].cwd = "/tmp";
    test::submit_to(d.rt, d.client, std::move(other), d.t);
    d.rt.pump(1);
    auto a = n1->all<proto::Assign>();
    REQUIRE(a.size() == 2);  // "fails" and "other"; "after" waits for x
    test::run_task(d.rt, n1, a[0], 1, 1);
    test::run_task(d.rt, n1, a[1], 0, 1);
    d.rt.flush_journal(10);
  }
  Replay r = replay_of(dir);
  REQUIRE(r.tasks.size() == 3);
  CHECK(r.tasks[0].state == "failed");
  CHECK(r.tasks[1].state == "cancelled");
  CHECK(r.tasks[2].state == "done");
  Daemon d(dir, &r);
  d.rt.hold_placement(false);
  auto st = d.status();
  CHECK(st.counts.failed == 1);
  CHECK(st.counts.cancelled == 1);
  CHECK(st.counts.done == 1);
  CHECK(st.outcome == proto::Outcome::kFailed);
}

TEST_CASE("an agent back with a task the run has finished, or never had, is told to kill it", "[restart]") {
  test::Scratch s("restart-kill");
  const std::string dir = s.root.string();
  {
    Daemon d(dir);
    auto n1 = d.agent("n1");
    d.submit(1);
    d.rt.pump(1);
    auto a = n1->all<proto::Assign>();
    REQUIRE(a.size() == 1);
    d.finish(n1, a[0].task, a[0].attempt);
    d.rt.flush_journal(10);
  }
  Replay r = replay_of(dir);
  Daemon d(dir, &r);
  auto n1 = d.agent("n1", {proto::RunningTask{0, 1, 200, {0}, {}}, proto::RunningTask{7, 1, 201, {1}, {}}});
  CHECK(d.rt.adopted() == 0);
  auto kills = n1->all<proto::Kill>();
  REQUIRE(kills.size() == 2);
  CHECK(kills[0].task == 0);
  CHECK(kills[1].task == 7);
}

TEST_CASE("a submit sent again with its key adds nothing, also after a restart", "[restart]") {
  test::Scratch s("restart-key");
  const std::string dir = s.root.string();
  {
    Daemon d(dir);
    d.agent("n1");
    CHECK(d.submit(2, "k1") == std::vector<std::uint64_t>{0, 1});
    CHECK(d.submit(2, "k1") == std::vector<std::uint64_t>{0, 1});
    CHECK(d.submit(1, "k2") == std::vector<std::uint64_t>{2});
    CHECK(d.submit(1) == std::vector<std::uint64_t>{3});
    CHECK(d.status().counts.pending + d.status().counts.ready == 4);
    // No flush: the submits were committed before their answers went out.
  }
  Replay r = replay_of(dir);
  REQUIRE(r.tasks.size() == 4);
  Daemon d(dir, &r);
  CHECK(d.submit(2, "k1") == std::vector<std::uint64_t>{0, 1});
  CHECK(d.submit(1, "k2") == std::vector<std::uint64_t>{2});
  CHECK(d.submit(1, "k3") == std::vector<std::uint64_t>{4});
}

TEST_CASE("no journal, or one that is not this run's version, cannot be restarted from", "[restart]") {
  test::Scratch s("restart-none");
  auto none = load_replay(s.root.string());
  REQUIRE_FALSE(none);
  CHECK(none.error().message.find("journal.db") != std::string::npos);
  {
    Daemon d(s.root.string());
    d.submit(1);
    d.rt.flush_journal(1);
  }
  test::Peek(s.db()).exec("UPDATE meta SET value = '1' WHERE key = 'schema_version'");
  auto old = load_replay(s.root.string());
  REQUIRE_FALSE(old);
  CHECK(old.error().message.find("has journal schema version 1; a restart reads only version 2") != std::string::npos);
}
