// why_not(): a short reason a request cannot be placed now, built from one pass over the nodes.
#include <algorithm>
#include <string>

#include "scheduler/resources.h"
#include "scheduler/resources_impl.h"

namespace compss::scheduler {

namespace {

std::string count_of(std::uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// One resource dimension over the eligible nodes: how many have the amount needed, and the most any has.
struct Dimension {
  enum class Unit { kCount, kBytes, kCustom };
  Unit unit = Unit::kCount;
  std::string one, many;  // "core", "cores"; a custom resource's name in `many`
  std::uint64_t need = 0;
  std::uint32_t meeting = 0;  // nodes with at least `need` free
  std::uint64_t best = 0;     // the most free on any node
  std::uint32_t at_best = 0;  // nodes with exactly `best`

  void see(std::uint64_t free) {
    if (free >= need) ++meeting;
    if (free > best) best = free, at_best = 0;
    if (free == best) ++at_best;
  }
  std::string amount(std::uint64_t n) const {
    switch (unit) {
      case Unit::kCount:
        return count_of(n, one.c_str(), many.c_str());
      case Unit::kBytes:
        return format_size(n) + " memory";
      case Unit::kCustom:
        break;
    }
    return many + "=" + std::to_string(n);
  }
  // "no node has 2 GPUs free (2 nodes have 1)"
  std::string shortfall() const {
    std::string s = "no node has " + amount(need) + " free";
    if (best == 0) return s + " (none has any)";
    if (unit == Unit::kBytes) return s + " (the most is " + format_size(best) + ")";
    return s + " (" + count_of(at_best, "node has ", "nodes have ") + std::to_string(best) + ")";
  }
};

// Dimensions of one node's share of the request: cores, GPUs, memory, each custom resource.
std::vector<Dimension> dimensions(const ResourceRequest& req, std::uint32_t ranks) {
  using Unit = Dimension::Unit;
  std::vector<Dimension> dims;
  dims.push_back({Unit::kCount, "core", "cores", std::uint64_t{req.cpus} * ranks});
  if (req.gpus > 0) dims.push_back({Unit::kCount, "GPU", "GPUs", std::uint64_t{req.gpus} * ranks});
  if (req.memory > 0) dims.push_back({Unit::kBytes, "", "", req.memory * ranks});
  for (const auto& [name, amount] : req.custom) {
    if (amount > 0) dims.push_back({Unit::kCustom, "", name, amount * ranks});
  }
  return dims;
}

void see_node(std::vector<Dimension>& dims, const NodeRec& r, const ResourceRequest& req) {
  std::size_t d = 0;
  dims[d++].see(r.free);
  if (req.gpus > 0) dims[d++].see(r.free_gpus());
  if (req.memory > 0) {
    Dimension& mem = dims[d++];
    mem.see(r.desc.memory == 0 ? mem.need : r.mem_free);  // memory not accounted: never short
  }
  for (const auto& [name, amount] : req.custom) {
    if (amount == 0) continue;
    auto i = r.custom_index(name);
    dims[d++].see(i == bits::kNone ? 0 : r.custom_free[i]);
  }
}

// "the only node is quarantined", "all 4 nodes are draining", "all 3 nodes are draining (1) or
// quarantined (2)": why no live node may take the request.
std::string no_eligible_node(std::uint32_t live, std::uint32_t draining, std::uint32_t quarantined,
                             std::uint32_t avoided) {
  std::vector<std::pair<const char*, std::uint32_t>> kinds;
  if (draining) kinds.emplace_back("draining", draining);
  if (quarantined) kinds.emplace_back("quarantined", quarantined);
  if (avoided) kinds.emplace_back("avoided for this task", avoided);
  if (live == 1) return std::string("the only node is ") + (kinds.empty() ? "unusable" : kinds.front().first);
  std::string s = "all " + std::to_string(live) + " nodes are ";
  if (kinds.size() == 1) return s + kinds.front().first;
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    if (i > 0) s += i + 1 == kinds.size() ? " or " : ", ";
    s += std::string(kinds[i].first) + " (" + std::to_string(kinds[i].second) + ")";
  }
  return s;
}

}  // namespace

// "a step cannot span two SLURM jobs: no one job has room for 4 ranks on 2 nodes (the job's own: 2 ranks
// on 1 node; helper job 12: 2 ranks on 1 node)" when only the one-allocation rule blocks `req`.
std::string ResourcePool::allocation_reason(const ResourceRequest& req, const std::vector<NodeId>& avoid) const {
  const Impl& im = *impl_;
  Placement scratch;
  if (!im.place_multi(req, avoid, false, scratch, false)) return {};
  std::vector<std::pair<std::uint32_t, std::pair<std::uint64_t, std::uint32_t>>> per;  // job -> (ranks, nodes)
  for (std::uint32_t n = 0; n < im.nodes.size(); ++n) {
    const NodeRec& r = im.nodes[n];
    if (!r.open() || contains(avoid, n)) continue;
    const std::uint32_t k = im.rank_room(r, req, req.ranks);
    if (k == 0) continue;
    auto it = std::find_if(per.begin(), per.end(), [&](const auto& e) { return e.first == r.desc.allocation; });
    if (it == per.end()) it = per.insert(per.end(), {r.desc.allocation, {0, 0}});
    it->second.first += k;
    it->second.second += 1;
  }
  std::sort(per.begin(), per.end());
  std::string s = "a step cannot span two SLURM jobs: no one job has room for " + count_of(req.ranks, "rank", "ranks") +
                  (req.nodes > 1 ? " on " + count_of(req.nodes, "node", "nodes") : std::string()) + " (";
  for (std::size_t i = 0; i < per.size(); ++i) {
    if (i > 0) s += "; ";
    s += per[i].first == 0 ? std::string("the job's own") : "helper job " + std::to_string(per[i].first);
    s += ": " + count_of(per[i].second.first, "rank", "ranks") + " on " + count_of(per[i].second.second, "node", "nodes");
  }
  return s + ")";
}

std::string ResourcePool::why_not(const ResourceRequest& req, const std::vector<NodeId>& avoid) const {
  if (auto st = check_request(req); !st) return st.error().message;
  Placement scratch;
  if (place_into(req, scratch, avoid)) return "fits now";
  const Impl& im = *impl_;
  if (im.live == 0) return "no nodes in the job yet";

  const std::uint32_t per_node = ranks_on_busiest_node(req);
  std::vector<Dimension> dims = dimensions(req, per_node);
  std::uint32_t draining = 0, quarantined = 0, avoided = 0, eligible = 0, roomy = 0;
  std::uint64_t room = 0;
  for (std::uint32_t n = 0; n < im.nodes.size(); ++n) {
    const NodeRec& r = im.nodes[n];
    if (!r.live) continue;
    if (r.draining) {
      ++draining;
      continue;
    }
    if (r.quarantined) {
      ++quarantined;
      continue;
    }
    if (contains(avoid, n)) {
      ++avoided;
      continue;
    }
    ++eligible;
    see_node(dims, r, req);
    std::uint32_t k = im.rank_room(r, req, req.ranks);
    room += k;
    if (k >= per_node) ++roomy;
  }
  if (eligible == 0) return no_eligible_node(im.live, draining, quarantined, avoided);
  if (avoided > 0 && place_into(req, scratch)) return "only nodes this task must avoid have room now";
  for (const Dimension& d : dims) {
    if (d.meeting == 0) return d.shortfall();
  }
  if (roomy == 0) {
    std::string all;
    for (const Dimension& d : dims) all += (all.empty() ? "" : " and ") + d.amount(d.need);
    return "no node has " + all + " free at once";
  }
  if (std::string s = allocation_reason(req, avoid); !s.empty()) return s;
  if (req.nodes > 1) {
    return "needs " + count_of(req.nodes, "node", "nodes") + " with room for " + count_of(per_node, "rank", "ranks") +
           "; " + std::to_string(roomy) + " have it";
  }
  return "needs room for " + count_of(req.ranks, "rank", "ranks") + "; the free nodes hold " + std::to_string(room);
}

}  // namespace compss::scheduler
