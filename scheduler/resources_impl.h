// resources_impl.h - the state behind ResourcePool (internal to scheduler/resources*.cc).
//
// Per node: its description, flags, free-core bitmap (bit i = desc.cores[i] free), free-GPU mask
// (bit i = desc.gpus[i] free), each GPU's close cores as a bitmap over core indices, free memory and
// custom amounts, and a count of allocated slots (idle when 0). Nodes that may receive work without
// restriction (live, not draining, not quarantined) sit in `buckets` by free core count.
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scheduler/resources.h"
#include "scheduler/resources_bits.h"
#include "scheduler/resources_index.h"

namespace compss::scheduler {

struct NodeRec {
  NodeDesc desc;
  bool live = true;
  bool draining = false;
  bool quarantined = false;
  std::uint32_t free = 0;  // free cores
  bits::Words core_free;
  std::uint64_t gpu_free = 0;
  std::vector<bits::Words> gpu_close;  // per GPU index
  std::uint64_t mem_free = 0;
  std::vector<std::uint64_t> custom_free;  // parallel to desc.custom
  std::uint32_t slots = 0;
  std::vector<std::uint32_t> core_index;  // OS core id -> index into desc.cores (bits::kNone if unusable)

  bool open() const { return live && !draining && !quarantined; }
  std::uint32_t ncores() const { return static_cast<std::uint32_t>(desc.cores.size()); }
  std::uint32_t free_gpus() const;
  std::uint32_t gpu_index(std::uint32_t gpu_id) const;        // bits::kNone if absent
  std::uint32_t custom_index(const std::string& name) const;  // bits::kNone if absent
};

struct ResourcePool::Impl {
  std::vector<NodeRec> nodes;
  NodeBuckets buckets;
  std::uint32_t live = 0;
  std::uint32_t quarantined = 0;  // live quarantined nodes
  std::uint32_t node_limit = 0;
  std::uint64_t free_cores = 0;   // on open nodes (NodeRec::open)
  std::uint64_t total_cores = 0;  // on open nodes

  // Moves a node in or out of the accounting above when its flags or free count change.
  void leave(std::uint32_t n);
  void enter(std::uint32_t n);
  // Follows a change of node n's free core count (its flags unchanged).
  void refree(std::uint32_t n, std::uint32_t old_free);

  // How many ranks of `req` fit in the node's free resources now (capped at `cap`).
  std::uint32_t rank_room(const NodeRec& node, const ResourceRequest& req, std::uint32_t cap) const;
  // Fills `slot` with `ranks` ranks of `req` on node n (which has room for them).
  void fill_slot(std::uint32_t n, const ResourceRequest& req, std::uint32_t ranks, NodeSlot& slot) const;

  bool place_single(const ResourceRequest& req, std::uint32_t ranks, const std::vector<NodeId>& avoid,
                    bool with_quarantined, Placement& out) const;
  // `one_allocation` false ignores NodeDesc::allocation (why_not() asks whether that is what blocks).
  bool place_multi(const ResourceRequest& req, const std::vector<NodeId>& avoid, bool with_quarantined,
                   Placement& out, bool one_allocation = true) const;
};

// How many ranks of the request go on one node at least; 0 when the request is inconsistent.
std::uint32_t ranks_on_busiest_node(const ResourceRequest& req);
bool is_plain(const ResourceRequest& req);  // one node, one rank, cores only
bool contains(const std::vector<NodeId>& ids, std::uint32_t n);
std::string format_size(std::uint64_t bytes);

}  // namespace compss::scheduler
