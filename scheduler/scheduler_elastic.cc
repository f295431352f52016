// scheduler_elastic.cc - the ElasticPolicy's input, computed from the graph, and its decisions.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "scheduler/scheduler.h"

namespace compss::scheduler {
namespace {

// Sampling bounds keep the input's cost flat for graphs of millions of tasks.
constexpr std::size_t kUnlockSample = 4096;
constexpr std::size_t kSuccessorsPerTask = 64;
// The least a task of a name no task has finished is taken to last, for growth.
constexpr double kMinGuessS = 1;

}  // namespace

// A name no task has finished, with no declared time, is taken to last as long as the longest run of
// that name so far (a lower bound), at least kMinGuessS, never more than the default estimate: nodes
// bought for durations nobody has seen yet would mostly sit idle (60 s assumed for 1-second tasks made a
// simulated job grow to the graph's full width, tools/compss-sim.md). The guess rises while they run.
Scheduler::WorkGuess Scheduler::work_guess(double now) const {
  WorkGuess g;
  running_.for_each([&](const RunSlot& r) {
    if (r.started_at < 0) return;
    const std::uint32_t name = graph_.name_id(r.task);
    if (estimates_.known(name) || estimates_.declared(name)) return;
    double& longest = g.ran_for[name];
    longest = std::max(longest, now - r.started_at);
  });
  return g;
}

double Scheduler::guess(const WorkGuess& g, TaskId t) const {
  const std::uint32_t name = graph_.name_id(t);
  const double e = estimates_.of(name);
  if (estimates_.known(name) || estimates_.declared(name)) return e;
  auto it = g.ran_for.find(name);
  return std::min(e, std::max(kMinGuessS, it == g.ran_for.end() ? 0.0 : it->second));
}

double Scheduler::ready_work_core_s(const WorkGuess& g) const {
  double work = 0;
  for (std::uint64_t key : ready_.entries()) {
    const TaskId t(static_cast<std::uint32_t>(key));
    if (graph_.state(t) != TaskState::kReady) continue;
    work += guess(g, t) * static_cast<double>(cores_of(graph_.request(t)));
  }
  return work;
}

// Work that becomes ready once the ready work is done: pending successors of ready tasks whose other
// unfinished predecessors are all ready or in flight. Sampled over at most kUnlockSample ready tasks
// and scaled up.
double Scheduler::unlocked_work_core_s(const WorkGuess& g) const {
  std::unordered_set<std::uint32_t> seen;
  double work = 0;
  std::size_t sampled = 0, ready = 0;
  for (std::uint64_t key : ready_.entries()) {
    const TaskId t(static_cast<std::uint32_t>(key));
    if (graph_.state(t) != TaskState::kReady) continue;
    ++ready;
    if (sampled == kUnlockSample) continue;
    ++sampled;
    std::size_t n = 0;
    graph_.for_each_successor(t, [&](TaskId s) {
      if (n++ >= kSuccessorsPerTask || graph_.state(s) != TaskState::kPending) return;
      if (!seen.insert(s.value()).second) return;
      bool unlocked = true;
      graph_.for_each_predecessor(s, [&](TaskId p) {
        const TaskState ps = graph_.state(p);
        if (ps == TaskState::kPending || graph_.has_flag(p, TaskGraph::kHeld)) unlocked = false;
      });
      if (unlocked) work += guess(g, s) * static_cast<double>(cores_of(graph_.request(s)));
    });
  }
  return sampled == 0 ? 0 : work * static_cast<double>(ready) / static_cast<double>(sampled);
}

ElasticInput Scheduler::elastic_input(double now) const {
  ElasticInput in;
  in.now = now;
  in.min_nodes = cfg_.min_nodes;
  in.max_nodes = cfg_.max_nodes;
  in.nodes_coming = nodes_coming_;
  in.held_unusable = nodes_unusable_;
  in.max_in_flight = cfg_.max_in_flight;
  in.join_latency_s = join_latency_s_;
  in.grow_hold_until = grow_hold_until_;
  in.idle_release_s = cfg_.idle_release_s;
  in.new_node_cores = cfg_.new_node_cores ? cfg_.new_node_cores : pool_.typical_cores();
  in.ready_tasks = graph_.count(TaskState::kReady);
  in.ready_cores = ready_cores_;
  in.free_cores = pool_.free_cores();
  const WorkGuess g = work_guess(now);
  in.ready_work_core_s = ready_work_core_s(g);
  in.unlocked_work_core_s = unlocked_work_core_s(g);
  in.grown_nodes_join_job = cfg_.grown_nodes_join_job;
  // Few distinct shapes: the widest one with ready tasks.
  for (std::uint32_t s = 0; s < ready_per_shape_.size(); ++s) {
    if (ready_per_shape_[s] == 0) continue;
    const ResourceRequest& r = graph_.shapes().get(s);
    std::uint32_t n = r.nodes;
    if (r.ranks_per_node > 0 && r.ranks > r.ranks_per_node) n = std::max(n, (r.ranks + r.ranks_per_node - 1) / r.ranks_per_node);
    in.widest_nodes = std::max(in.widest_nodes, n);
  }
  for (NodeId n : pool_.live_nodes()) {
    const NodeBook& b = nodes_[n.value()];
    in.nodes.push_back(NodeState{n, !b.releasable || n == first_node_, static_cast<std::uint32_t>(pool_.desc(n).cores.size()),
                                 pool_.is_draining(n), pool_.is_idle(n), b.idle_since, pool_.is_quarantined(n)});
  }
  return in;
}

void Scheduler::run_elastic(double now, std::vector<Decision>& out) {
  if (now - last_elastic_at_ < cfg_.elastic_period_s) return;
  last_elastic_at_ = now;
  for (ElasticDecision& d : elastic_.decide(elastic_input(now))) {
    switch (d.kind) {
      case ElasticDecision::Kind::kGrow:
        nodes_coming_ += d.count;
        out.emplace_back(std::in_place_type<GrowNodes>, GrowNodes{d.count, std::move(d.reason), d.need});
        break;
      case ElasticDecision::Kind::kWithdraw:
        nodes_coming_ -= d.count < nodes_coming_ ? d.count : nodes_coming_;
        out.emplace_back(std::in_place_type<WithdrawGrow>, WithdrawGrow{d.count, std::move(d.reason)});
        break;
      case ElasticDecision::Kind::kDrain:
        if (!pool_.is_live(d.node)) break;
        pool_.set_draining(d.node, true);
        out.emplace_back(std::in_place_type<DrainNode>, DrainNode{d.node, std::move(d.reason)});
        break;
      case ElasticDecision::Kind::kUndrain:
        if (!pool_.is_live(d.node)) break;
        pool_.set_draining(d.node, false);
        out.emplace_back(std::in_place_type<UndrainNode>, UndrainNode{d.node, std::move(d.reason)});
        break;
      case ElasticDecision::Kind::kRelease:
        // Only an idle node is released; its id is never reused, so later reports about it are errors.
        if (!pool_.is_live(d.node) || !pool_.is_idle(d.node)) break;
        pool_.remove_node(d.node);
        out.emplace_back(std::in_place_type<ReleaseNode>, ReleaseNode{d.node, std::move(d.reason)});
        break;
    }
  }
}

}  // namespace compss::scheduler
