// elastic.h - the elasticity policy: when to grow the job, which node to drain and release, when to
// withdraw grow requests.
//
// Pure: the caller (the daemon, on a periodic tick) fills an ElasticInput from the scheduler and the
// connector, passes the time, and carries out the decisions. A grow decision says how many nodes and what
// the count rests on (GrowNeed, grow_plan.h), so that the daemon can re-size it once SLURM has said when
// the nodes would start; how it is split into requests is the daemon's business.
//
// Rules (every decision carries a one-line reason for `compss nodes` and the log):
//  - Grow when ready work cannot start on the free cores (or the work it unlocks is wider than the
//    job) AND the work would last longer than one join latency on the cores there are. Size: the
//    smaller of the cores the waiting work is wide (ready cores beyond the free ones; or the unlocked
//    work's estimated width beyond all cores, estimated with the mean ready-task length) and the cores
//    that would keep working for a whole join latency after joining (work / join latency, less the
//    cores there are); both less the cores of outstanding requests (nodes coming). Bounded by
//    max_nodes (live + coming + new) and max_in_flight (nodes asked for and not yet joined). Below
//    min_nodes: grow to min_nodes. Before grow_hold_until (SLURM said the nodes would come too late to
//    pay off) only the nodes required whatever the wait are asked for.
//    A draining node is taken back (kUndrain) before any new node is asked for.
//  - Drain a node that has been idle for idle_release_s, never a kept node (the job's own nodes: only
//    nodes that came whole from grow requests are given back), never below min_nodes,
//    only while the free cores left after it still hold all the ready work; release (kRelease) a
//    draining node once it is idle (the daemon may have drained it, too).
//  - A quarantined node (the scheduler places nothing on it, states.md section 5) is not active: its
//    cores do not count, it is never drained or undrained, and one that came from a grow request is
//    released as soon as it is idle (never a kept node). It still counts against max_nodes while held.
//  - Withdraw outstanding requests when demand vanished: no grow condition (above) has held for a
//    whole join latency (the nodes would arrive to nothing); never below min_nodes.
//  - Hysteresis: no drain until join_latency_s + idle_release_s after the last grow (the nodes asked for
//    have had time to come and prove idle); after a drain or a withdraw, no grow within idle_release_s
//    unless demand clearly rose: the ready cores exceed those at that shrink by at least one new node's
//    cores.
//  - Cores are counted per node: a job may hold part of a shared node (1 CPU of n1) and whole nodes it
//    was granted. `cores` of the active nodes is their sum; a node asked for brings new_node_cores. A flicker of demand around the free cores therefore neither asks nor withdraws repeatedly.
//
// Lifecycle: one ElasticPolicy per job; decide() on every tick with increasing `now`.
// Failure behaviour: never fails; inconsistent inputs (more outstanding than allowed, no nodes) give
// no decision or a conservative one.
// Thread-safety: none; decide() keeps hysteresis state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/util/ids.h"
#include "common/util/runtime_options.h"
#include "scheduler/grow_plan.h"

namespace compss::scheduler {

struct NodeState {
  NodeId node;
  bool keep = false;   // never released: one of the job's own nodes (the daemon runs on the first)
  std::uint32_t cores = 0;  // the cores it offers
  bool draining = false;
  bool idle = false;      // nothing allocated on it
  double idle_since = 0;  // seconds; meaningful when idle
  bool quarantined = false;  // takes no new task for the rest of the run
};

struct ElasticInput {  // all times in seconds since the run started
  double now = 0;
  std::uint32_t min_nodes = 1, max_nodes = 1;
  std::uint32_t nodes_coming = 0;    // nodes asked for and not yet joined
  std::uint32_t max_in_flight = 1;   // the most nodes asked for and not yet joined at once
  double grow_hold_until = -1;       // no growth beyond what is required before this time
  std::uint32_t held_unusable = 0;   // nodes of the job not in `nodes` (lost own nodes): count to max_nodes
  double join_latency_s = 30;        // measured (or estimated) time from request to node ready
  double idle_release_s = kDefaultIdleReleaseS;  // release a node after it was idle this long
  std::uint32_t new_node_cores = 1;  // the cores one granted node brings
  std::uint64_t ready_tasks = 0;     // ready (not yet placed) tasks; for the reason text only
  std::uint64_t ready_cores = 0;     // sum of cores requested by ready (not yet placed) tasks
  std::uint64_t free_cores = 0;      // free cores on live nodes neither draining nor quarantined
  double ready_work_core_s = 0;      // estimated core-seconds of ready work
  double unlocked_work_core_s = 0;   // estimated core-seconds that finishing the ready work unlocks
  // The most nodes one ready task needs (an MPI task's --nodes K, or its ranks over --ranks-per-node);
  // 0 or 1: none needs more than one. Grown nodes serve it only when they join the job's own
  // allocation (merge mode): in helper mode each grant is a job of its own, which no step can span.
  std::uint32_t widest_nodes = 0;
  bool grown_nodes_join_job = true;
  std::vector<NodeState> nodes;      // live nodes, draining and quarantined ones included
};

struct ElasticDecision {
  enum class Kind {
    kGrow,      // ask SLURM for `count` more nodes (`need`: what the count rests on)
    kDrain,     // stop placing on `node`; released once idle
    kRelease,   // give `node` back to SLURM (it is draining or quarantined, and idle)
    kWithdraw,  // cancel `count` outstanding grow requests
    kUndrain,   // demand is back: place on draining `node` again instead of growing
  };
  Kind kind = Kind::kGrow;
  std::uint32_t count = 0;  // kGrow, kWithdraw
  NodeId node;              // kDrain, kRelease, kUndrain
  std::string reason;       // "12 ready tasks need 24 cores, 4 free; est. 90 s of work > join latency 2 s: +3 nodes"
  GrowNeed need;            // kGrow
};

const char* to_string(ElasticDecision::Kind kind);  // "grow", "drain", ...

class ElasticPolicy {
 public:
  // Decisions for this tick, in the order to carry them out (withdraw, undrain, grow, drain, release).
  std::vector<ElasticDecision> decide(const ElasticInput& in);

 private:
  void withdraw(const ElasticInput& in, std::uint32_t active, bool demand, std::vector<ElasticDecision>& out);
  void drain_idle(const ElasticInput& in, std::uint32_t active, std::vector<ElasticDecision>& out);
  void release_drained(const ElasticInput& in, std::vector<ElasticDecision>& out) const;
  void shrunk(const ElasticInput& in);

  double last_grow_at_ = -1e300;       // when the last kGrow / kUndrain was decided
  double last_shrink_at_ = -1e300;     // when the last kDrain / kWithdraw was decided
  std::uint64_t ready_at_shrink_ = 0;  // ready cores at that shrink
  double no_demand_since_ = -1;        // since when no grow condition held; < 0 while one does
};

}  // namespace compss::scheduler
