// The elasticity policy. The rules are written down in elastic.h; this file follows them in order:
// withdraw, undrain, grow, drain, release.
#include "scheduler/elastic.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace compss::scheduler {

const char* to_string(ElasticDecision::Kind kind) {
  switch (kind) {
    case ElasticDecision::Kind::kGrow:
      return "grow";
    case ElasticDecision::Kind::kDrain:
      return "drain";
    case ElasticDecision::Kind::kRelease:
      return "release";
    case ElasticDecision::Kind::kWithdraw:
      return "withdraw";
    case ElasticDecision::Kind::kUndrain:
      return "undrain";
  }
  return "?";
}

namespace {

using Kind = ElasticDecision::Kind;

std::string nodes_word(std::uint64_t n) {
  return std::to_string(n) + (n == 1 ? " node" : " nodes");
}

// What the input says about demand, computed once per tick.
struct Demand {
  std::uint32_t live = 0, active = 0;  // live nodes; those neither draining nor quarantined
  std::uint64_t cpn = 1;               // cores a new node brings
  std::uint64_t cores = 0;             // cores of the active nodes
  std::uint64_t coming_cores = 0;      // cores of outstanding requests
  double work = 0;                     // ready + unlocked core-seconds
  double drain_s = 0;                  // time to do `work` on `cores`
  std::uint64_t unlocked_width = 0;    // cores the unlocked work would keep busy
  std::uint64_t width_gap = 0;         // cores the waiting work is wider than what there is
  std::uint64_t node_gap = 0;          // nodes a ready task needs beyond the active ones
  bool present = false;                // growing would help (ignoring nodes coming)
};

Demand assess(const ElasticInput& in) {
  Demand d;
  d.live = static_cast<std::uint32_t>(in.nodes.size());
  for (const NodeState& n : in.nodes) {
    if (n.draining || n.quarantined) continue;
    ++d.active;
    d.cores += n.cores;
  }
  d.cpn = std::max<std::uint32_t>(1, in.new_node_cores);
  d.coming_cores = std::uint64_t{in.nodes_coming} * d.cpn;
  d.work = std::max(0.0, in.ready_work_core_s) + std::max(0.0, in.unlocked_work_core_s);
  d.drain_s = d.cores > 0 ? d.work / static_cast<double>(d.cores) : INFINITY;
  // The unlocked work is assumed as long per core as the ready work, so its width follows.
  if (in.ready_cores > 0 && in.ready_work_core_s > 0) {
    const double mean_s = in.ready_work_core_s / static_cast<double>(in.ready_cores);
    d.unlocked_width = static_cast<std::uint64_t>(std::ceil(std::max(0.0, in.unlocked_work_core_s) / mean_s));
  }
  const std::uint64_t ready_gap = in.ready_cores > in.free_cores ? in.ready_cores - in.free_cores : 0;
  const std::uint64_t unlocked_gap = d.unlocked_width > d.cores ? d.unlocked_width - d.cores : 0;
  d.width_gap = std::max(ready_gap, unlocked_gap);
  if (in.grown_nodes_join_job && in.widest_nodes > d.active) d.node_gap = in.widest_nodes - d.active;
  d.present = (d.width_gap > 0 && d.drain_s > in.join_latency_s) || d.node_gap > 0;
  return d;
}

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) {
  return (a + b - 1) / b;
}

// Nodes worth asking for: the narrower of the width bound and the work bound, less nodes coming; and at
// least as many as the widest ready task lacks (it cannot run at all without them).
std::uint64_t nodes_wanted(const ElasticInput& in, const Demand& d, GrowNeed& need) {
  if (!d.present) return 0;
  const std::uint64_t width = d.width_gap > d.coming_cores ? d.width_gap - d.coming_cores : 0;
  const double latency = std::max(in.join_latency_s, 1e-3);
  const double busy_cores = d.work / latency - static_cast<double>(d.cores + d.coming_cores);
  const std::uint64_t by_work = busy_cores > 0 ? static_cast<std::uint64_t>(std::ceil(busy_cores)) : 0;
  const std::uint64_t by_cores = d.drain_s > in.join_latency_s ? ceil_div(std::min(width, by_work), d.cpn) : 0;
  const std::uint64_t by_nodes = d.node_gap > in.nodes_coming ? d.node_gap - in.nodes_coming : 0;
  need.work_core_s = d.work;
  need.cores = d.cores + d.coming_cores;
  need.cores_per_node = static_cast<std::uint32_t>(d.cpn);
  need.join_latency_s = in.join_latency_s;
  need.width_nodes = static_cast<std::uint32_t>(std::min<std::uint64_t>(ceil_div(width, d.cpn), std::numeric_limits<std::uint32_t>::max()));
  need.required = static_cast<std::uint32_t>(by_nodes);
  if (in.now < in.grow_hold_until) return by_nodes;  // SLURM said more nodes would come too late
  return std::max(by_cores, by_nodes);
}

std::string grow_reason(const ElasticInput& in, const Demand& d, std::uint64_t k) {
  std::string s = std::to_string(in.ready_tasks) + " ready tasks need " + std::to_string(in.ready_cores) + " cores, " +
                  std::to_string(in.free_cores) + " free";
  if (d.unlocked_width > d.cores) s += "; unlocked work ~" + std::to_string(d.unlocked_width) + " cores wide";
  if (d.node_gap > 0)
    s += "; a ready task needs " + nodes_word(in.widest_nodes) + ", the job has " + std::to_string(d.active);
  s += "; est. " + elastic_num(d.drain_s) + " s of work > join latency " + elastic_num(in.join_latency_s) + " s";
  if (in.nodes_coming > 0) s += ", " + std::to_string(in.nodes_coming) + " coming";
  return s + ": +" + nodes_word(k);
}

}  // namespace

std::vector<ElasticDecision> ElasticPolicy::decide(const ElasticInput& in) {
  std::vector<ElasticDecision> out;
  const Demand d = assess(in);

  withdraw(in, d.active, d.present, out);
  GrowNeed need;
  std::uint64_t want = nodes_wanted(in, d, need);
  const bool recently_shrunk = in.now - last_shrink_at_ < in.idle_release_s;
  const bool clearly_more = in.ready_cores >= ready_at_shrink_ + d.cpn;
  if (want > 0 && recently_shrunk && !clearly_more) want = 0;  // hysteresis after a shrink

  // A draining node comes back faster than a new one.
  for (const NodeState& n : in.nodes) {
    if (want == 0) break;
    if (!n.draining || n.quarantined) continue;
    out.push_back({Kind::kUndrain, 0, n.node,
                   "demand is back (" + std::to_string(in.ready_cores) + " ready cores, " +
                       std::to_string(in.free_cores) + " free): stop draining it", {}});
    --want;
    last_grow_at_ = in.now;
  }

  const std::uint32_t coming = in.nodes_coming;
  const std::uint64_t held = std::uint64_t{d.live} + in.held_unusable + coming;
  const std::uint64_t room_nodes = in.max_nodes > held ? in.max_nodes - held : 0;
  const std::uint64_t room_in_flight = in.max_in_flight > coming ? in.max_in_flight - coming : 0;
  const std::uint64_t below_min = in.min_nodes > d.active + coming ? in.min_nodes - d.active - coming : 0;
  const std::uint64_t grow = std::min({std::max(want, below_min), room_nodes, room_in_flight});
  if (grow > 0) {
    std::string why = want >= below_min
                          ? grow_reason(in, d, grow)
                          : nodes_word(d.active) + " (+" + std::to_string(coming) + " coming) below min-nodes " +
                                std::to_string(in.min_nodes) + ": +" + nodes_word(grow);
    if (grow < std::max(want, below_min))
      why += " (capped by max-nodes " + std::to_string(in.max_nodes) + ", at most " +
             std::to_string(in.max_in_flight) + " nodes in flight)";
    need.required = static_cast<std::uint32_t>(std::min<std::uint64_t>(std::max<std::uint64_t>(need.required, below_min), grow));
    out.push_back({Kind::kGrow, static_cast<std::uint32_t>(grow), NodeId{}, std::move(why), need});
    last_grow_at_ = in.now;
  }

  if (!d.present && want == 0 && grow == 0) drain_idle(in, d.active, out);
  release_drained(in, out);
  return out;
}

void ElasticPolicy::drain_idle(const ElasticInput& in, std::uint32_t active, std::vector<ElasticDecision>& out) {
  if (in.now < last_grow_at_ + in.join_latency_s + in.idle_release_s) return;  // hysteresis after a grow
  std::uint64_t spare = in.free_cores > in.ready_cores ? in.free_cores - in.ready_cores : 0;
  std::uint32_t above_min = active > in.min_nodes ? active - in.min_nodes : 0;

  std::vector<const NodeState*> idle;
  for (const NodeState& n : in.nodes) {
    if (!n.keep && !n.draining && !n.quarantined && n.idle && in.now - n.idle_since >= in.idle_release_s) {
      idle.push_back(&n);
    }
  }
  // Longest idle first; among equals the newest node.
  std::sort(idle.begin(), idle.end(), [](const NodeState* a, const NodeState* b) {
    return a->idle_since != b->idle_since ? a->idle_since < b->idle_since : a->node > b->node;
  });
  for (const NodeState* n : idle) {
    if (above_min == 0 || spare < n->cores) continue;
    out.push_back({Kind::kDrain, 0, n->node,
                   "idle " + elastic_num(in.now - n->idle_since) + " s >= " + elastic_num(in.idle_release_s) + " s; " +
                       std::to_string(in.free_cores) + " free cores, " + std::to_string(in.ready_cores) +
                       " wanted by ready work: drain", {}});
    --above_min;
    spare -= n->cores;
    shrunk(in);
  }
}

void ElasticPolicy::shrunk(const ElasticInput& in) {
  last_shrink_at_ = in.now;
  ready_at_shrink_ = in.ready_cores;
}

void ElasticPolicy::withdraw(const ElasticInput& in, std::uint32_t active, bool demand,
                             std::vector<ElasticDecision>& out) {
  if (demand) {
    no_demand_since_ = -1;
    return;
  }
  if (no_demand_since_ < 0) no_demand_since_ = in.now;
  const std::uint32_t coming = in.nodes_coming;
  if (coming == 0 || in.now - no_demand_since_ < in.join_latency_s || active + coming <= in.min_nodes) return;
  const std::uint32_t surplus = std::min(coming, active + coming - in.min_nodes);
  out.push_back({Kind::kWithdraw, surplus, NodeId{},
                 "no demand for " + elastic_num(in.now - no_demand_since_) + " s (" + std::to_string(in.ready_cores) +
                     " ready cores, " + std::to_string(in.free_cores) + " free): withdraw " + std::to_string(surplus), {}});
  shrunk(in);
}

void ElasticPolicy::release_drained(const ElasticInput& in, std::vector<ElasticDecision>& out) const {
  auto taken_back = [&](NodeId node) {
    return std::any_of(out.begin(), out.end(),
                       [&](const ElasticDecision& e) { return e.kind == Kind::kUndrain && e.node == node; });
  };
  for (const NodeState& n : in.nodes) {
    if (!n.idle || n.keep || taken_back(n.node)) continue;
    if (n.quarantined) {
      out.push_back({Kind::kRelease, 0, n.node, "quarantined and idle: release", {}});
    } else if (n.draining) {
      out.push_back({Kind::kRelease, 0, n.node, "drained and idle: release", {}});
    }
  }
}

}  // namespace compss::scheduler
