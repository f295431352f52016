// sim.h - the discrete-event simulation behind compss-sim: a workflow with known task durations run
// through the real Scheduler facade on simulated nodes, with a simulated clock and a simulated SLURM queue.
//
// The simulation plays the daemon: it submits every task at t = 0, calls decide(now), reports each
// start at once and each finish after the task's duration, and Release decisions into nodes leaving.
// A Grow decision is carried out as requests of at most `request_nodes` nodes (grow_requests.h): each
// request starts after a start delay drawn from the queue model, and its nodes join together `boot_s`
// after that. With `forecast` on, the decision is first re-sized with plan_grow() and a perfect forecast
// (the delays the requests will get); a plan of no nodes makes no request and holds growth
// (Scheduler::set_grow_hold) for half the forecast delay, 5 to 60 s. Withdraw cancels the newest pending
// requests, a whole request at a time. The scheduler is told the nodes pending before each decide().
// Between events the clock advances to the next event (and, when elastic, to the next policy tick).
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
#include <functional>
#include <string>
#include <string_view>

#include "common/util/result.h"
#include "common/util/runtime_options.h"
#include "scheduler/ready_queue.h"
#include "tools/queue_model.h"
#include "tools/workflow.h"

namespace compss::tools {

struct SimConfig {
  bool elastic = false;
  std::uint32_t nodes = 4;      // static: the job's nodes; elastic: the most it may grow to
  std::uint32_t min_nodes = 1;  // elastic: the nodes it starts with
  std::uint32_t cores = 32;     // per node
  QueueSpec queue;              // start delay of each grow request (default fixed 30 s)
  double boot_s = 0;            // from SLURM starting a request to its nodes being ready
  std::uint32_t request_nodes = 64;  // the most nodes one grow request asks for
  bool forecast = true;              // re-size grow decisions with plan_grow() and a perfect forecast
  std::uint64_t seed = 1;            // of the queue model
  double idle_release_s = kDefaultIdleReleaseS;
  double tick_s = 2;                 // elastic policy period
  std::uint32_t max_in_flight = 0;   // nodes asked for and not yet joined, at most; 0: `nodes`
  scheduler::PlacementPolicy policy = scheduler::PlacementPolicy::kCriticalPath;
  // Called with every grow, plan, decline and withdrawal (compss-sim --trace-elastic); may be empty.
  std::function<void(double now, std::string_view line)> trace;
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
  std::uint32_t grows = 0;           // nodes asked for
  std::uint32_t grow_rpcs = 0;       // grow requests made
  std::uint32_t grows_declined = 0;  // grow decisions the forecast turned down (no request made)
  std::uint32_t withdrawn = 0;       // nodes withdrawn before they joined
  std::uint32_t releases = 0, peak_nodes = 0;
  std::uint64_t decisions = 0;  // decide() calls
};

Result<SimResult> run_simulation(const SimConfig& cfg, TaskSource& source);

}  // namespace compss::tools
