// What a person reads about a request: why it can never fit (check_request), why it does not fit now
// (why_not), and how a placement looks (describe).
#include <algorithm>
#include <string>

#include "scheduler/resources.h"
#include "scheduler/resources_impl.h"

namespace compss::scheduler {

std::string format_size(std::uint64_t bytes) {
  static const char* const kUnits[] = {"", "K", "M", "G", "T"};
  int u = 0;
  while (u < 4 && bytes != 0 && bytes % 1024 == 0) bytes /= 1024, ++u;
  return std::to_string(bytes) + kUnits[u];
}

std::string format_ids(const std::vector<std::uint32_t>& ids) {
  std::string s;
  for (std::size_t i = 0; i < ids.size();) {
    std::size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) ++j;
    if (!s.empty()) s += ',';
    s += std::to_string(ids[i]);
    if (j > i) s += '-' + std::to_string(ids[j]);
    i = j + 1;
  }
  return s;
}

std::string describe(const Placement& p, const ResourcePool& pool) {
  std::string s;
  for (const NodeSlot& slot : p.slots) {
    if (!s.empty()) s += "; ";
    s += pool.desc(slot.node).name + ":";
    if (slot.ranks != 1) s += " ranks " + std::to_string(slot.ranks);
    s += " cores " + format_ids(slot.cores);
    if (!slot.gpus.empty()) s += " gpus " + format_ids(slot.gpus);
    if (slot.memory > 0) s += " mem " + format_size(slot.memory);
    for (const auto& [name, amount] : slot.custom) s += " " + name + "=" + std::to_string(amount);
  }
  return s;
}

namespace {

std::string plural(std::uint64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "--cpus 4 --gpus 1": the options that shape the request, as the user would have typed them.
std::string flags(const ResourceRequest& req) {
  std::string s = "--cpus " + std::to_string(req.cpus);
  if (req.gpus > 0) s += " --gpus " + std::to_string(req.gpus);
  if (req.memory > 0) s += " --mem " + format_size(req.memory);
  for (const auto& [name, amount] : req.custom) s += " " + name + "=" + std::to_string(amount);
  if (req.nodes != 1) s += " --nodes " + std::to_string(req.nodes);
  if (req.ranks != 1) s += " --ranks " + std::to_string(req.ranks);
  if (req.ranks_per_node > 0) s += " --ranks-per-node " + std::to_string(req.ranks_per_node);
  return s;
}

// "4 cores, 1 GPU, 2G": what `ranks` ranks take on one node.
std::string amounts(const ResourceRequest& req, std::uint64_t ranks) {
  std::string s = plural(req.cpus * ranks, "core", "cores");
  if (req.gpus > 0) s += ", " + plural(req.gpus * ranks, "GPU", "GPUs");
  if (req.memory > 0) s += ", " + format_size(req.memory * ranks) + " memory";
  for (const auto& [name, amount] : req.custom) s += ", " + name + "=" + std::to_string(amount * ranks);
  return s;
}

// Ranks of `req` a node could hold when empty.
std::uint64_t total_room(const NodeRec& r, const ResourceRequest& req) {
  std::uint64_t room = r.ncores() / req.cpus;
  if (req.gpus > 0) room = std::min<std::uint64_t>(room, r.desc.gpus.size() / req.gpus);
  if (req.memory > 0 && r.desc.memory > 0) room = std::min(room, r.desc.memory / req.memory);
  for (const auto& [name, amount] : req.custom) {
    if (amount == 0) continue;
    auto i = r.custom_index(name);
    room = i == bits::kNone ? 0 : std::min(room, r.desc.custom[i].second / amount);
  }
  return room;
}

Status check_consistent(const ResourceRequest& req) {
  if (req.cpus == 0) return fail("--cpus 0: a task needs at least one core");
  if (req.ranks == 0) return fail("--ranks 0: a task needs at least one rank");
  if (req.nodes > req.ranks) return fail(flags(req), ": each node needs at least one rank");
  if (req.nodes > 0 && req.ranks_per_node > 0 && req.nodes * req.ranks_per_node != req.ranks) {
    return fail(flags(req), ": ranks must equal nodes x ranks-per-node (",
                std::to_string(req.nodes * req.ranks_per_node), ")");
  }
  return ok_status();
}

struct Largest {
  std::uint64_t cores = 0, gpus = 0, memory = 0;
  bool memory_unaccounted = false;
};

// The nodes a check looks at: every live node, or only those outside quarantine.
bool counted(const NodeRec& r, bool usable_only) {
  return r.live && !(usable_only && r.quarantined);
}

// The first per-rank amount that no node has at all, as the user's option.
Status check_one_rank(const ResourceRequest& req, const std::vector<NodeRec>& nodes, bool usable_only) {
  Largest big;
  for (const NodeRec& r : nodes) {
    if (!counted(r, usable_only)) continue;
    big.cores = std::max<std::uint64_t>(big.cores, r.ncores());
    big.gpus = std::max<std::uint64_t>(big.gpus, r.desc.gpus.size());
    big.memory = std::max(big.memory, r.desc.memory);
    big.memory_unaccounted |= r.desc.memory == 0;
  }
  if (req.cpus > big.cores)
    return fail("--cpus ", std::to_string(req.cpus), ": nodes have at most ", plural(big.cores, "core", "cores"));
  if (req.gpus > 0 && big.gpus == 0) return fail("--gpus ", std::to_string(req.gpus), ": no node has a GPU");
  if (req.gpus > big.gpus) {
    return fail("--gpus ", std::to_string(req.gpus), ": no node has more than ", plural(big.gpus, "GPU", "GPUs"));
  }
  if (req.memory > big.memory && !big.memory_unaccounted) {
    return fail("--mem ", format_size(req.memory), ": nodes have at most ", format_size(big.memory), " for tasks");
  }
  for (const auto& [name, amount] : req.custom) {
    std::uint64_t most = 0;
    bool offered = false;
    for (const NodeRec& r : nodes) {
      auto i = counted(r, usable_only) ? r.custom_index(name) : bits::kNone;
      if (i != bits::kNone) offered = true, most = std::max(most, r.desc.custom[i].second);
    }
    if (!offered && amount > 0) return fail(name, "=", std::to_string(amount), ": no node offers ", name);
    if (amount > most)
      return fail(name, "=", std::to_string(amount), ": no node has more than ", std::to_string(most), " ", name);
  }
  return ok_status();
}

}  // namespace

Status ResourcePool::check_request(const ResourceRequest& req) const {
  return check_nodes(req, false);
}

Status ResourcePool::check_usable(const ResourceRequest& req) const {
  if (impl_->live > 0 && impl_->quarantined == impl_->live) {
    return fail(impl_->live == 1 ? "the only node is quarantined" : "every node is quarantined");
  }
  return check_nodes(req, true);
}

Status ResourcePool::check_nodes(const ResourceRequest& req, bool usable_only) const {
  if (auto st = check_consistent(req); !st) return st;
  const std::uint32_t limit = impl_->node_limit;
  if (limit > 0 && req.nodes > limit) {
    return fail(flags(req), ": the job may grow to at most ", plural(limit, "node", "nodes"));
  }
  if (impl_->live == 0) return ok_status();
  if (auto st = check_one_rank(req, impl_->nodes, usable_only); !st) return st;
  std::uint64_t most = 0;
  for (const NodeRec& r : impl_->nodes) {
    if (counted(r, usable_only)) most = std::max(most, total_room(r, req));
  }
  if (most == 0) return fail(flags(req), ": no node has ", amounts(req, 1), " at once");
  const std::uint32_t per_node = ranks_on_busiest_node(req);
  if (most < per_node) {
    return fail(flags(req), ": needs ", amounts(req, per_node), " on one node; nodes hold at most ",
                plural(most, "such rank", "such ranks"));
  }
  if (limit > 0 && req.nodes == 0) {
    const std::uint64_t per = req.ranks_per_node > 0 ? std::min<std::uint64_t>(req.ranks_per_node, most) : most;
    const std::uint64_t need = (req.ranks + per - 1) / per;
    if (need > limit) {
      return fail(flags(req), ": needs at least ", plural(need, "node", "nodes"), "; the job may grow to at most ",
                  std::to_string(limit));
    }
  }
  return ok_status();
}

}  // namespace compss::scheduler
