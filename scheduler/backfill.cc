// backfill.cc - planning a reservation from the estimated ends of running tasks.
#include "scheduler/backfill.h"

#include <algorithm>
#include <limits>

namespace compss::scheduler {
namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();

struct Need {
  std::uint64_t cores, gpus, memory;
};

bool fits(const NodeLoad& n, std::uint64_t cores, std::uint64_t gpus, std::uint64_t memory, const Need& need) {
  return cores >= need.cores && gpus >= need.gpus && (!n.memory_accounted || memory >= need.memory);
}

// The earliest time node `n` has room for `need`, adding back what its tasks free as they end.
double earliest_fit(NodeLoad& n, const Need& need, double now) {
  std::uint64_t cores = n.free_cores, gpus = n.free_gpus, memory = n.free_memory;
  if (fits(n, cores, gpus, memory, need)) return now;
  std::sort(n.ending.begin(), n.ending.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
  for (const NodeLoad::Ending& e : n.ending) {
    cores += e.cores;
    gpus += e.gpus;
    memory += e.memory;
    if (fits(n, cores, gpus, memory, need)) return std::max(now, e.at);
  }
  return kNever;
}

}  // namespace

RequestShape shape_of(const ResourceRequest& req) {
  RequestShape s;
  const std::uint32_t ranks = std::max<std::uint32_t>(req.ranks, 1);
  if (req.nodes >= 1) {
    s.nodes = req.nodes;
    s.ranks_per_node = req.ranks_per_node > 0 ? req.ranks_per_node : (ranks + req.nodes - 1) / req.nodes;
  } else {
    s.ranks_per_node = req.ranks_per_node > 0 ? req.ranks_per_node : 1;
    s.nodes = (ranks + s.ranks_per_node - 1) / s.ranks_per_node;
  }
  return s;
}

std::optional<Reservation> plan_reservation(TaskId task, const ResourceRequest& req, std::vector<NodeLoad> loads,
                                            double now) {
  const RequestShape shape = shape_of(req);
  const Need need{std::uint64_t{req.cpus} * shape.ranks_per_node, std::uint64_t{req.gpus} * shape.ranks_per_node,
                  req.memory * shape.ranks_per_node};
  std::vector<std::pair<double, NodeId>> when;
  when.reserve(loads.size());
  for (NodeLoad& n : loads) {
    double t = earliest_fit(n, need, now);
    if (t != kNever) when.emplace_back(t, n.node);
  }
  if (when.size() < shape.nodes) return std::nullopt;
  std::partial_sort(when.begin(), when.begin() + shape.nodes, when.end());
  Reservation r;
  r.task = task;
  for (std::uint32_t i = 0; i < shape.nodes; ++i) {
    r.start = std::max(r.start, when[i].first);
    r.nodes.push_back(when[i].second);
  }
  std::sort(r.nodes.begin(), r.nodes.end());
  return r;
}

}  // namespace compss::scheduler
