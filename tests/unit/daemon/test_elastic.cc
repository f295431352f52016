// Tests of daemon/elastic: the scheduler's grow/release decisions carried out against the fake cluster,
// every request and node life read back from the daemon's node table.
#include <catch2/catch.hpp>

#include <slurm/slurm_errno.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "common/util/log.h"
#include "connector/fake_connector.h"
#include "common/util/runtime_options.h"
#include "daemon/elastic.h"
#include "daemon/elastic_setup.h"

using namespace compss;
using namespace compss::connector;
using namespace compss::daemon;
using namespace std::chrono_literals;
using Names = std::vector<std::string>;

namespace {

const bool kQuiet = (log::set_level(log::Level::kError), true);

ConnectorConfig quick_config() {
  ConnectorConfig c;
  c.retry = {.initial = 100ms, .factor = 2, .max = 1s, .deadline = 3s, .jitter = 0};
  return c;
}

// A daemon's view of elasticity: the fake cluster, an inline worker, the node table and a host that
// records the agents it was asked to start and stop.
struct World : ElasticHost {
  ManualClock clock;
  FakeConnector c{clock, 4, quick_config()};
  SlurmJobId job = *c.cluster().start_job("wf", 1);
  InlineWorker worker;
  NodeTable table;
  double t = 0;
  std::vector<std::pair<std::string, std::optional<SlurmJobId>>> started;  // start_agent calls
  std::map<std::string, NodeShare> shares;                               // what each was told to offer
  std::vector<NodeId> stopped;                                           // stop_agent calls
  bool refuse_start = false;
  std::unique_ptr<Elastic> e;

  double now() const override { return t; }
  Status start_agent(const std::string& node, std::uint32_t helper, const NodeShare& share) override {
    if (refuse_start) return fail("no srun here");
    started.emplace_back(node, helper ? std::optional<SlurmJobId>(SlurmJobId(helper)) : std::nullopt);
    shares[node] = share;
    return {};
  }
  bool stop_agent(NodeId n, const std::string&, double) override {
    stopped.push_back(n);
    return true;
  }

  // `job_cpus` > 0: the job holds only that many CPUs of n1, sharing it (as `sbatch -n1` does).
  explicit World(GrowMode mode = GrowMode::kMerge, std::uint32_t job_cpus = 0, std::uint32_t min_cpus = 2) {
    if (job_cpus) {  // instead of the whole-node job
      REQUIRE(c.cluster().kill_job(job.value()) == 0);
      job = *c.cluster().start_partial_job("wf-shared", "n1", job_cpus);
    }
    ElasticConfig cfg;
    cfg.job = job;
    cfg.mode = mode;
    cfg.mode_reason = "test";
    cfg.initial_nodes = {"n1"};
    cfg.batch_host = "n1";
    cfg.min_nodes = 1;
    cfg.max_nodes = 4;
    cfg.pending_limit_s = 20;
    cfg.join_limit_s = 30;
    cfg.request_options.min_cpus = min_cpus;  // what setup_elasticity asks: a whole node's CPUs
    cfg.forecast = false;  // the tests of forecasts turn it on
    e = std::make_unique<Elastic>(c, worker, cfg, table, *this);
    table.node_registered("n1", NodeId(0), 2, 0);  // the job's own node registered
  }

  // A new Elastic over the same table and cluster, its configuration changed.
  void configure(const std::function<void(ElasticConfig&)>& change) {
    ElasticConfig cfg = e->config();
    change(cfg);
    e = std::make_unique<Elastic>(c, worker, cfg, table, *this);
  }

  // What the Runtime does when an agent registers, and when its connection closes.
  void joined(const std::string& name, NodeId id, double at) { table.node_registered(name, id, 2, at); }
  void left(const std::string& name, bool end_of_run, double at) {
    NodeLife* l = table.latest(name);
    REQUIRE(l);
    if (end_of_run && (l->state == NodeState::kLive || l->state == NodeState::kDraining)) {
      l->state = NodeState::kEnded;
    } else if (!end_of_run && (l->state == NodeState::kLive || l->state == NodeState::kDraining)) {
      l->state = NodeState::kLost;
      l->why = "agent connection closed";
    }
    e->node_left(*l, end_of_run, at);
    worker.run_pending();
  }

  void at(double seconds) {
    t = seconds;
    e->tick(t);
    worker.run_pending();
  }
  void decide(const scheduler::Decision& d) {
    e->on_decision(d, t);
    worker.run_pending();
  }
  Names job_nodes() { return c.cluster().find(job)->nodes; }
  bool saw(const std::string& part) const {
    return std::any_of(table.history().begin(), table.history().end(),
                       [&](const Event& ev) { return describe(ev).find(part) != std::string::npos; });
  }
  NodeLife life(const std::string& name) const {
    const NodeLife* l = table.latest(name);
    return l ? *l : NodeLife{};
  }
  std::size_t requests_in(daemon::RequestPhase p) const {
    return std::count_if(table.requests().begin(), table.requests().end(),
                         [p](const GrowRequest& q) { return q.phase == p; });
  }
};

// Fills the other three nodes with another user's job, so that grow requests stay pending.
SlurmJobId occupy_the_rest(World& w) {
  auto other = w.c.cluster().start_job("other", 3);
  REQUIRE(other.ok());
  return *other;
}

}  // namespace

TEST_CASE("a grow decision in merge mode is one request of many nodes, merged at once, an agent on each",
          "[elastic][merge]") {
  World w;
  w.t = 1;
  w.decide(scheduler::GrowNodes{3, "work waits", {}});
  CHECK(w.job_nodes() == Names{"n1", "n2", "n3", "n4"});
  REQUIRE(w.started.size() == 3);
  CHECK(w.started[0].first == "n2");
  CHECK_FALSE(w.started[0].second.has_value());  // a step of the job itself, not of a helper
  REQUIRE(w.table.requests().size() == 1);
  CHECK(w.table.requests()[0].nodes_asked == 3);
  CHECK(w.requests_in(daemon::RequestPhase::kJoining) == 1);
  CHECK(w.life("n2").state == NodeState::kStarting);
  CHECK(w.life("n4").request == 1);
  CHECK(w.c.stats().attempts_of(RpcKind::kAllocate) == 1);
  CHECK(w.saw("grow request 1 (3 nodes): merge mode, work waits"));
  CHECK(w.e->summary().find("nodes asked for: 3, granted 3") != std::string::npos);
  CHECK_FALSE(w.saw("mismatch"));
}

TEST_CASE("a grow decision larger than request_nodes is split into even requests", "[elastic][merge]") {
  World w;
  w.configure([](ElasticConfig& c) { c.request_nodes = 2; });
  w.t = 1;
  w.decide(scheduler::GrowNodes{3, "work waits", {}});
  REQUIRE(w.table.requests().size() == 2);
  CHECK(w.table.requests()[0].nodes_asked == 2);
  CHECK(w.table.requests()[1].nodes_asked == 1);
  CHECK(w.job_nodes() == Names{"n1", "n2", "n3", "n4"});
  CHECK(w.saw("grow request 2 (1 node): merge mode, with request 1"));
}

TEST_CASE("a helper-mode request of many nodes is one helper job; it ends once all its nodes are back",
          "[elastic][helper][shrink]") {
  World w(GrowMode::kHelper);
  w.t = 1;
  w.decide(scheduler::GrowNodes{2, "work waits", {}});
  REQUIRE(w.started.size() == 2);
  REQUIRE(w.started[0].second.has_value());
  CHECK(w.started[0].second == w.started[1].second);  // both nodes in one helper job
  const SlurmJobId helper = *w.started[0].second;
  w.joined("n2", NodeId(1), 2);
  w.joined("n3", NodeId(2), 2);
  w.t = 40;
  w.decide(scheduler::ReleaseNode{NodeId(1), "idle"});
  w.left("n2", false, 40.5);
  CHECK(w.c.cluster().find(helper)->state == JobState::kRunning);  // n3 still works in it
  w.decide(scheduler::ReleaseNode{NodeId(2), "idle"});
  w.left("n3", false, 41);
  CHECK(w.c.cluster().find(helper)->state == JobState::kEnded);
  CHECK(w.life("n2").state == NodeState::kReleased);
  CHECK(w.life("n3").state == NodeState::kReleased);
}

TEST_CASE("nodes given back while a shrink call is in flight leave together in the next", "[elastic][merge][shrink]") {
  World w;
  w.t = 1;
  w.decide(scheduler::GrowNodes{3, "work waits", {}});
  w.joined("n2", NodeId(1), 2);
  w.joined("n3", NodeId(2), 2);
  w.joined("n4", NodeId(3), 2);
  w.t = 40;
  for (std::uint32_t n = 1; n <= 3; ++n) w.e->on_decision(scheduler::ReleaseNode{NodeId(n), "idle"}, w.t);
  const auto updates = w.c.stats().attempts_of(RpcKind::kUpdateJob);
  // Their agents leave one after another before the worker runs: the first shrink call takes n2, the
  // next both others.
  for (const char* n : {"n2", "n3", "n4"}) {
    NodeLife* l = w.table.latest(n);
    l->state = NodeState::kLost;
    w.e->node_left(*l, false, w.t);
  }
  w.worker.run_pending();
  CHECK(w.job_nodes() == Names{"n1"});
  CHECK(w.c.stats().attempts_of(RpcKind::kUpdateJob) - updates == 2);
  CHECK(w.life("n4").state == NodeState::kReleased);
  CHECK(w.saw("n3 given back to SLURM: job " + w.job.str() + " now has n1"));
  CHECK(w.saw("n4 given back to SLURM: job " + w.job.str() + " now has n1"));
  CHECK_FALSE(w.saw("mismatch"));
}

namespace {

// The need of a policy decision: `work` core-seconds on the job's 2 cores, 1 s join latency.
scheduler::GrowNodes sized(std::uint32_t count, double work) {
  scheduler::GrowNodes g{count, "work waits", {}};
  g.need.work_core_s = work;
  g.need.cores = 2;
  g.need.cores_per_node = 2;
  g.need.join_latency_s = 1;
  g.need.width_nodes = count;
  return g;
}

}  // namespace

TEST_CASE("with forecasts on, free nodes are asked for as sized and the forecast is in the event",
          "[elastic][forecast]") {
  World w;
  w.configure([](ElasticConfig& c) { c.forecast = true; });
  w.t = 1;
  w.decide(sized(3, 600));  // 300 s of work on 2 cores
  REQUIRE(w.table.requests().size() == 1);
  CHECK(w.table.requests()[0].nodes_asked == 3);
  CHECK(w.c.stats().attempts_of(RpcKind::kWillRun) == 1);
  CHECK(w.saw("SLURM expects 3 nodes in 0 s; 600 core-seconds of work last 300 s"));
  CHECK(w.job_nodes() == Names{"n1", "n2", "n3", "n4"});
}

TEST_CASE("a forecast too late to pay off makes no request and holds growth", "[elastic][forecast]") {
  World w;
  w.configure([](ElasticConfig& c) { c.forecast = true; });
  occupy_the_rest(w);  // another job holds n2..n4 for 60 minutes
  w.t = 1;
  w.decide(sized(3, 40));  // 20 s of work on 2 cores
  CHECK(w.table.requests().empty());
  CHECK(w.c.stats().attempts_of(RpcKind::kAllocate) == 0);
  CHECK(w.c.stats().attempts_of(RpcKind::kWillRun) == 2);  // 3 nodes, then 1 (2 would not be wider)
  CHECK(w.saw("no grow request: SLURM expects 1 node in 3600 s"));
  CHECK(w.saw("too late to pay off; no grow request for 60 s"));
  CHECK(w.table.grow_hold_until() == Approx(61));
  CHECK(w.table.nodes_coming() == 0);
  CHECK(w.e->summary().find("1 grow(s) not asked for") != std::string::npos);
}

TEST_CASE("a late forecast for many nodes asks for the fewer that come in time", "[elastic][forecast]") {
  World w;
  w.configure([](ElasticConfig& c) { c.forecast = true; });
  auto other = w.c.cluster().start_job("other", 2, 10);  // n2, n3 busy for 10 minutes; n4 free
  REQUIRE(other.ok());
  w.t = 1;
  w.decide(sized(3, 600));
  REQUIRE(w.table.requests().size() == 1);
  CHECK(w.table.requests()[0].nodes_asked == 1);
  CHECK(w.job_nodes() == Names{"n1", "n4"});
}

TEST_CASE("an agent registering on a grown node is a join latency sample for the scheduler", "[elastic][merge]") {
  World w;
  w.t = 10;
  w.decide(scheduler::GrowNodes{1, "work waits", {}});
  w.joined("n2", NodeId(1), 12.5);
  REQUIRE(w.table.join_samples().size() == 1);
  CHECK(w.table.join_latency_s() == Approx(2.5));
  CHECK(w.table.request(1)->phase == daemon::RequestPhase::kJoined);
  CHECK(w.life("n2").state == NodeState::kLive);
  CHECK(w.life("n2").joined_at == Approx(12.5));
  // The second sample moves the average halfway.
  w.t = 20;
  w.decide(scheduler::GrowNodes{1, "more work", {}});
  w.joined("n3", NodeId(2), 21.5);
  REQUIRE(w.table.join_samples().size() == 2);
  CHECK(w.table.join_latency_s() == Approx(2.0));
  CHECK(w.e->summary().find("join latency") != std::string::npos);
}

TEST_CASE("a released node's agent is stopped first, then the job shrinks and the node is free in SLURM",
          "[elastic][merge][shrink]") {
  World w;
  w.t = 1;
  w.decide(scheduler::GrowNodes{1, "work waits", {}});
  w.joined("n2", NodeId(1), 2);
  w.t = 31;
  w.decide(scheduler::ReleaseNode{NodeId(1), "drained and idle: release"});
  REQUIRE(w.stopped == std::vector<NodeId>{NodeId(1)});
  // Nothing is given back while the agent still runs there.
  CHECK(w.job_nodes() == Names{"n1", "n2"});
  CHECK(w.life("n2").state == NodeState::kStopping);
  w.t = 31.5;
  w.left("n2", false, w.t);
  CHECK(w.job_nodes() == Names{"n1"});
  CHECK(std::find(w.c.cluster().free_nodes().begin(), w.c.cluster().free_nodes().end(), "n2") !=
        w.c.cluster().free_nodes().end());
  CHECK(w.life("n2").state == NodeState::kReleased);
  CHECK(w.life("n2").left_at == Approx(31.5));
  CHECK(w.e->summary().find("1 node(s) given back") != std::string::npos);
  CHECK_FALSE(w.saw("mismatch"));
}

TEST_CASE("an agent that does not leave in time does not keep the node: it is given back after the wait",
          "[elastic][shrink]") {
  World w;
  w.t = 1;
  w.decide(scheduler::GrowNodes{1, "work waits", {}});
  w.joined("n2", NodeId(1), 2);
  w.t = 40;
  w.decide(scheduler::ReleaseNode{NodeId(1), "idle"});
  w.at(45);
  CHECK(w.job_nodes() == Names{"n1", "n2"});
  w.at(51);  // stop_wait_s is 10
  CHECK(w.job_nodes() == Names{"n1"});
}

TEST_CASE("the batch host is never given back", "[elastic][shrink]") {
  World w;
  w.decide(scheduler::ReleaseNode{NodeId(0), "idle"});
  CHECK(w.stopped.empty());
  CHECK(w.job_nodes() == Names{"n1"});
  CHECK(w.saw("batch script"));
}

TEST_CASE("helper mode starts the agent inside the helper job and ends the helper when its node is back",
          "[elastic][helper]") {
  World w(GrowMode::kHelper);
  w.t = 1;
  w.decide(scheduler::GrowNodes{1, "work waits", {}});
  REQUIRE(w.started.size() == 1);
  REQUIRE(w.started[0].second.has_value());
  const SlurmJobId helper = *w.started[0].second;
  CHECK(w.job_nodes() == Names{"n1"});  // the job itself does not change
  CHECK(w.c.cluster().find(helper)->state == JobState::kRunning);
  w.joined(w.started[0].first, NodeId(1), 2);
  w.t = 30;
  w.decide(scheduler::ReleaseNode{NodeId(1), "idle"});
  w.left(w.started[0].first, false, 30.2);
  CHECK(w.c.cluster().find(helper)->state == JobState::kEnded);
  CHECK(w.c.cluster().free_nodes().size() == 3);
  CHECK(w.life(w.started[0].first).state == NodeState::kReleased);
}

TEST_CASE("a request that stays pending past the limit is withdrawn and the scheduler told", "[elastic][pending]") {
  World w;
  occupy_the_rest(w);
  w.t = 1;
  w.decide(scheduler::GrowNodes{1, "work waits", {}});
  CHECK(w.started.empty());
  CHECK(w.table.requests_open() == 1);
  std::size_t polls_before = w.c.cluster().calls(RpcKind::kLoadJob);
  CHECK(w.table.nodes_coming() == 1);
  for (double s = 1.5; s <= 20; s += 0.5) w.at(s);
  CHECK(w.c.cluster().calls(RpcKind::kLoadJob) - polls_before >= 15);  // about once a second
  CHECK(w.table.nodes_coming() == 1);
  w.at(21.5);
  CHECK(w.table.nodes_coming() == 0);  // what the scheduler learns before its next pass
  CHECK(w.requests_in(daemon::RequestPhase::kWithdrawn) == 1);
  CHECK(w.table.requests_open() == 0);
  CHECK(w.saw("over the limit"));
  // The helper job is gone from the queue.
  for (std::uint32_t id = 100; id < 110; ++id) {
    const JobFacts* j = w.c.cluster().find(SlurmJobId(id));
    if (j && j->name.rfind("compss-grow-", 0) == 0) CHECK(j->state == JobState::kEnded);
  }
}

TEST_CASE("a withdraw decision cancels the newest pending request",
          "[elastic][pending]") {
  World w;
  w.configure([](ElasticConfig& c) { c.request_nodes = 1; });  // two requests of one node
  const SlurmJobId other = occupy_the_rest(w);
  w.t = 1;
  w.decide(scheduler::GrowNodes{2, "work waits", {}});
  CHECK(w.table.requests_open() == 2);
  w.t = 5;
  w.decide(scheduler::WithdrawGrow{1, "no demand"});
  CHECK(w.table.requests_open() == 1);
  CHECK(w.requests_in(daemon::RequestPhase::kWithdrawn) == 1);
  CHECK(w.table.nodes_coming() == 1);
  // The older request is still served when the other job ends.
  REQUIRE(w.c.cluster().kill_job(other.value()) == 0);
  w.at(6);
  REQUIRE(w.started.size() == 1);
  CHECK(w.life(w.started[0].first).request == 1);
}

TEST_CASE("a refused grow request is reported and no longer counted as coming; the next one works",
          "[elastic][failure]") {
  World w;
  // SLURM refuses the first allocation outright (a permanent error: no retry helps).
  w.c.cluster().fail_next(RpcKind::kAllocate, ESLURM_ACCESS_DENIED, 1);
  w.t = 1;
  w.decide(scheduler::GrowNodes{1, "work waits", {}});
  CHECK(w.table.nodes_coming() == 0);
  CHECK(w.requests_in(daemon::RequestPhase::kFailed) == 1);
  CHECK(w.saw("grow request 1 failed"));
  // The next decision works.
  w.t = 40;
  w.decide(scheduler::GrowNodes{1, "work waits", {}});
  CHECK(w.started.size() == 1);
}

TEST_CASE("a failed shrink is tried again later and then succeeds", "[elastic][failure][shrink]") {
  World w;
  w.t = 1;
  w.decide(scheduler::GrowNodes{1, "work waits", {}});
  w.joined("n2", NodeId(1), 2);
  w.c.cluster().fail_next(RpcKind::kUpdateJob, ESLURM_ACCESS_DENIED, 1);
  w.t = 30;
  w.decide(scheduler::ReleaseNode{NodeId(1), "idle"});
  w.left("n2", false, 30);
  CHECK(w.job_nodes() == Names{"n1", "n2"});
  CHECK(w.saw("cannot give n2 back"));
  w.at(33);
  CHECK(w.job_nodes() == Names{"n1", "n2"});
  w.at(35.5);  // retry_after_s is 5
  CHECK(w.job_nodes() == Names{"n1"});
}

TEST_CASE("a node whose agent never registers is given back and the request counted failed", "[elastic][failure]") {
  World w;
  w.t = 1;
  w.decide(scheduler::GrowNodes{1, "work waits", {}});
  CHECK(w.job_nodes() == Names{"n1", "n2"});
  w.at(20);
  CHECK(w.table.nodes_coming() == 1);  // granted, its agent still starting
  w.at(32);  // join_limit_s is 30
  CHECK(w.table.nodes_coming() == 0);
  CHECK(w.requests_in(daemon::RequestPhase::kFailed) == 1);
  CHECK(w.job_nodes() == Names{"n1"});
}

TEST_CASE("an agent that cannot be started gives its node back at once", "[elastic][failure]") {
  World w;
  w.refuse_start = true;
  w.t = 1;
  w.decide(scheduler::GrowNodes{1, "work waits", {}});
  CHECK(w.table.nodes_coming() == 0);
  CHECK(w.job_nodes() == Names{"n1"});
  CHECK(w.saw("no agent on n2: its agent did not start"));
}

TEST_CASE("a job node set that differs from the daemon's books is reported", "[elastic][nodeset]") {
  World w;
  w.t = 1;
  w.decide(scheduler::GrowNodes{1, "work waits", {}});
  w.joined("n2", NodeId(1), 2);
  // Someone else gives n2 back behind the daemon's back.
  REQUIRE(w.c.cluster().update_req_nodes(w.job.value(), "n1") == 0);
  REQUIRE(w.c.cluster().start_job("other", 1).ok());  // takes n2, so the next grant is n3
  w.t = 10;
  w.decide(scheduler::GrowNodes{1, "work waits", {}});
  CHECK(w.saw("node set mismatch"));
}

TEST_CASE("the end of the run withdraws pending requests and ends helper jobs", "[elastic][shutdown]") {
  World w(GrowMode::kHelper);
  w.t = 1;
  w.decide(scheduler::GrowNodes{2, "work waits", {}});
  REQUIRE(w.started.size() == 2);
  w.joined(w.started[0].first, NodeId(1), 2);
  REQUIRE(w.c.cluster().start_job("other", 1).ok());  // the last free node
  w.decide(scheduler::GrowNodes{1, "more", {}});
  CHECK(w.table.requests_open() >= 1);
  w.e->shutdown(50);
  w.worker.run_pending();
  CHECK(w.c.cluster().free_nodes().size() == 2);  // both helpers ended; the other job keeps its node
  for (std::uint32_t id = 100; id < 110; ++id) {
    const JobFacts* j = w.c.cluster().find(SlurmJobId(id));
    if (j && j->name.rfind("compss-grow-", 0) == 0) CHECK(j->state == JobState::kEnded);
  }
  // Decisions after the end ask SLURM for nothing.
  const auto allocs = w.c.cluster().calls(RpcKind::kAllocate);
  w.decide(scheduler::GrowNodes{1, "late", {}});
  CHECK(w.c.cluster().calls(RpcKind::kAllocate) == allocs);
}

TEST_CASE("the summary names the mode, the requests, the RPC count and each node's life", "[elastic][report]") {
  World w;
  w.t = 1;
  w.decide(scheduler::GrowNodes{1, "work waits", {}});
  w.joined("n2", NodeId(1), 2);
  const std::string s = w.e->summary();
  CHECK(s.find("merge mode (test)") != std::string::npos);
  CHECK(s.find("1 made, 1 granted") != std::string::npos);
  CHECK(s.find("slurmctld RPCs:") != std::string::npos);
  REQUIRE(w.table.lives().size() == 2);
  CHECK(life_line(w.table.lives()[0]).find("job's own node") != std::string::npos);
  CHECK(life_line(w.table.lives()[1]).find("grow request 1") != std::string::npos);
  CHECK(life_line(w.table.lives()[1]).find("joined 2.0 s") != std::string::npos);
}

TEST_CASE("polls that fail while slurmctld is away leave the request pending until SLURM answers again",
          "[elastic][failure][pending]") {
  World w;
  const SlurmJobId other = occupy_the_rest(w);
  w.t = 1;
  w.decide(scheduler::GrowNodes{1, "work waits", {}});
  w.c.cluster().fail_next(RpcKind::kLoadJob, SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT, 30);
  for (double s = 2; s <= 6; s += 1) w.at(s);
  CHECK(w.table.nodes_coming() == 1);
  CHECK(w.table.requests_open() == 1);
  REQUIRE(w.c.cluster().kill_job(other.value()) == 0);
  for (double s = 7; s <= 15 && w.started.empty(); s += 1) w.at(s);
  CHECK(w.started.size() == 1);
  CHECK(w.requests_in(daemon::RequestPhase::kFailed) == 0);
}

TEST_CASE("growth by hand is bounded by max-nodes, and so are the policy's requests", "[elastic][resize]") {
  World w;  // max-nodes 4, one node live
  w.t = 1;
  REQUIRE(w.e->grow_by_hand(2, w.t).ok());
  w.worker.run_pending();
  CHECK(w.job_nodes() == Names{"n1", "n2", "n3"});
  // One more fits; the rest of the policy's ask is not made.
  w.decide(scheduler::GrowNodes{2, "work waits", {}});
  CHECK(w.job_nodes() == Names{"n1", "n2", "n3", "n4"});
  CHECK(w.table.requests().size() == 2);  // 2 nodes by hand in one request, then 1
  CHECK(w.table.requests()[1].nodes_asked == 1);
  auto refused = w.e->grow_by_hand(1, w.t);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("max-nodes 4") != std::string::npos);
}

TEST_CASE("the thread worker runs jobs off the caller's thread, one at a time, and posts their continuations",
          "[elastic][worker]") {
  std::mutex mu;
  std::vector<Continuation> posted;
  std::atomic<int> running{0}, most{0};
  const auto caller = std::this_thread::get_id();
  std::atomic<bool> elsewhere{true};
  {
    ThreadWorker w([&](Continuation c) {
      std::lock_guard lock(mu);
      posted.push_back(std::move(c));
    });
    std::vector<int> order;
    for (int i = 0; i < 5; ++i) {
      w.submit([&, i]() -> Continuation {
        if (std::this_thread::get_id() == caller) elsewhere = false;
        most = std::max(most.load(), ++running);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        --running;
        return [&order, i] { order.push_back(i); };
      });
    }
    CHECK(w.stop(std::chrono::milliseconds(5000)));
    for (auto& c : posted) c();
    CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
  }
  CHECK(elsewhere);
  CHECK(most == 1);
  CHECK(posted.size() == 5);
}

TEST_CASE("elasticity is off, with the reason, for elastic=off, outside SLURM and without srun agents",
          "[elastic][setup]") {
  ElasticSite site;
  scheduler::SchedulerConfig sched;
  auto off = parse_runtime_options("elastic=off,max-nodes=4");
  REQUIRE(off.ok());
  // The job is still read for its allocation (no cluster here, or no such job: within a short deadline).
  // A job id near SLURM's largest (MaxJobId 67108863): a local cluster that ran many tests has job 811.
  auto a = setup_elasticity(*off, ElasticSite{"retry-deadline=1s"}, "67108860", "srun", sched);
  REQUIRE(a.ok());
  CHECK_FALSE(a->connector);
  CHECK(a->note == "elasticity off: --compss elastic=off");
  CHECK_FALSE(a->job);
  CHECK_FALSE(a->job_note.empty());
  auto on = parse_runtime_options("max-nodes=4");
  REQUIRE(on.ok());
  auto b = setup_elasticity(*on, site, "", "local", sched);
  REQUIRE(b.ok());
  CHECK(b->note == "elasticity off: not inside a SLURM job");
  auto c = setup_elasticity(*on, site, "811", "local", sched);
  REQUIRE(c.ok());
  CHECK(c->note.find("not started with srun") != std::string::npos);
  CHECK_FALSE(sched.elastic);  // untouched
  auto bad = setup_elasticity(*on, ElasticSite{"rpc-rate=fast"}, "811", "srun", sched);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("rpc-rate") != std::string::npos);
}

TEST_CASE("a grown node whose agent is lost is given back; one of the job's own nodes stays", "[elastic][shrink]") {
  World w;
  w.t = 1;
  w.decide(scheduler::GrowNodes{1, "work waits", {}});
  w.joined("n2", NodeId(1), 2);
  w.left("n2", false, 10);
  CHECK(w.job_nodes() == Names{"n1"});
  CHECK(w.life("n2").state == NodeState::kReleased);
  CHECK(w.life("n2").why == "agent connection closed");
  w.left("n1", false, 11);
  CHECK(w.job_nodes() == Names{"n1"});
  CHECK(w.life("n1").state == NodeState::kLost);
  // At the end of the run agents leaving is expected: nothing changes.
  World v;
  v.left("n1", true, 5);
  CHECK(v.life("n1").state == NodeState::kEnded);
  CHECK(v.job_nodes() == Names{"n1"});
}

TEST_CASE("the periodic check reports a job changed behind the daemon's back, about once a minute",
          "[elastic][nodeset]") {
  World w;
  w.t = 1;
  w.decide(scheduler::GrowNodes{1, "work waits", {}});
  w.joined("n2", NodeId(1), 2);
  const auto loads = w.c.cluster().calls(RpcKind::kLoadJob);
  w.at(30);
  CHECK(w.c.cluster().calls(RpcKind::kLoadJob) == loads);
  w.at(61);
  CHECK(w.c.cluster().calls(RpcKind::kLoadJob) == loads + 1);
  CHECK_FALSE(w.saw("mismatch"));
  REQUIRE(w.c.cluster().update_req_nodes(w.job.value(), "n1") == 0);
  w.at(100);
  CHECK_FALSE(w.saw("mismatch"));
  w.at(122);
  CHECK(w.saw("node set mismatch: after the periodic check"));
}

TEST_CASE("a job on one CPU of a shared node grows by whole other nodes, never onto its own", "[elastic][shared]") {
  // What SLURM does without the exclusion: an expand-helper takes the free CPU of the job's own node.
  {
    World w(GrowMode::kMerge, 1);
    auto id = w.c.request_nodes(w.job, 1, GrowMode::kMerge, {});
    REQUIRE(id.ok());
    auto st = w.c.poll_request(*id);
    REQUIRE(st.ok());
    REQUIRE(std::holds_alternative<Granted>(*st));
    CHECK(std::get<Granted>(*st).nodes == Names{"n1"});
  }
  World w(GrowMode::kMerge, 1);
  w.t = 1;
  w.decide(scheduler::GrowNodes{3, "work waits", {}});
  CHECK(w.job_nodes() == Names{"n1", "n2", "n3", "n4"});
  REQUIRE(w.started.size() == 3);
  for (const char* n : {"n2", "n3", "n4"}) {
    CHECK(w.shares[n].cpus == std::vector<std::uint32_t>{0, 1});
    CHECK(w.life(n).cpus == "0-1");
  }
  const JobFacts* j = w.c.cluster().find(w.job);
  REQUIRE(j);
  CHECK(j->alloc.front().node == "n1");
  CHECK(j->alloc.front().cpu_ids == "0");  // its own CPU only: nothing more was merged onto n1
  CHECK(j->num_cpus == 7);
  CHECK(w.requests_in(daemon::RequestPhase::kFailed) == 0);
}

TEST_CASE("a grant on a node the job already holds is given back, never counted as a node", "[elastic][shared]") {
  // Nodes of one CPU per request (a site whose smallest node is smaller than these): two requests made
  // while nothing is free both land on n2 once it frees up; the second is given back.
  World w(GrowMode::kMerge, 0, 1);
  w.configure([](ElasticConfig& c) { c.request_nodes = 1; });
  SlurmJobId other = occupy_the_rest(w);
  w.t = 1;
  w.decide(scheduler::GrowNodes{2, "work waits", {}});
  CHECK(w.requests_in(daemon::RequestPhase::kPending) == 2);
  REQUIRE(w.c.cluster().kill_job(other.value()) == 0);
  w.at(3);
  CHECK(w.job_nodes() == Names{"n1", "n2"});
  CHECK(w.started.size() == 1);
  CHECK(w.requests_in(daemon::RequestPhase::kWithdrawn) == 1);
  CHECK(w.saw("which the job holds already: given back"));
  std::size_t n2_lives = 0;
  for (const NodeLife& l : w.table.lives()) n2_lives += l.name == "n2";
  CHECK(n2_lives == 1);
  const JobFacts* j = w.c.cluster().find(w.job);
  REQUIRE(j);
  CHECK(j->num_cpus == 3);  // n1 whole, one CPU of n2; the other CPU went back to SLURM
}

TEST_CASE("a request SLURM forecast to wait stays pending that long before the grow timeout counts",
          "[elastic][forecast][pending]") {
  World w;  // --grow-timeout 20 s
  w.configure([](ElasticConfig& c) { c.forecast = true; });
  auto other = w.c.cluster().start_job("other", 3, 10);  // n2..n4 busy for 10 minutes
  REQUIRE(other.ok());
  w.t = 1;
  w.decide(sized(1, 2.0e6));  // a million seconds of work on 2 cores: worth waiting 600 s for
  REQUIRE(w.table.requests().size() == 1);
  CHECK(w.table.requests()[0].expected_wait_s == Approx(600).margin(1));
  w.at(30);  // past the 20 s timeout alone
  CHECK(w.requests_in(daemon::RequestPhase::kPending) == 1);
  w.at(625);  // past the forecast and the timeout
  CHECK(w.requests_in(daemon::RequestPhase::kWithdrawn) == 1);
  CHECK(w.saw("over the limit of 620 s (SLURM's forecast and --grow-timeout)"));
}
