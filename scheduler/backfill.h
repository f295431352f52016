// backfill.h - reservations for a big task that has waited too long, so backfilling cannot starve it.
//
// Backfilling lets smaller ready tasks use free room the head of the queue cannot use yet. Once the head
// has been blocked longer than a bound, the scheduler plans a reservation: the earliest time the head
// would fit, on which nodes, judging by the estimated ends of the tasks running there. While it holds,
// another task may start only if it would end (by its estimate) before the reservation starts, or if it
// keeps off the reserved nodes; so, by the estimates, nothing delays the head.
//
// The plan counts cores, GPUs and memory per node (not exact ids, not custom resources): it is an
// estimate, recomputed on every decide() while the reservation holds.
//
// Failure behaviour: plan_reservation() returns nullopt when the request fits on too few nodes even
// once everything running has ended (the elasticity policy or explain deal with that).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/util/ids.h"
#include "scheduler/resources.h"

namespace compss::scheduler {

struct NodeLoad {
  struct Ending {
    double at = 0;  // estimated end, seconds
    std::uint32_t cores = 0;
    std::uint32_t gpus = 0;
    std::uint64_t memory = 0;
  };
  NodeId node;
  std::uint32_t free_cores = 0;
  std::uint32_t free_gpus = 0;
  std::uint64_t free_memory = 0;  // ignored when memory_accounted is false
  bool memory_accounted = false;
  std::vector<Ending> ending;  // the tasks running there
};

struct Reservation {
  TaskId task;
  double start = 0;           // estimated time the task can start
  std::vector<NodeId> nodes;  // where it will start; ascending
};

// Ranks per node and nodes a request needs, as the plan counts them.
struct RequestShape {
  std::uint32_t nodes = 1;
  std::uint32_t ranks_per_node = 1;
};
RequestShape shape_of(const ResourceRequest& req);

// When, at the earliest (not before `now`), `req` fits on the nodes in `loads`, and where.
std::optional<Reservation> plan_reservation(TaskId task, const ResourceRequest& req, std::vector<NodeLoad> loads,
                                            double now);

}  // namespace compss::scheduler
