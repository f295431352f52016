// grow_plan.h - how many nodes a grow decision asks for once SLURM has said when they would start.
//
// The elasticity policy (elastic.h) sizes a grow decision with the join latency it has measured. Before
// anything is asked for, the connector can ask slurmctld when a request of n nodes would start (its
// will-run test). plan_grow() re-sizes the decision with that start delay: the nodes worth asking for are
// those that would still find work when they arrive,
//
//   arrival(d) = d + join_latency                   (SLURM's start delay, then agent start and merge)
//   worth(d)   = min(width, ceil((W / arrival(d) - C) / c))   when W / C > arrival(d), else 0
//
// with W the core-seconds of ready and unlocked work, C the cores there are and coming, c a new node's
// cores and width the nodes the waiting work is wide; never fewer than `required` (min-nodes, a ready
// task's --nodes) and never more than the decision's count. A forecast later than the work lasts asks for
// half as many nodes (a smaller request may start sooner), at most max_queries forecasts in all; when
// even one node would come too late, nothing is asked for.
//
// Failure behaviour: a forecast that is not known (nullopt: the query failed, the site does not answer
// it) leaves the decision as the policy sized it, and the plan says so.
// Thread-safety: pure; the forecast callback is called on the caller's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace compss::scheduler {

// What a grow decision rests on, carried with it so that it can be re-sized later.
struct GrowNeed {
  double work_core_s = 0;           // W: ready work and the work it unlocks
  std::uint64_t cores = 0;          // C: cores of the active nodes and of the nodes coming
  std::uint32_t cores_per_node = 1; // c
  double join_latency_s = 0;        // request -> node ready when SLURM starts the request at once
  std::uint32_t width_nodes = 0;    // nodes the waiting work is wide (beyond the cores there are)
  std::uint32_t required = 0;       // nodes wanted whatever the wait (below min-nodes, a wide MPI task)
};

// The nodes worth asking for when SLURM would start them `delay_s` from now, at most `count`.
std::uint32_t nodes_worth(const GrowNeed& need, std::uint32_t count, double delay_s);

struct GrowPlan {
  std::uint32_t count = 0;           // nodes to ask for; 0: none
  std::optional<double> delay_s;     // SLURM's forecast for `count` (or for the last size asked about)
  std::uint32_t queries = 0;         // forecasts asked for
  // count 0: how long to hold growth (asking again at once would get the same answer): half the
  // forecast wait, 5..60 s.
  double hold_s = 0;
  std::string why;                   // "SLURM expects them in 12 s; 38000 core-seconds of work (...)"
};

// `forecast(n)`: seconds until SLURM would start a request of n nodes (0: now), nullopt when unknown.
using Forecast = std::function<std::optional<double>(std::uint32_t nodes)>;

GrowPlan plan_grow(const GrowNeed& need, std::uint32_t count, const Forecast& forecast, std::uint32_t max_queries = 3);

// A number for the policy's reason texts: one decimal below 10 when it has a fraction, else none; "inf".
std::string elastic_num(double v);

}  // namespace compss::scheduler
