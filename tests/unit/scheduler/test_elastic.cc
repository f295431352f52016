// Tests of the elasticity policy: grow sizing and bounds, drain/release of idle nodes, hysteresis,
// withdrawal of requests, and a small simulation that must not oscillate.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "scheduler/elastic.h"

using compss::NodeId;
using namespace compss::scheduler;
using Kind = ElasticDecision::Kind;

namespace {

// `count` busy nodes of 8 cores (node 0 first), 2 s join latency, 60 s idle release, up to 16 nodes.
ElasticInput job(std::uint32_t count, double now = 1000) {
  ElasticInput in;
  in.now = now;
  in.min_nodes = 1;
  in.max_nodes = 16;
  in.max_in_flight = 8;
  in.join_latency_s = 2;
  in.idle_release_s = 60;
  in.new_node_cores = 8;
  for (std::uint32_t i = 0; i < count; ++i) in.nodes.push_back({NodeId(i), i == 0, 8, false, false, 0});
  return in;
}

void idle(ElasticInput& in, std::uint32_t node, double since) {
  in.nodes[node].idle = true;
  in.nodes[node].idle_since = since;
  in.free_cores += 8;
}

// Ready work: `tasks` tasks of `cores` cores lasting `seconds` each.
void ready(ElasticInput& in, std::uint64_t tasks, std::uint64_t cores, double seconds) {
  in.ready_tasks = tasks;
  in.ready_cores = tasks * cores;
  in.ready_work_core_s = static_cast<double>(tasks * cores) * seconds;
}

std::vector<ElasticDecision> of(const std::vector<ElasticDecision>& all, Kind kind) {
  std::vector<ElasticDecision> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out),
               [&](const ElasticDecision& d) { return d.kind == kind; });
  return out;
}

std::uint32_t grown(const std::vector<ElasticDecision>& all) {
  auto g = of(all, Kind::kGrow);
  return g.empty() ? 0 : g[0].count;
}

}  // namespace

TEST_CASE("grows by the width of the ready work the free cores cannot hold", "[elastic]") {
  auto in = job(2);
  in.free_cores = 4;
  ready(in, 12, 2, 60);  // 24 cores, 1440 core-s: 90 s on 16 cores
  ElasticPolicy policy;
  auto out = policy.decide(in);
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == Kind::kGrow);
  CHECK(out[0].count == 3);  // 20 cores more than free: 3 nodes of 8
  CHECK(out[0].reason == "12 ready tasks need 24 cores, 4 free; est. 90 s of work > join latency 2 s: +3 nodes");
}

TEST_CASE("does not grow when the work drains within one join latency", "[elastic]") {
  auto in = job(2);
  in.free_cores = 0;
  ready(in, 10, 1, 2);  // 20 core-s on 16 cores: 1.25 s < 2 s
  ElasticPolicy policy;
  CHECK(policy.decide(in).empty());
  in.join_latency_s = 1;  // now it outlasts the latency; but only 20 core-s: at most 4 more cores busy
  CHECK(grown(ElasticPolicy().decide(in)) == 1);
}

TEST_CASE("growth is sized by the work, not only the queue width, when the work is short", "[elastic]") {
  auto in = job(2);
  in.free_cores = 0;
  ready(in, 100, 1, 0.5);                         // 100 cores wide but only 50 core-s: 25 cores keep busy for 2 s
  CHECK(grown(ElasticPolicy().decide(in)) == 2);  // 25 - 16 = 9 cores: 2 nodes, not 13
}

TEST_CASE("growth counts the work that the ready tasks unlock", "[elastic]") {
  auto in = job(2);
  in.free_cores = 8;
  ready(in, 8, 1, 10);  // fits the free cores
  CHECK(ElasticPolicy().decide(in).empty());
  in.unlocked_work_core_s = 800;  // 80 tasks of 10 s next: 80 cores wide against 16
  auto out = ElasticPolicy().decide(in);
  CHECK(grown(out) == 8);  // capped by max outstanding 8 (64 cores wanted)
  CHECK(out[0].reason.find("unlocked work ~80 cores wide") != std::string::npos);
}

TEST_CASE("growth is bounded by max nodes and max outstanding, counting requests as coming nodes", "[elastic]") {
  auto in = job(2);
  in.free_cores = 0;
  ready(in, 100, 1, 60);
  in.max_nodes = 5;
  in.nodes_coming = 1;
  auto out = ElasticPolicy().decide(in);
  CHECK(grown(out) == 2);  // 2 live + 1 coming + 2 = 5
  CHECK(out[0].reason.find("capped by max-nodes 5") != std::string::npos);
  in.max_nodes = 16;
  in.max_in_flight = 3;
  CHECK(grown(ElasticPolicy().decide(in)) == 2);  // 1 + 2 = 3 outstanding
  in.max_in_flight = 1;
  CHECK(ElasticPolicy().decide(in).empty());
}

TEST_CASE("a lost own node still counts against max nodes: the job never outgrows it", "[elastic]") {
  auto in = job(2);
  in.free_cores = 0;
  ready(in, 100, 1, 60);
  in.max_nodes = 4;
  in.held_unusable = 1;  // a third node of the job lost its agent; SLURM still counts it
  CHECK(grown(ElasticPolicy().decide(in)) == 1);  // 2 live + 1 lost + 1 = 4
  in.held_unusable = 2;
  CHECK(ElasticPolicy().decide(in).empty());
}

TEST_CASE("outstanding requests already cover demand: no more are asked for", "[elastic]") {
  auto in = job(2);
  in.free_cores = 4;
  ready(in, 12, 2, 60);         // 20 cores short
  in.nodes_coming = 3;  // 24 cores coming
  CHECK(ElasticPolicy().decide(in).empty());
  in.nodes_coming = 2;  // 16 coming: 4 short
  CHECK(grown(ElasticPolicy().decide(in)) == 1);
}

TEST_CASE("below min nodes the job grows to min nodes", "[elastic]") {
  auto in = job(1);
  in.min_nodes = 3;
  in.free_cores = 8;
  auto out = ElasticPolicy().decide(in);
  REQUIRE(out.size() == 1);
  CHECK(out[0].count == 2);
  CHECK(out[0].reason == "1 node (+0 coming) below min-nodes 3: +2 nodes");
}

TEST_CASE("a node idle for idle_release_s is drained, then released; never the first", "[elastic]") {
  auto in = job(3);
  idle(in, 0, 900);  // first: idle longest, never drained
  idle(in, 1, 930);  // idle 70 s
  idle(in, 2, 980);  // idle 20 s: not yet
  ElasticPolicy policy;
  auto out = policy.decide(in);
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == Kind::kDrain);
  CHECK(out[0].node == NodeId(1));
  CHECK(out[0].reason == "idle 70 s >= 60 s; 24 free cores, 0 wanted by ready work: drain");

  in.now = 1002;
  in.nodes[1].draining = true;
  in.free_cores -= 8;
  out = policy.decide(in);
  REQUIRE(of(out, Kind::kRelease).size() == 1);
  CHECK(of(out, Kind::kRelease)[0].node == NodeId(1));
  CHECK(of(out, Kind::kDrain).empty());  // node 2 idle 22 s only
}

TEST_CASE("drains never go below min nodes", "[elastic]") {
  auto in = job(4);
  for (std::uint32_t i = 0; i < 4; ++i) idle(in, i, 0);
  in.min_nodes = 2;
  auto drains = of(ElasticPolicy().decide(in), Kind::kDrain);
  CHECK(drains.size() == 2);
  for (const auto& d : drains) CHECK(d.node != NodeId(0));
}

TEST_CASE("an idle node that ready work needs is kept", "[elastic]") {
  auto in = job(2);
  idle(in, 1, 0);
  in.free_cores = 10;    // the idle node's 8 and 2 elsewhere
  ready(in, 3, 1, 0.1);  // fits the free cores, too short to grow for; without node 1 it would not fit
  CHECK(of(ElasticPolicy().decide(in), Kind::kDrain).empty());
  ready(in, 2, 1, 0.1);
  CHECK(of(ElasticPolicy().decide(in), Kind::kDrain).size() == 1);
}

TEST_CASE("no drain shortly after a grow", "[elastic]") {
  auto in = job(2, 0);
  in.free_cores = 0;
  ready(in, 40, 1, 60);
  ElasticPolicy policy;
  REQUIRE(grown(policy.decide(in)) > 0);
  // The demand vanished; node 1 idle ever since.
  auto later = job(2);
  idle(later, 1, 0);
  later.now = 61;  // < grow + join latency + idle release = 62
  CHECK(of(policy.decide(later), Kind::kDrain).empty());
  later.now = 62;
  CHECK(of(policy.decide(later), Kind::kDrain).size() == 1);
}

TEST_CASE("no grow right after a drain unless demand clearly rose", "[elastic]") {
  auto in = job(3, 100);
  idle(in, 1, 0);
  idle(in, 2, 0);
  ElasticPolicy policy;
  REQUIRE(of(policy.decide(in), Kind::kDrain).size() == 2);

  auto after = job(1, 110);
  after.free_cores = 0;
  ready(after, 4, 1, 60);  // 4 cores short: less than one node more than at the drain
  CHECK(policy.decide(after).empty());
  ready(after, 8, 1, 60);  // 8 cores: clearly more
  CHECK(grown(policy.decide(after)) == 1);
  ready(after, 4, 1, 60);
  after.now = 100 + 60;  // the hold is over
  CHECK(grown(policy.decide(after)) == 1);
}

TEST_CASE("outstanding requests are withdrawn when demand is gone for a join latency", "[elastic]") {
  auto in = job(2, 100);
  in.nodes_coming = 3;
  in.free_cores = 8;
  ElasticPolicy policy;
  CHECK(policy.decide(in).empty());  // just vanished: wait
  in.now = 101;
  CHECK(policy.decide(in).empty());
  in.now = 102;
  auto out = policy.decide(in);
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == Kind::kWithdraw);
  CHECK(out[0].count == 3);
  CHECK(out[0].reason == "no demand for 2 s (0 ready cores, 8 free): withdraw 3");
}

TEST_CASE("withdrawal keeps requests needed for min nodes", "[elastic]") {
  auto in = job(1, 100);
  in.min_nodes = 3;
  in.nodes_coming = 4;
  ElasticPolicy policy;
  policy.decide(in);
  in.now = 110;
  auto w = of(policy.decide(in), Kind::kWithdraw);
  REQUIRE(w.size() == 1);
  CHECK(w[0].count == 2);
}

TEST_CASE("a draining node is taken back before a new node is asked for", "[elastic]") {
  auto in = job(3);
  in.nodes[2].draining = true;
  in.free_cores = 0;
  ready(in, 12, 1, 60);  // 12 cores short: 2 nodes
  auto out = ElasticPolicy().decide(in);
  REQUIRE(of(out, Kind::kUndrain).size() == 1);
  CHECK(of(out, Kind::kUndrain)[0].node == NodeId(2));
  CHECK(grown(out) == 1);
  CHECK(of(out, Kind::kRelease).empty());
}

TEST_CASE("a quarantined node is not active, never taken back, and released once idle", "[elastic][quarantine]") {
  auto in = job(3);
  in.nodes[1].quarantined = true;  // busy: its last tasks still run
  in.nodes[2].quarantined = true;
  in.nodes[2].draining = true;     // drained before it was quarantined
  in.free_cores = 0;
  ready(in, 12, 1, 60);  // 12 cores short: with 1 active node of 8, growth is wanted
  auto out = ElasticPolicy().decide(in);
  CHECK(of(out, Kind::kUndrain).empty());  // a quarantined node takes no task: never undrained
  CHECK(grown(out) == 2);

  in.nodes[1].idle = true;
  in.nodes[1].idle_since = in.now;  // idle just now: no idle_release_s wait for a quarantined node
  ready(in, 0, 1, 0);
  out = ElasticPolicy().decide(in);
  REQUIRE(of(out, Kind::kRelease).size() == 1);
  CHECK(of(out, Kind::kRelease)[0].node == NodeId(1));
  CHECK(of(out, Kind::kRelease)[0].reason == "quarantined and idle: release");
  CHECK(of(out, Kind::kDrain).empty());

  in.nodes[0].quarantined = true;  // the job's own node is kept, quarantined or not
  in.nodes[0].idle = true;
  out = ElasticPolicy().decide(in);
  for (const auto& d : of(out, Kind::kRelease)) CHECK(d.node != NodeId(0));
  CHECK(grown(out) == 1);  // no active node left: below min-nodes 1
}

namespace {

// A toy job: nodes join `latency` after a grow, work is spread over nodes in id order, decisions are
// carried out at once. Counts what the policy did.
struct Sim {
  struct Node {
    NodeId id;
    bool draining = false;
    double idle_since = 0;
    bool idle = true;
  };
  std::vector<Node> nodes;
  std::vector<double> arrivals;  // times when requested nodes join
  std::uint32_t next_id = 0;
  std::uint32_t grows = 0, drains = 0, releases = 0, withdrawals = 0, peak = 0;
  double last_drain = -1, first_grow_after_drain = -1;
  ElasticPolicy policy;

  void tick(double now, std::uint64_t demand_cores) {
    std::erase_if(arrivals, [&](double t) {
      if (t > now) return false;
      nodes.push_back({NodeId(next_id++), false, now, true});
      return true;
    });
    ElasticInput in;
    in.now = now;
    in.min_nodes = 1;
    in.max_nodes = 8;
    in.max_in_flight = 4;
    in.join_latency_s = 5;
    in.idle_release_s = 60;
    in.new_node_cores = 8;
    in.nodes_coming = static_cast<std::uint32_t>(arrivals.size());
    std::uint64_t left = demand_cores;
    for (Node& n : nodes) {
      if (n.draining) continue;
      const std::uint64_t use = std::min<std::uint64_t>(left, 8);
      left -= use;
      in.free_cores += 8 - use;
      if (use > 0)
        n.idle = false;
      else if (!n.idle)
        n.idle = true, n.idle_since = now;
    }
    in.ready_tasks = left;
    in.ready_cores = left;
    in.ready_work_core_s = static_cast<double>(left) * 300;  // tasks of 5 minutes
    for (const Node& n : nodes) in.nodes.push_back({n.id, n.id == NodeId(0), 8, n.draining, n.idle, n.idle_since});
    apply(now, policy.decide(in));
    peak = std::max(peak, static_cast<std::uint32_t>(nodes.size()));
  }

  void apply(double now, const std::vector<ElasticDecision>& out) {
    for (const ElasticDecision& d : out) {
      auto node = std::find_if(nodes.begin(), nodes.end(), [&](const Node& n) { return n.id == d.node; });
      switch (d.kind) {
        case Kind::kGrow:
          ++grows;
          if (last_drain >= 0 && first_grow_after_drain < 0) first_grow_after_drain = now;
          for (std::uint32_t i = 0; i < d.count; ++i) arrivals.push_back(now + 5);
          break;
        case Kind::kWithdraw:
          ++withdrawals;
          arrivals.resize(arrivals.size() - std::min<std::size_t>(d.count, arrivals.size()));
          break;
        case Kind::kDrain:
          ++drains, last_drain = now, node->draining = true;
          break;
        case Kind::kUndrain:
          node->draining = false;
          break;
        case Kind::kRelease:
          ++releases, nodes.erase(node);
          break;
      }
    }
  }
};

}  // namespace

TEST_CASE("a job does not oscillate under bursty or flickering demand", "[elastic][sim]") {
  Sim sim;
  sim.nodes.push_back({NodeId(sim.next_id++), false, 0, true});
  double t = 0;
  // Bursts: 32 cores of work for 30 s, nothing for 30 s, five times; nodes never idle for 60 s.
  for (; t < 300; t += 2) sim.tick(t, static_cast<long>(t) % 60 < 30 ? 32 : 0);
  CHECK(sim.grows <= 2);
  CHECK(sim.drains == 0);
  CHECK(sim.peak == 4);
  // Flicker around the job's capacity: one core more or less every tick.
  const std::uint32_t grows_before = sim.grows;
  for (; t < 600; t += 2) sim.tick(t, static_cast<long>(t / 2) % 2 ? 33 : 31);
  CHECK(sim.grows - grows_before <= 1);
  CHECK(sim.withdrawals <= 1);
  // Demand ends: the job shrinks to its first node once, and asks for nothing meanwhile.
  const std::uint32_t grows_at_end = sim.grows;
  for (; t < 900; t += 2) sim.tick(t, 0);
  CHECK(sim.grows == grows_at_end);
  CHECK(sim.nodes.size() == 1);
  CHECK(sim.nodes[0].id == NodeId(0));
  CHECK(sim.releases == sim.drains);
}

// A job may hold part of a shared node (1 CPU of n1) beside whole nodes it was granted: the policy counts
// each node's own cores, and asks for nodes by the cores a new one brings.
TEST_CASE("a job on one CPU of a shared node grows by whole nodes of their real size", "[elastic]") {
  ElasticInput in = job(0);
  in.max_nodes = 16;
  in.new_node_cores = 2;
  in.nodes.push_back({NodeId(0), true, 1, false, false, 0});  // the job's own CPU, busy
  ready(in, 6, 1, 30);                                         // 6 cores wide, 180 core-s
  ElasticPolicy policy;
  CHECK(grown(policy.decide(in)) == 3);  // 6 cores / 2 per new node; not 6 "nodes" of 1 core

  in.new_node_cores = 8;
  ElasticPolicy policy8;
  CHECK(grown(policy8.decide(in)) == 1);
}

TEST_CASE("the job's own nodes are never drained; granted ones are, whatever their size", "[elastic]") {
  ElasticInput in = job(0, 1000);
  in.new_node_cores = 2;
  in.nodes.push_back({NodeId(0), true, 1, false, true, 0});   // own, part of a node, idle
  in.nodes.push_back({NodeId(1), true, 2, false, true, 0});   // own (a -N2 job's second node), idle
  in.nodes.push_back({NodeId(2), false, 2, false, true, 0});  // granted, idle
  in.nodes.push_back({NodeId(3), false, 1, false, true, 0});  // granted with one CPU, idle
  in.free_cores = 6;
  ElasticPolicy policy;
  auto drains = of(policy.decide(in), Kind::kDrain);
  std::vector<NodeId> drained;
  for (const auto& d : drains) drained.push_back(d.node);
  std::sort(drained.begin(), drained.end());
  CHECK(drained == std::vector<NodeId>{NodeId(2), NodeId(3)});

  // Ready work for 5 of the 6 free cores leaves 1 spare: the 1-core node goes, the 2-core one stays.
  ElasticInput busy = in;
  busy.ready_cores = 5;
  busy.ready_tasks = 5;
  ElasticPolicy policy2;
  auto some = of(policy2.decide(busy), Kind::kDrain);
  REQUIRE(some.size() == 1);
  CHECK(some[0].node == NodeId(3));

  // Draining kept nodes by the policy's own release never happens either.
  in.nodes[1].draining = true;
  ElasticPolicy policy3;
  for (const auto& d : of(policy3.decide(in), Kind::kRelease)) CHECK(d.node != NodeId(1));
}

TEST_CASE("a ready task wider than the job in nodes makes it grow, in merge mode only", "[elastic][mpi]") {
  // One node with 8 free cores; an MPI task of 2 ranks asks for 2 nodes: cores are not short, nodes are.
  auto in = job(1);
  idle(in, 0, 990);
  ready(in, 1, 2, 60);
  in.widest_nodes = 2;
  ElasticPolicy merge;
  auto d = merge.decide(in);
  REQUIRE(grown(d) == 1);
  CHECK(of(d, Kind::kGrow)[0].reason.find("a ready task needs 2 nodes, the job has 1") != std::string::npos);
  // Already coming: nothing more.
  in.nodes_coming = 1;
  CHECK(grown(ElasticPolicy().decide(in)) == 0);
  // Helper mode: a helper job's node could not join that task's step, so growing would not help it.
  in.nodes_coming = 0;
  in.grown_nodes_join_job = false;
  CHECK(grown(ElasticPolicy().decide(in)) == 0);
  // Nor does a task that fits in the nodes there are.
  in.grown_nodes_join_job = true;
  in.widest_nodes = 1;
  CHECK(grown(ElasticPolicy().decide(in)) == 0);
}
