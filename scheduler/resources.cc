// The resource pool's node bookkeeping: adding, flagging, removing nodes, allocate and release.
// Placement is in resources_place.cc, the user-facing reasons in resources_check.cc.
#include "scheduler/resources.h"

#include <algorithm>
#include <cassert>
#include <map>

#include "scheduler/resources_impl.h"

namespace compss::scheduler {

std::uint32_t NodeRec::free_gpus() const {
  return static_cast<std::uint32_t>(std::popcount(gpu_free));
}

std::uint32_t NodeRec::gpu_index(std::uint32_t gpu_id) const {
  for (std::size_t i = 0; i < desc.gpus.size(); ++i) {
    if (desc.gpus[i].id == gpu_id) return static_cast<std::uint32_t>(i);
  }
  return bits::kNone;
}

std::uint32_t NodeRec::custom_index(const std::string& name) const {
  for (std::size_t i = 0; i < desc.custom.size(); ++i) {
    if (desc.custom[i].first == name) return static_cast<std::uint32_t>(i);
  }
  return bits::kNone;
}

namespace {

constexpr std::size_t kMaxGpus = 64;  // one mask word per node

// Sorted unique cores, at most 64 GPUs, close cores limited to usable ones, custom names merged:
// the rest of the pool can then trust the description.
NodeDesc normalised(NodeDesc d) {
  std::sort(d.cores.begin(), d.cores.end());
  d.cores.erase(std::unique(d.cores.begin(), d.cores.end()), d.cores.end());
  if (d.gpus.size() > kMaxGpus) d.gpus.resize(kMaxGpus);
  for (Gpu& g : d.gpus) {
    std::erase_if(g.close_cores,
                  [&](std::uint32_t c) { return !std::binary_search(d.cores.begin(), d.cores.end(), c); });
  }
  std::map<std::string, std::uint64_t> merged;
  for (auto& [name, amount] : d.custom) merged[name] += amount;
  d.custom.assign(merged.begin(), merged.end());
  return d;
}

NodeRec make_rec(NodeDesc desc) {
  NodeRec r;
  r.desc = normalised(std::move(desc));
  const auto n = r.ncores();
  r.free = n;
  r.core_free.assign(bits::words_for(n), 0);
  for (std::uint32_t i = 0; i < n; ++i) bits::set(r.core_free, i);
  r.core_index.assign(r.desc.cores.empty() ? 0 : r.desc.cores.back() + 1, bits::kNone);
  for (std::uint32_t i = 0; i < n; ++i) r.core_index[r.desc.cores[i]] = i;
  const auto g = r.desc.gpus.size();
  r.gpu_free = g == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << g) - 1;
  for (const Gpu& gpu : r.desc.gpus) {
    bits::Words close(r.core_free.size(), 0);
    for (std::uint32_t c : gpu.close_cores) bits::set(close, r.core_index[c]);
    r.gpu_close.push_back(std::move(close));
  }
  r.mem_free = r.desc.memory;
  for (const auto& c : r.desc.custom) r.custom_free.push_back(c.second);
  return r;
}

}  // namespace

void ResourcePool::Impl::leave(std::uint32_t n) {
  const NodeRec& r = nodes[n];
  if (!r.live) return;
  if (r.quarantined) --quarantined;
  if (!r.open()) return;
  free_cores -= r.free;
  total_cores -= r.ncores();
  buckets.erase(n, r.free);
}

void ResourcePool::Impl::refree(std::uint32_t n, std::uint32_t old_free) {
  const NodeRec& r = nodes[n];
  if (!r.open()) return;
  free_cores = free_cores - old_free + r.free;
  if (old_free != r.free) {
    buckets.erase(n, old_free);
    buckets.insert(n, r.free);
  }
}

void ResourcePool::Impl::enter(std::uint32_t n) {
  const NodeRec& r = nodes[n];
  if (!r.live) return;
  if (r.quarantined) ++quarantined;
  if (!r.open()) return;
  free_cores += r.free;
  total_cores += r.ncores();
  buckets.insert(n, r.free);
}

ResourcePool::ResourcePool() : impl_(std::make_unique<Impl>()) {}
ResourcePool::~ResourcePool() = default;
ResourcePool::ResourcePool(const ResourcePool& o) : impl_(std::make_unique<Impl>(*o.impl_)) {}
ResourcePool& ResourcePool::operator=(const ResourcePool& o) {
  if (this != &o) impl_ = std::make_unique<Impl>(*o.impl_);
  return *this;
}
ResourcePool::ResourcePool(ResourcePool&&) noexcept = default;
ResourcePool& ResourcePool::operator=(ResourcePool&&) noexcept = default;

NodeId ResourcePool::add_node(NodeDesc desc) {
  auto n = static_cast<std::uint32_t>(impl_->nodes.size());
  impl_->nodes.push_back(make_rec(std::move(desc)));
  impl_->buckets.add_capacity(n + 1, impl_->nodes.back().ncores());
  ++impl_->live;
  impl_->enter(n);
  return NodeId(n);
}

void ResourcePool::remove_node(NodeId node) {
  if (!is_live(node)) return;
  impl_->leave(node.value());
  impl_->nodes[node.value()].live = false;
  --impl_->live;
}

void ResourcePool::set_draining(NodeId node, bool draining) {
  if (!is_live(node) || impl_->nodes[node.value()].draining == draining) return;
  impl_->leave(node.value());
  impl_->nodes[node.value()].draining = draining;
  impl_->enter(node.value());
}

void ResourcePool::set_quarantined(NodeId node, bool quarantined) {
  if (!is_live(node) || impl_->nodes[node.value()].quarantined == quarantined) return;
  impl_->leave(node.value());
  impl_->nodes[node.value()].quarantined = quarantined;
  impl_->enter(node.value());
}

void ResourcePool::set_node_limit(std::uint32_t max_nodes) {
  impl_->node_limit = max_nodes;
}

std::size_t ResourcePool::node_count() const {
  return impl_->live;
}
std::size_t ResourcePool::id_count() const {
  return impl_->nodes.size();
}
const NodeDesc& ResourcePool::desc(NodeId node) const {
  return impl_->nodes.at(node.value()).desc;
}

NodeId ResourcePool::find(std::string_view name) const {
  for (std::size_t i = 0; i < impl_->nodes.size(); ++i) {
    const NodeRec& r = impl_->nodes[i];
    if (r.live && r.desc.name == name) return NodeId(static_cast<std::uint32_t>(i));
  }
  return NodeId{};
}

std::vector<NodeId> ResourcePool::live_nodes() const {
  std::vector<NodeId> out;
  for (std::size_t i = 0; i < impl_->nodes.size(); ++i) {
    if (impl_->nodes[i].live) out.emplace_back(static_cast<std::uint32_t>(i));
  }
  return out;
}

bool ResourcePool::is_live(NodeId node) const {
  return node.valid() && node.value() < impl_->nodes.size() && impl_->nodes[node.value()].live;
}
bool ResourcePool::is_draining(NodeId node) const {
  return is_live(node) && impl_->nodes[node.value()].draining;
}
bool ResourcePool::is_quarantined(NodeId node) const {
  return is_live(node) && impl_->nodes[node.value()].quarantined;
}
std::size_t ResourcePool::quarantined_count() const {
  return impl_->quarantined;
}
bool ResourcePool::is_idle(NodeId node) const {
  return is_live(node) && impl_->nodes[node.value()].slots == 0;
}

std::uint32_t ResourcePool::free_cores(NodeId node) const {
  return is_live(node) ? impl_->nodes[node.value()].free : 0;
}
std::uint64_t ResourcePool::free_cores() const {
  return impl_->free_cores;
}
std::uint64_t ResourcePool::total_cores() const {
  return impl_->total_cores;
}

std::uint32_t ResourcePool::typical_cores() const {
  std::map<std::uint32_t, std::uint32_t> counts;
  for (const NodeRec& r : impl_->nodes) {
    if (r.live) ++counts[r.ncores()];
  }
  std::uint32_t best = 0, best_count = 0;
  for (auto [cores, count] : counts) {
    if (count >= best_count) best = cores, best_count = count;  // ties: the larger node
  }
  return best;
}

// A slot's ids that are not the node's, or already in the state asked for, are skipped, so a
// stale or repeated placement cannot corrupt the counts (the caller's precondition is still that it
// does not happen).
bool ResourcePool::is_free(const NodeSlot& s) const {
  const std::uint32_t n = s.node.value();
  if (n >= impl_->nodes.size() || !impl_->nodes[n].live || s.cores.empty()) return false;
  const NodeRec& r = impl_->nodes[n];
  for (std::uint32_t c : s.cores) {
    const std::uint32_t i = c < r.core_index.size() ? r.core_index[c] : bits::kNone;
    if (i == bits::kNone || !bits::test(r.core_free, i)) return false;
  }
  for (std::uint32_t g : s.gpus) {
    const auto i = r.gpu_index(g);
    if (i == bits::kNone || !(r.gpu_free & (std::uint64_t{1} << i))) return false;
  }
  return true;
}

void ResourcePool::allocate(const Placement& p) {
  for (const NodeSlot& s : p.slots) {
    const std::uint32_t n = s.node.value();
    if (n >= impl_->nodes.size() || !impl_->nodes[n].live) continue;
    NodeRec& r = impl_->nodes[n];
    const std::uint32_t old_free = r.free;
    for (std::uint32_t c : s.cores) {
      const std::uint32_t i = c < r.core_index.size() ? r.core_index[c] : bits::kNone;
      if (i == bits::kNone || !bits::test(r.core_free, i)) continue;
      bits::clear(r.core_free, i);
      --r.free;
    }
    for (std::uint32_t g : s.gpus) {
      if (auto i = r.gpu_index(g); i != bits::kNone) r.gpu_free &= ~(std::uint64_t{1} << i);
    }
    if (r.desc.memory > 0) r.mem_free -= std::min(r.mem_free, s.memory);
    for (const auto& [name, amount] : s.custom) {
      if (auto i = r.custom_index(name); i != bits::kNone) r.custom_free[i] -= std::min(r.custom_free[i], amount);
    }
    ++r.slots;
    impl_->refree(n, old_free);
  }
}

void ResourcePool::release(const Placement& p) {
  for (const NodeSlot& s : p.slots) {
    const std::uint32_t n = s.node.value();
    if (n >= impl_->nodes.size() || !impl_->nodes[n].live) continue;
    NodeRec& r = impl_->nodes[n];
    const std::uint32_t old_free = r.free;
    for (std::uint32_t c : s.cores) {
      const std::uint32_t i = c < r.core_index.size() ? r.core_index[c] : bits::kNone;
      if (i == bits::kNone || bits::test(r.core_free, i)) continue;
      bits::set(r.core_free, i);
      ++r.free;
    }
    for (std::uint32_t g : s.gpus) {
      if (auto i = r.gpu_index(g); i != bits::kNone) r.gpu_free |= std::uint64_t{1} << i;
    }
    if (r.desc.memory > 0) r.mem_free = std::min(r.desc.memory, r.mem_free + s.memory);
    for (const auto& [name, amount] : s.custom) {
      if (auto i = r.custom_index(name); i != bits::kNone) {
        r.custom_free[i] = std::min(r.desc.custom[i].second, r.custom_free[i] + amount);
      }
    }
    if (r.slots > 0) --r.slots;
    impl_->refree(n, old_free);
  }
}

}  // namespace compss::scheduler
