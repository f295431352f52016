#include <catch2/catch.hpp>

#include <variant>

#include <slurm/slurm_errno.h>

#include "common/util/log.h"
#include "connector/fake_connector.h"
#include "connector/slurm_errors.h"
#include "tests/unit/connector/scenario.h"

using namespace compss;
using namespace compss::connector;
using namespace std::chrono_literals;
using Names = std::vector<std::string>;

namespace {

// The connector logs each grow and merge at info; keep test output to failures.
const bool kQuiet = (log::set_level(log::Level::kWarn), true);

ConnectorConfig quick_config() {
  ConnectorConfig c;
  c.retry = {.initial = 100ms, .factor = 2, .max = 1s, .deadline = 5s, .jitter = 0};
  return c;
}

struct World {
  ManualClock clock;
  FakeConnector c{clock, 4, quick_config()};
  SlurmJobId job = *c.cluster().start_job("wf", 1);
  std::vector<std::string> lines;

  scenario::Context context() {
    return {c, job, 3, clock, 200ms, 30s, [this](const std::string& l) { lines.push_back(l); }};
  }
};

Granted granted(FakeConnector& c, RequestId id) {
  auto st = c.poll_request(id);
  REQUIRE(st.ok());
  REQUIRE(std::holds_alternative<Granted>(*st));
  return std::get<Granted>(*st);
}

}  // namespace

TEST_CASE("the fake passes the merge sequence the real cluster runs", "[connector][fake]") {
  World w;
  auto ctx = w.context();
  auto st = scenario::merge_sequence(ctx);
  INFO((w.lines.empty() ? std::string() : w.lines.back()));
  REQUIRE(st.ok());
  CHECK(w.lines.size() == 14);  // 12 steps and the two forecasts
  CHECK(w.c.cluster().free_nodes() == Names{"n2", "n3", "n4"});
}

TEST_CASE("the fake passes the helper sequence the real cluster runs", "[connector][fake]") {
  World w;
  auto ctx = w.context();
  auto st = scenario::helper_sequence(ctx);
  INFO((w.lines.empty() ? std::string() : w.lines.back()));
  REQUIRE(st.ok());
  CHECK(w.c.cluster().free_nodes() == Names{"n2", "n3", "n4"});
}

TEST_CASE("a merged request moves the helper's nodes into the job and ends the helper", "[connector][fake]") {
  World w;
  RequestOptions whole;
  whole.min_cpus = FakeCluster::kCpusPerNode;  // as compssd asks: a whole node's CPUs
  auto id = w.c.request_nodes(w.job, 2, GrowMode::kMerge, whole);
  REQUIRE(id.ok());
  auto g = granted(w.c, *id);
  CHECK(g.nodes == Names{"n2", "n3"});
  REQUIRE(g.alloc.size() == 2);
  CHECK(g.alloc[0].node == "n2");
  CHECK(g.alloc[0].cpu_ids == "0-1");
  const JobFacts* helper = w.c.cluster().find(g.helper);
  REQUIRE(helper);
  CHECK(helper->name == "compss-grow-" + w.job.str());
  auto nodes = w.c.merge(w.job, *id);
  REQUIRE(nodes.ok());
  CHECK(*nodes == Names{"n1", "n2", "n3"});
  CHECK(w.c.cluster().find(w.job)->num_cpus == 6);
  CHECK(w.c.cluster().find(g.helper)->state == JobState::kEnded);
  CHECK(w.c.phase(*id) == RequestPhase::kMerged);
  // Merging again is harmless and reports the job's nodes.
  auto again = w.c.merge(w.job, *id);
  REQUIRE(again.ok());
  CHECK(*again == Names{"n1", "n2", "n3"});
}

TEST_CASE("growing and merging one node costs a handful of RPCs", "[connector][fake][budget]") {
  World w;
  auto id = w.c.request_nodes(w.job, 1, GrowMode::kMerge, {});
  REQUIRE(id.ok());
  REQUIRE(w.c.merge(w.job, *id).ok());
  auto s = w.c.stats();
  // request: load job + allocate (granted at once); merge: load job, helper to 0, job to ALL, reload.
  CHECK(s.attempts_of(RpcKind::kLoadJob) == 3);
  CHECK(s.attempts_of(RpcKind::kAllocate) == 1);
  CHECK(s.attempts_of(RpcKind::kUpdateJob) == 2);
  CHECK(s.total_attempts() == 6);
}

TEST_CASE("a request pends while no node is free and is granted once one frees up", "[connector][fake]") {
  World w;
  auto other = w.c.cluster().start_job("other", 3);
  REQUIRE(other.ok());
  auto id = w.c.request_nodes(w.job, 1, GrowMode::kMerge, {});
  REQUIRE(id.ok());
  auto st = w.c.poll_request(*id);
  REQUIRE(st.ok());
  REQUIRE(std::holds_alternative<Pending>(*st));
  CHECK(std::get<Pending>(*st).reason == "Resources");
  REQUIRE(w.c.release_helper(*other).ok());  // any job's end frees nodes; kill is kill
  CHECK(granted(w.c, *id).nodes == Names{"n2"});
}

TEST_CASE("excluded nodes are not granted", "[connector][fake]") {
  World w;
  RequestOptions o;
  o.exclude = {"n2", "n3"};
  auto id = w.c.request_nodes(w.job, 1, GrowMode::kHelper, o);
  REQUIRE(id.ok());
  CHECK(granted(w.c, *id).nodes == Names{"n4"});
}

TEST_CASE("a helper-mode request does not outlive the job's time limit", "[connector][fake]") {
  World w;  // the job has 60 minutes
  w.clock.advance(20min);
  auto id = w.c.request_nodes(w.job, 1, GrowMode::kHelper, {});
  REQUIRE(id.ok());
  auto g = granted(w.c, *id);
  const JobFacts* helper = w.c.cluster().find(g.helper);
  REQUIRE(helper->time_limit_min);
  CHECK(*helper->time_limit_min == 40);
}

TEST_CASE("shrinking refuses the batch node, foreign nodes and leaving no node", "[connector][fake]") {
  World w;
  auto id = w.c.request_nodes(w.job, 2, GrowMode::kMerge, {});
  REQUIRE(id.ok());
  REQUIRE(w.c.merge(w.job, *id).ok());
  auto batch = w.c.shrink(w.job, {"n1"});
  REQUIRE_FALSE(batch.ok());
  CHECK_THAT(batch.error().message, Catch::Contains("node n1 runs the job's batch script"));
  auto foreign = w.c.shrink(w.job, {"n4"});
  REQUIRE_FALSE(foreign.ok());
  CHECK_THAT(foreign.error().message, Catch::Contains("does not hold node n4 (it holds n[1-3])"));
  auto all = w.c.shrink(w.job, {"n1", "n2", "n3"});
  REQUIRE_FALSE(all.ok());
  CHECK(w.c.cluster().find(w.job)->nodes == Names{"n1", "n2", "n3"});  // nothing changed
  auto ok = w.c.shrink(w.job, {"n3"});
  REQUIRE(ok.ok());
  CHECK(*ok == Names{"n1", "n2"});
  CHECK(w.c.cluster().free_nodes() == Names{"n3", "n4"});
}

TEST_CASE("a merged request cannot be withdrawn; a withdrawn one can be withdrawn again", "[connector][fake]") {
  World w;
  auto merged = w.c.request_nodes(w.job, 1, GrowMode::kMerge, {});
  REQUIRE(merged.ok());
  REQUIRE(w.c.merge(w.job, *merged).ok());
  auto st = w.c.withdraw(*merged);
  REQUIRE_FALSE(st.ok());
  CHECK_THAT(st.error().message, Catch::Contains("were merged into job " + w.job.str() + "; shrink the job instead"));
  auto other = w.c.request_nodes(w.job, 1, GrowMode::kMerge, {});
  REQUIRE(other.ok());
  REQUIRE(w.c.withdraw(*other).ok());
  REQUIRE(w.c.withdraw(*other).ok());
  CHECK(w.c.cluster().free_nodes() == Names{"n3", "n4"});
}

TEST_CASE("growing a job that is not running is refused before anything is submitted", "[connector][fake]") {
  World w;
  REQUIRE(w.c.release_helper(w.job).ok());  // ends the job itself
  auto id = w.c.request_nodes(w.job, 1, GrowMode::kMerge, {});
  REQUIRE_FALSE(id.ok());
  CHECK_THAT(id.error().message, Catch::Contains("the job is CANCELLED, not running"));
  CHECK(w.c.stats().attempts_of(RpcKind::kAllocate) == 0);
}

TEST_CASE("an expand-helper whose job ended fails and is cleaned up", "[connector][fake]") {
  World w;
  auto other = w.c.cluster().start_job("other", 3);
  REQUIRE(other.ok());
  auto id = w.c.request_nodes(w.job, 1, GrowMode::kMerge, {});
  REQUIRE(id.ok());
  REQUIRE(w.c.release_helper(w.job).ok());  // the job to grow ends while the helper waits
  auto st = w.c.poll_request(*id);
  REQUIRE(st.ok());
  REQUIRE(std::holds_alternative<Failed>(*st));
  CHECK_THAT(std::get<Failed>(*st).reason, Catch::Contains("can never start: DependencyNeverSatisfied"));
  CHECK(w.c.stats().attempts_of(RpcKind::kKillJob) == 2);  // the job, then the stranded helper
}

TEST_CASE("transient controller errors are retried and counted, not returned", "[connector][fake][budget]") {
  World w;
  w.c.cluster().fail_next(RpcKind::kLoadJob, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR, 2);
  auto j = w.c.job(w.job);
  REQUIRE(j.ok());
  CHECK(j->nodes == Names{"n1"});
  auto s = w.c.stats();
  CHECK(s.attempts_of(RpcKind::kLoadJob) == 3);
  CHECK(s.retries[static_cast<int>(RpcKind::kLoadJob)] == 2);
  CHECK(to_ms(w.clock.slept()) == Approx(300));
}

TEST_CASE("a permanent controller error names the attempt and SLURM's message", "[connector][fake]") {
  World w;
  RequestOptions o;
  o.partition = "gpu";
  auto id = w.c.request_nodes(w.job, 1, GrowMode::kHelper, o);
  REQUIRE_FALSE(id.ok());
  CHECK(id.error().message == "cannot submit helper job 'compss-grow-" + w.job.str() + "' to grow job " + w.job.str() +
                                  " by 1 node(s) (helper mode): " + slurm_error_text(ESLURM_INVALID_PARTITION_NAME));
}

TEST_CASE("without permit_job_expansion slurmctld refuses the merge", "[connector][fake]") {
  ManualClock clock;
  auto conf = FakeCluster::merge_capable_conf();
  conf.scheduler_parameters = "";
  FakeConnector c(clock, 4, quick_config(), conf);
  auto job = *c.cluster().start_job("wf", 1);
  auto facts = c.probe();
  REQUIRE(facts.ok());
  CHECK(facts->mode == GrowMode::kHelper);
  auto id = c.request_nodes(job, 1, GrowMode::kMerge, {});
  REQUIRE(id.ok());
  auto helper = granted(c, *id).helper;
  auto st = c.merge(job, *id);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "cannot merge helper job " + helper.str() + " into job " + job.str() + ": " +
                                  slurm_error_text(ESLURM_NOT_SUPPORTED));
  CHECK(c.cluster().find(job)->nodes == Names{"n1"});
  REQUIRE(c.withdraw(*id).ok());  // a granted, unmerged helper can still be given back
  CHECK(c.cluster().free_nodes() == Names{"n2", "n3", "n4"});
}

TEST_CASE("without slurmdbd the second merge update never clears and merge says where it stopped",
          "[connector][fake]") {
  ManualClock clock;
  auto conf = FakeCluster::merge_capable_conf();
  conf.accounting_storage_type = "accounting_storage/none";
  FakeConnector c(clock, 4, quick_config(), conf);
  auto job = *c.cluster().start_job("wf", 1);
  auto id = c.request_nodes(job, 1, GrowMode::kMerge, {});
  REQUIRE(id.ok());
  auto start = clock.now();
  auto st = c.merge(job, *id);
  REQUIRE_FALSE(st.ok());
  CHECK(clock.now() - start <= 5s);  // bounded by the retry deadline
  CHECK_THAT(st.error().message, Catch::Contains("gave up after") &&
                                     Catch::Contains(slurm_error_text(ESLURM_JOB_SETTING_DB_INX)) &&
                                     Catch::Contains("are already in job " + job.str() + "; call merge again"));
  CHECK(c.phase(*id) == RequestPhase::kMerging);
  CHECK(c.cluster().find(job)->nodes == Names{"n1", "n2"});
}

TEST_CASE("polling through the connector is held to the budget's rate", "[connector][fake][budget]") {
  ManualClock clock;
  auto config = quick_config();
  config.budget = {.capacity = 5, .refill_per_s = 2};
  FakeConnector c(clock, 4, config);
  auto job = *c.cluster().start_job("wf", 1);
  auto start = clock.now();
  for (int i = 0; i < 45; ++i) REQUIRE(c.job(job).ok());
  CHECK(std::chrono::duration<double>(clock.now() - start).count() == Approx(20.0).margin(0.01));
}

TEST_CASE("unknown requests are errors, not crashes", "[connector][fake]") {
  World w;
  CHECK_FALSE(w.c.poll_request(RequestId(7)).ok());
  CHECK_FALSE(w.c.merge(w.job, RequestId(7)).ok());
  CHECK_FALSE(w.c.withdraw(RequestId()).ok());
  CHECK_FALSE(w.c.job(SlurmJobId(4242)).ok());
}

TEST_CASE("the cluster's nodes come with their CPUs and partitions, in two calls", "[connector][fake]") {
  World w;
  auto nodes = w.c.nodes();
  REQUIRE(nodes.ok());
  REQUIRE(nodes->size() == 4);
  CHECK((*nodes)[0].name == "n1");
  CHECK((*nodes)[0].cpus == FakeCluster::kCpusPerNode);
  CHECK((*nodes)[3].partitions == std::vector<std::string>{"debug"});
  CHECK(w.c.cluster().calls(RpcKind::kLoadNodes) == 2);
}

TEST_CASE("an expand-helper is not exclusive: without exclusion it lands on the job's own node", "[connector][fake]") {
  World w;
  REQUIRE(w.c.cluster().kill_job(w.job.value()) == 0);
  auto shared = w.c.cluster().start_partial_job("wf-shared", "n1", 1);
  REQUIRE(shared.ok());
  auto loose = w.c.request_nodes(*shared, 1, GrowMode::kMerge, {});
  REQUIRE(loose.ok());
  auto g = granted(w.c, *loose);
  CHECK(g.nodes == Names{"n1"});
  CHECK(g.alloc.at(0).cpu_ids == "1");
  REQUIRE(w.c.withdraw(*loose).ok());
  RequestOptions whole;
  whole.exclude = {"n1"};
  whole.min_cpus = 2;
  auto strict = w.c.request_nodes(*shared, 1, GrowMode::kMerge, whole);
  REQUIRE(strict.ok());
  auto g2 = granted(w.c, *strict);
  CHECK(g2.nodes == Names{"n2"});
  CHECK(g2.alloc.at(0).cpu_ids == "0-1");
  auto merged = w.c.merge(*shared, *strict);
  REQUIRE(merged.ok());
  const JobFacts* j = w.c.cluster().find(*shared);
  REQUIRE(j);
  CHECK(j->num_cpus == 3);
  CHECK(j->alloc.at(0).cpu_ids == "0");
  CHECK(j->alloc.at(1).cpu_ids == "0-1");
}

TEST_CASE("a forecast says at once on idle nodes and when a busy cluster's job ends", "[connector][fake][forecast]") {
  World w;
  RequestOptions opts;
  opts.exclude = {"n1"};
  auto f = w.c.forecast(w.job, 3, GrowMode::kMerge, opts);
  REQUIRE(f.ok());
  CHECK(f->delay_s == 0);
  CHECK(f->node_list == "n[2-4]");
  CHECK(w.c.cluster().calls(RpcKind::kAllocate) == 0);  // nothing submitted
  CHECK(w.c.stats().attempts_of(RpcKind::kWillRun) == 1);

  // Another job holds two of the three for 10 minutes: 1 node now, 3 only once it ends.
  auto other = w.c.cluster().start_job("other", 2, 10);
  REQUIRE(other.ok());
  auto one = w.c.forecast(w.job, 1, GrowMode::kMerge, opts);
  REQUIRE(one.ok());
  CHECK(one->delay_s == 0);
  auto three = w.c.forecast(w.job, 3, GrowMode::kMerge, opts);
  REQUIRE(three.ok());
  CHECK(three->delay_s == Approx(600).margin(1));
}

TEST_CASE("a forecast for more nodes than exist is an error naming the request", "[connector][fake][forecast]") {
  World w;
  auto f = w.c.forecast(w.job, 9, GrowMode::kHelper, {});
  REQUIRE_FALSE(f.ok());
  CHECK_THAT(f.error().message, Catch::Contains("forecast 9 node(s) for job"));
}
