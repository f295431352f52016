// Placement: which node(s), which core ids, which GPU ids. See resources.h for the policy.
#include <algorithm>
#include <numeric>

#include "scheduler/resources.h"
#include "scheduler/resources_impl.h"

namespace compss::scheduler {

std::uint32_t ranks_on_busiest_node(const ResourceRequest& req) {
  if (req.cpus == 0 || req.ranks == 0) return 0;
  if (req.nodes > req.ranks) return 0;
  if (req.nodes > 0 && req.ranks_per_node > 0 && req.nodes * req.ranks_per_node != req.ranks) return 0;
  if (req.ranks_per_node > 0) return std::min(req.ranks_per_node, req.ranks);
  if (req.nodes == 0) return 1;
  return (req.ranks + req.nodes - 1) / req.nodes;
}

bool is_plain(const ResourceRequest& req) {
  return req.nodes <= 1 && req.ranks == 1 && req.gpus == 0 && req.memory == 0 && req.custom.empty();
}

bool contains(const std::vector<NodeId>& ids, std::uint32_t n) {
  return std::find(ids.begin(), ids.end(), NodeId(n)) != ids.end();
}

std::uint32_t ResourcePool::Impl::rank_room(const NodeRec& node, const ResourceRequest& req, std::uint32_t cap) const {
  std::uint64_t room = std::min<std::uint64_t>(cap, node.free / req.cpus);
  if (req.gpus > 0) room = std::min<std::uint64_t>(room, node.free_gpus() / req.gpus);
  if (req.memory > 0 && node.desc.memory > 0) room = std::min(room, node.mem_free / req.memory);
  for (const auto& [name, amount] : req.custom) {
    if (amount == 0) continue;
    auto i = node.custom_index(name);
    room = i == bits::kNone ? 0 : std::min(room, node.custom_free[i] / amount);
  }
  return static_cast<std::uint32_t>(room);
}

namespace {

// Takes up to `want` free cores from `mask & free` (lowest index first) into `out` as OS ids.
std::uint32_t take_cores(const NodeRec& node, bits::Words& free, const bits::Words* mask, std::uint32_t want,
                         std::vector<std::uint32_t>& out) {
  std::uint32_t taken = 0;
  for (std::uint32_t i = bits::next(free, 0); i != bits::kNone && taken < want; i = bits::next(free, i + 1)) {
    if (mask && !bits::test(*mask, i)) continue;
    bits::clear(free, i);
    out.push_back(node.desc.cores[i]);
    ++taken;
  }
  return taken;
}

// The free GPU whose close cores have the most free cores (lowest index on ties).
std::uint32_t best_gpu(const NodeRec& node, std::uint64_t gpu_free, const bits::Words& core_free) {
  std::uint32_t best = bits::kNone, best_score = 0;
  for (std::uint64_t m = gpu_free; m != 0; m &= m - 1) {
    auto g = static_cast<std::uint32_t>(std::countr_zero(m));
    std::uint32_t score = bits::count_and(node.gpu_close[g], core_free);
    if (best == bits::kNone || score > best_score) best = g, best_score = score;
  }
  return best;
}

// One GPU rank: its GPUs first, then cores near them, then any free cores.
void fill_gpu_rank(const NodeRec& node, const ResourceRequest& req, std::uint64_t& gpu_free, bits::Words& core_free,
                   NodeSlot& slot) {
  bits::Words near(core_free.size(), 0);
  for (std::uint32_t k = 0; k < req.gpus; ++k) {
    std::uint32_t g = best_gpu(node, gpu_free, core_free);
    gpu_free &= ~(std::uint64_t{1} << g);
    slot.gpus.push_back(node.desc.gpus[g].id);
    for (std::size_t w = 0; w < near.size(); ++w) near[w] |= node.gpu_close[g][w];
  }
  std::uint32_t got = take_cores(node, core_free, &near, req.cpus, slot.cores);
  take_cores(node, core_free, nullptr, req.cpus - got, slot.cores);
}

// Whether core index i is close to a GPU that is still free (a GPU task would want it).
bool near_free_gpu(const NodeRec& node, std::uint32_t i) {
  for (std::uint64_t m = node.gpu_free; m != 0; m &= m - 1) {
    if (bits::test(node.gpu_close[static_cast<std::size_t>(std::countr_zero(m))], i)) return true;
  }
  return false;
}

// Cores for ranks without GPUs: first those away from free GPUs, so that GPU tasks still find their
// close cores; then, if needed, the rest. Lowest index first within each pass; ids come out sorted.
void take_cpu_cores(const NodeRec& node, std::uint32_t want, std::vector<std::uint32_t>& out) {
  const std::size_t start = out.size();
  for (int pass = 0; pass < 2 && want > 0; ++pass) {
    for (std::uint32_t i = bits::next(node.core_free, 0); i != bits::kNone && want > 0;
         i = bits::next(node.core_free, i + 1)) {
      if (node.gpu_free != 0 && near_free_gpu(node, i) == (pass == 0)) continue;
      out.push_back(node.desc.cores[i]);
      --want;
    }
    if (node.gpu_free == 0) break;  // one pass took every free core it could
  }
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(start), out.end());
}

}  // namespace

void ResourcePool::Impl::fill_slot(std::uint32_t n, const ResourceRequest& req, std::uint32_t ranks,
                                   NodeSlot& slot) const {
  const NodeRec& node = nodes[n];
  slot.node = NodeId(n);
  slot.ranks = ranks;
  slot.cores.clear();
  slot.gpus.clear();
  slot.memory = req.memory * ranks;
  slot.custom.clear();
  for (const auto& [name, amount] : req.custom) slot.custom.emplace_back(name, amount * ranks);
  if (req.gpus == 0 && req.cpus * ranks == 1 && node.gpu_free == 0) {
    // The hot path: one core, no GPU to keep cores for.
    slot.cores.push_back(node.desc.cores[bits::next(node.core_free, 0)]);
    return;
  }
  if (req.gpus == 0) {
    take_cpu_cores(node, req.cpus * ranks, slot.cores);
    return;
  }
  bits::Words core_free = node.core_free;
  std::uint64_t gpu_free = node.gpu_free;
  for (std::uint32_t r = 0; r < ranks; ++r) fill_gpu_rank(node, req, gpu_free, core_free, slot);
}

bool ResourcePool::Impl::place_single(const ResourceRequest& req, std::uint32_t ranks, const std::vector<NodeId>& avoid,
                                      bool with_quarantined, Placement& out) const {
  auto fits = [&](std::uint32_t n) { return !contains(avoid, n) && rank_room(nodes[n], req, ranks) >= ranks; };
  const auto need =
      static_cast<std::uint32_t>(std::min<std::uint64_t>(std::uint64_t{req.cpus} * ranks, bits::kNone - 1));
  std::uint32_t chosen = buckets.find(need, fits);
  if (chosen == bits::kNone && with_quarantined && quarantined > 0) {
    // Quarantined nodes are the last resort; among them, the fullest that fits.
    for (std::uint32_t n = 0; n < nodes.size(); ++n) {
      const NodeRec& r = nodes[n];
      if (!r.live || r.draining || !r.quarantined || !fits(n)) continue;
      if (chosen == bits::kNone || r.free < nodes[chosen].free) chosen = n;
    }
  }
  if (chosen == bits::kNone) return false;
  out.slots.resize(1);
  fill_slot(chosen, req, ranks, out.slots[0]);
  return true;
}

namespace {

struct Room {
  std::uint32_t node;
  std::uint32_t ranks;  // how many ranks fit there
  std::uint32_t free;   // free cores, for best fit
};

// Ranks per chosen node (parallel to `chosen`) or empty when the request does not fit.
std::vector<std::uint32_t> split_ranks(const ResourceRequest& req, std::vector<Room>& rooms,
                                       std::vector<Room>& chosen) {
  const std::uint32_t R = req.ranks, N = req.nodes, Q = req.ranks_per_node;
  auto by_fit = [](const Room& a, const Room& b) { return a.free != b.free ? a.free < b.free : a.node < b.node; };
  auto by_room = [](const Room& a, const Room& b) { return a.ranks != b.ranks ? a.ranks > b.ranks : a.node < b.node; };
  std::vector<std::uint32_t> share;
  if (Q > 0) {
    // Fixed ranks per node: the fullest nodes that hold Q ranks.
    const std::uint32_t count = N > 0 ? N : (R + Q - 1) / Q;
    std::erase_if(rooms, [&](const Room& r) { return r.ranks < std::min(Q, R); });
    if (rooms.size() < count) return {};
    std::sort(rooms.begin(), rooms.end(), by_fit);
    chosen.assign(rooms.begin(), rooms.begin() + count);
    share.assign(count, Q);
    share.back() = R - (count - 1) * Q;
    return share;
  }
  std::sort(rooms.begin(), rooms.end(), by_room);
  if (N > 0) {
    // Exactly N nodes: the roomiest, ranks dealt out evenly within each node's room.
    if (rooms.size() < N) return {};
    chosen.assign(rooms.begin(), rooms.begin() + N);
    std::uint64_t room = 0;
    for (const Room& r : chosen) room += r.ranks;
    if (room < R) return {};
    share.assign(N, 0);
    for (std::uint32_t left = R; left > 0;) {
      for (std::size_t i = 0; i < N && left > 0; ++i) {
        if (share[i] < chosen[i].ranks) ++share[i], --left;
      }
    }
    return share;
  }
  // As few nodes as possible: the roomiest first.
  std::uint32_t left = R;
  for (const Room& r : rooms) {
    if (left == 0) break;
    chosen.push_back(r);
    share.push_back(std::min(left, r.ranks));
    left -= share.back();
  }
  if (left > 0) return {};
  return share;
}

}  // namespace

bool ResourcePool::Impl::place_multi(const ResourceRequest& req, const std::vector<NodeId>& avoid,
                                     bool with_quarantined, Placement& out, bool one_allocation) const {
  std::vector<Room> rooms;
  std::vector<std::uint32_t> allocations;
  for (std::uint32_t n = 0; n < nodes.size(); ++n) {
    const NodeRec& r = nodes[n];
    if (!r.live || r.draining || (r.quarantined && !with_quarantined) || contains(avoid, n)) continue;
    if (auto k = rank_room(r, req, req.ranks); k > 0) {
      rooms.push_back({n, k, r.free});
      if (std::find(allocations.begin(), allocations.end(), r.desc.allocation) == allocations.end())
        allocations.push_back(r.desc.allocation);
    }
  }
  std::vector<Room> chosen;
  std::vector<std::uint32_t> share;
  if (!one_allocation || allocations.size() <= 1) {
    share = split_ranks(req, rooms, chosen);
  } else {
    // One step, one SLURM job: the job's own nodes first, then each helper job's.
    std::sort(allocations.begin(), allocations.end());
    for (std::uint32_t a : allocations) {
      std::vector<Room> mine;
      for (const Room& r : rooms)
        if (nodes[r.node].desc.allocation == a) mine.push_back(r);
      chosen.clear();
      share = split_ranks(req, mine, chosen);
      if (!share.empty()) break;
    }
  }
  if (share.empty()) return false;
  // Ranks are numbered in node id order.
  std::vector<std::size_t> order(chosen.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return chosen[a].node < chosen[b].node; });
  out.slots.resize(chosen.size());
  for (std::size_t i = 0; i < order.size(); ++i) fill_slot(chosen[order[i]].node, req, share[order[i]], out.slots[i]);
  return true;
}

bool ResourcePool::place_into(const ResourceRequest& req, Placement& out, const std::vector<NodeId>& avoid,
                              bool with_quarantined) const {
  const Impl& im = *impl_;
  const bool last_resort = with_quarantined && im.quarantined > 0;
  if (is_plain(req) && avoid.empty()) {
    std::uint32_t k = im.buckets.bucket_at_least(req.cpus);
    if (k != bits::kNone) {
      out.slots.resize(1);
      im.fill_slot(im.buckets.node_in(k), req, 1, out.slots[0]);
      return true;
    }
    return last_resort && im.place_single(req, 1, avoid, true, out);
  }
  if (ranks_on_busiest_node(req) == 0) return false;
  if (req.nodes == 1 || req.ranks == 1) return im.place_single(req, req.ranks, avoid, last_resort, out);
  return im.place_multi(req, avoid, false, out) || (last_resort && im.place_multi(req, avoid, true, out));
}

std::optional<Placement> ResourcePool::place(const ResourceRequest& req, const std::vector<NodeId>& avoid) const {
  Placement p;
  if (!place_into(req, p, avoid)) return std::nullopt;
  return p;
}

std::optional<Placement> ResourcePool::place_on(const ResourceRequest& req, NodeId node) const {
  if (!is_live(node) || is_draining(node) || is_quarantined(node) || ranks_on_busiest_node(req) == 0) {
    return std::nullopt;
  }
  if (req.nodes > 1 || (req.ranks_per_node > 0 && req.ranks_per_node < req.ranks)) return std::nullopt;
  const Impl& im = *impl_;
  if (im.rank_room(im.nodes[node.value()], req, req.ranks) < req.ranks) return std::nullopt;
  Placement p;
  p.slots.resize(1);
  im.fill_slot(node.value(), req, req.ranks, p.slots[0]);
  return p;
}

}  // namespace compss::scheduler
