// sim.h - the discrete-event simulation behind compss-sim: a workflow with known task durations run
// through the real Scheduler facade on simulated nodes, with a simulated clock and node-join latency.
//
// The simulation plays the daemon: it submits every task at t = 0, calls decide(now), reports each
// start at once and each finish after the task's duration, turns Grow decisions into nodes that join
// `join_latency_s` later (Withdraw cancels the latest of them), and Release decisions into nodes
// leaving. Between events it advances the clock to the next event (and, when elastic, to the next
// policy tick).
//
// Figures: makespan, node-seconds (from a node's join to its release or the end), utilisation (busy
// core-seconds over node-core-seconds) and the lower bound on the makespan: the larger of the critical
// path by durations and the total work spread over the largest job's cores.
//
// Failure behaviour: run_simulation() returns an error when the workflow cannot finish (a task that
// fits no node, a submission the scheduler rejects).
// Thread-safety: pure computation; one call per thread.
#pragma once

#include <cstdint>
#include <string>

#include "common/util/result.h"
#include "common/util/runtime_options.h"
#include "scheduler/ready_queue.h"
#include "tools/workflow.h"

namespace compss::tools {

struct SimConfig {
  bool elastic = false;
  std::uint32_t nodes = 4;      // static: the job's nodes; elastic: the most it may grow to
  std::uint32_t min_nodes = 1;  // elastic: the nodes it starts with
  std::uint32_t cores = 32;     // per node
  double join_latency_s = 30;   // from a grow decision to the node joining
  double idle_release_s = kDefaultIdleReleaseS;
  double tick_s = 2;  // elastic policy period
  std::uint32_t max_in_flight = 16;
  scheduler::PlacementPolicy policy = scheduler::PlacementPolicy::kCriticalPath;
};

struct SimResult {
  std::uint64_t tasks = 0, done = 0;
  double makespan_s = 0;
  double node_seconds = 0;
  double busy_core_seconds = 0;
  double utilisation = 0;  // busy core-seconds / (node-seconds * cores)
  double critical_path_s = 0;
  double total_work_core_s = 0;
  double lower_bound_s = 0;
  std::uint32_t grows = 0, releases = 0, peak_nodes = 0;
  std::uint64_t decisions = 0;  // decide() calls
};

Result<SimResult> run_simulation(const SimConfig& cfg, TaskSource& source);

}  // namespace compss::tools
