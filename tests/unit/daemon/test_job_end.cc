// Tests of the job's end in compssd (doc/spec/states.md, "The job's end"): the end time read from SLURM
// and read again, tasks held in the Runtime (status, explain, query, events), the summary of a run the job's
// time limit stopped, and the command that resumes it.
#include <stdlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>

#include "common/util/log.h"
#include "daemon/job_end.h"
#include "daemon/runtime.h"
#include "tests/unit/daemon/fake_endpoint.h"

using namespace compss;
using namespace compss::daemon;
using compss::test::FakeEndpoint;

namespace {

const bool kQuiet = (log::set_level(log::Level::kError), true);

// A connector whose only working call is job(): it answers with `facts`, or fails while `down`.
class JobOnlyConnector final : public connector::Connector {
 public:
  connector::JobFacts facts;
  bool down = false;
  int loads = 0;

  Result<connector::JobFacts> job(connector::SlurmJobId) override {
    ++loads;
    if (down) return fail("slurm_load_job: Unable to contact slurm controller");
    return facts;
  }
  Result<connector::ClusterFacts> probe() override { return fail("not here"); }
  Result<std::vector<connector::NodeFacts>> nodes() override { return fail("not here"); }
  Result<RequestId> request_nodes(connector::SlurmJobId, std::uint32_t, connector::GrowMode,
                                  const connector::RequestOptions&) override {
    return fail("not here");
  }
  Result<connector::StartForecast> forecast(connector::SlurmJobId, std::uint32_t, connector::GrowMode,
                                            const connector::RequestOptions&) override {
    return fail("not here");
  }
  Result<connector::RequestStatus> poll_request(RequestId) override { return fail("not here"); }
  Result<std::vector<std::string>> merge(connector::SlurmJobId, RequestId) override { return fail("not here"); }
  Status withdraw(RequestId) override { return fail("not here"); }
  Result<std::vector<std::string>> shrink(connector::SlurmJobId, const std::vector<std::string>&) override {
    return fail("not here");
  }
  Status release_helper(connector::SlurmJobId) override { return fail("not here"); }
  connector::RpcStats stats() const override { return {}; }
};

connector::JobFacts job_ending_at(std::int64_t end) {
  connector::JobFacts f;
  f.id = connector::SlurmJobId(42);
  f.time_limit_min = 10;
  f.end_time = end;
  return f;
}

proto::TaskSpec timed(const std::string& name, std::uint32_t timeout_s, std::uint32_t time_limit_s = 0) {
  proto::TaskSpec t = compss::test::task({"sleep", "1"});
  t.name = name;
  t.timeout_s = timeout_s;
  t.time_limit_s = time_limit_s;
  return t;
}

struct World {
  Runtime rt;
  std::shared_ptr<FakeEndpoint> client = std::make_shared<FakeEndpoint>("client");
  std::shared_ptr<FakeEndpoint> agent = std::make_shared<FakeEndpoint>("agent n1");
  double t = 0;

  explicit World(std::string resume = "sbatch --compss=resume=/w/.compss/42 /w/run.sh") : rt(config(resume)) {
    compss::test::register_agent(rt, agent, "n1", 4, t);
  }
  static RuntimeConfig config(std::string resume) {
    RuntimeConfig c;
    c.job_id = "42";
    c.resume_command = std::move(resume);
    return c;
  }
  std::uint64_t submit(proto::TaskSpec spec) {
    proto::Submit s;
    s.tasks.push_back(std::move(spec));
    return compss::test::submit_to(rt, client, std::move(s), t).front().first;
  }
  std::vector<std::string> started() const {
    std::vector<std::string> names;
    for (const auto& a : agent->all<proto::Assign>()) names.push_back(a.name);
    return names;
  }
  void finish(const proto::Assign& a, std::int32_t code = 0) { compss::test::run_task(rt, agent, a, code, t); }
  template <class Reply, class Ask>
  Reply ask(Ask q) {
    client->clear();
    rt.on_client(client, std::move(q), t);
    return client->last<Reply>();
  }
  bool has_event(const std::string& part) {
    for (const auto& e : ask<proto::StatusResult>(proto::StatusQuery{7}).events)
      if (e.text.find(part) != std::string::npos) return true;
    return false;
  }
};

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("the job's end is read at start-up, again once a minute, and told only when SLURM's end moves", "[job-end]") {
  JobOnlyConnector c;
  c.facts = job_ending_at(10'000);
  InlineWorker worker;
  double now = 5;
  std::int64_t wall = 9'700;  // 300 s before the end
  std::vector<std::optional<double>> told;
  JobEndWatch w(
      c, worker, connector::SlurmJobId(42), [&] { return now; }, [&](auto end) { told.push_back(end); },
      [&] { return wall; });
  w.start(c.facts);
  REQUIRE(told.size() == 1);
  CHECK(*told[0] == 305);  // in the run's seconds
  CHECK(c.loads == 0);     // the facts of start-up, no RPC

  now = 30, wall = 9'725;
  w.tick(now);
  CHECK(worker.run_pending() == 0);  // not a minute yet
  now = 65.5, wall = 9'760;
  w.tick(now);
  worker.run_pending();
  CHECK(c.loads == 1);
  CHECK(told.size() == 1);  // the same end: nothing to tell (and no drift of a fraction of a second)

  c.facts = job_ending_at(10'600);  // scontrol update TimeLimit=20
  now = 126, wall = 9'821;
  w.tick(now);
  worker.run_pending();
  REQUIRE(told.size() == 2);
  CHECK(*told[1] == Approx(126 + 779));

  c.down = true;  // slurmctld does not answer: the last end stays, tried again a minute later
  now = 187;
  w.tick(now);
  worker.run_pending();
  CHECK(told.size() == 2);
  c.down = false;
  c.facts.time_limit_min.reset();  // TimeLimit=UNLIMITED
  now = 250;
  w.tick(now);
  worker.run_pending();
  REQUIRE(told.size() == 3);
  CHECK_FALSE(told[2]);
  CHECK(w.loads() == 4);
}

TEST_CASE("end_in_run_seconds: none for a job without a time limit or an end", "[job-end]") {
  CHECK(*end_in_run_seconds(job_ending_at(1000), 10, 900) == 110);
  auto unlimited = job_ending_at(1000);
  unlimited.time_limit_min.reset();
  CHECK_FALSE(end_in_run_seconds(unlimited, 10, 900));
  CHECK_FALSE(end_in_run_seconds(job_ending_at(0), 10, 900));
}

TEST_CASE("resume_command: the run's own --compss keys with resume=, for sbatch, srun or compssd", "[job-end]") {
  RuntimeOptions o;
  CHECK(resume_command("42", "/w/.compss/42", o, "/w/run.sh") == "sbatch --compss=resume=/w/.compss/42 /w/run.sh");
  o.max_nodes = 4;
  o.resume_dir = "/old/.compss/7";  // a resumed run resumes from itself next
  CHECK(resume_command("42", "/w/.compss/42", o, "/w/my run.sh") ==
        "sbatch --compss=max-nodes=4,resume=/w/.compss/42 '/w/my run.sh'");
  CHECK(resume_command("42", "/w/.compss/42", {}, "") == "sbatch --compss=resume=/w/.compss/42 <the job's script>");
  CHECK(resume_command("42.0", "/w/.compss/42.0", {}, "") ==
        "srun --compss=resume=/w/.compss/42.0 <the step's command>");
  CHECK(resume_command("local-99", "/tmp/d", {}, "") == "compssd --resume /tmp/d -- <the driver>");
}

TEST_CASE("a task whose --timeout outlasts the job is held: status, explain, query and an event say so",
          "[job-end][runtime]") {
  World w;
  w.rt.set_job_end(300, 0);
  CHECK(w.has_event("the job ends in 300.0 s (its time limit)"));
  const auto longer = w.submit(timed("long", 600));
  w.submit(timed("short", 60));
  w.submit(timed("planned", 0, 120));  // --time alone counts too
  w.submit(compss::test::task({"undeclared"}));
  w.rt.pump(w.t);
  auto started = w.started();
  std::sort(started.begin(), started.end());
  CHECK(started == std::vector<std::string>{"planned", "short", "undeclared"});

  auto st = w.ask<proto::StatusResult>(proto::StatusQuery{7});
  CHECK(st.counts.ready == 1);
  CHECK(st.counts.held == 1);
  CHECK(
      w.has_event("1 more task(s) held by the job's time limit (1 in all); the last: task 0 (long) is ready: "
                  "job time limit: it may run 600.0 s"));
  auto e = w.ask<proto::Explanation>(proto::Explain{8, longer});
  CHECK(contains(e.text, "job time limit: it may run 600.0 s (its --timeout or --time) and the job ends in 300.0 s"));
  auto q = w.ask<proto::QueryResult>(proto::Query{9, {{longer, longer}}});
  REQUIRE(q.tasks.size() == 1);
  CHECK(contains(q.tasks[0].reason, "job time limit"));

  w.t = 10;
  w.rt.set_job_end(1000, w.t);  // the time limit was extended
  CHECK(w.has_event("the job's end moved: it ends in 990.0 s"));
  w.rt.pump(w.t);
  CHECK(w.started().size() == 4);
  CHECK(w.ask<proto::StatusResult>(proto::StatusQuery{7}).counts.held == 0);
}

TEST_CASE("the summary of a run the time limit stopped: what was cut, what never started, how to resume",
          "[job-end][runtime]") {
  World w;
  w.rt.set_job_end(60, 0);
  w.submit(timed("done-one", 5));
  w.submit(timed("cut", 40));
  w.submit(timed("long", 600));
  w.submit(timed("long", 600));
  proto::TaskSpec after = timed("after-long", 5);
  after.after = {2};
  w.submit(after);
  w.rt.pump(w.t);
  auto assigns = w.agent->all<proto::Assign>();
  REQUIRE(assigns.size() == 2);
  w.finish(assigns[0]);
  w.rt.on_agent(w.agent, proto::Started{assigns[1].task, assigns[1].attempt, 100}, w.t);
  w.t = 61.5;  // SLURM's SIGTERM at the time limit
  w.rt.pump(w.t);
  w.rt.stop_now("SIGTERM");
  const std::string s = w.rt.summary(62);
  CHECK(contains(s,
                 "  left: 1 task(s) cut while running, 3 never started (2 held: their --timeout or --time "
                 "would have taken them past the job's time limit)\n"));
  CHECK(contains(s, "  stopped: SIGTERM at 61.5 s: the job's time limit (it ended at 60.0 s)\n"));
  CHECK(contains(s, "  cannot be resumed: this run has no journal"));  // none attached in this test
}

TEST_CASE("the resume line names the command, and a stop before the job's end is not called its time limit",
          "[job-end][runtime]") {
  World w;
  // A journal in a scratch directory, so that the run can be resumed.
  char dir[] = "/tmp/compss-test-job-end.XXXXXX";
  REQUIRE(::mkdtemp(dir));
  auto j = Journal::create(dir, {"42", ""});
  REQUIRE(j);
  w.rt.attach_journal(std::move(*j));
  w.rt.set_job_end(600, 0);
  w.submit(timed("running", 100));
  w.rt.pump(w.t);
  w.t = 30;
  w.rt.pump(w.t);
  w.rt.stop_now("SIGTERM");
  w.rt.close_journal(w.t);
  const std::string s = w.rt.summary(31);
  CHECK(contains(s, "  left: 1 task(s) cut while running, 0 never started\n"));
  CHECK(contains(s, "  stopped: SIGTERM at 30.0 s\n"));
  CHECK_FALSE(contains(s, "time limit (it ended"));
  CHECK(contains(s,
                 "  to resume: sbatch --compss=resume=/w/.compss/42 /w/run.sh\n"
                 "    (with the job's other options and a longer time limit; the tasks done in this run are not "
                 "run again)\n"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("after the driver ended, a run whose tasks left are all held ends instead of idling to the limit",
          "[job-end][runtime]") {
  World w;
  w.rt.set_job_end(300, 0);
  w.submit(timed("long", 600));
  proto::TaskSpec succ = timed("succ", 5);
  succ.after = {0};
  w.submit(succ);
  w.submit(timed("ok", 5));
  w.rt.pump(w.t);
  REQUIRE(w.started() == std::vector<std::string>{"ok"});
  w.rt.begin_drain("the job's driver ended");
  CHECK_FALSE(w.rt.finished());  // "ok" still runs
  w.finish(w.agent->last<proto::Assign>());
  w.rt.pump(w.t);
  CHECK(w.rt.finished());
  const std::string s = w.rt.summary(1);
  CHECK(contains(s, "unfinished"));
  CHECK(contains(s, "  left: 0 task(s) cut while running, 2 never started (1 held"));
  CHECK(contains(s,
                 "  ended: the job's driver ended and every task left waited for tasks held by the job's time "
                 "limit\n"));
}

TEST_CASE("a run that finished everything has no 'left' lines in its summary", "[job-end][runtime]") {
  World w;
  w.rt.set_job_end(300, 0);
  w.submit(timed("ok", 5));
  w.rt.pump(w.t);
  w.finish(w.agent->last<proto::Assign>());
  w.rt.pump(w.t);
  w.rt.begin_drain("the driver exited");
  CHECK(w.rt.finished());
  const std::string s = w.rt.summary(1);
  CHECK_FALSE(contains(s, "left:"));
  CHECK_FALSE(contains(s, "to resume"));
}
