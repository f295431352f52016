// resources.h - the resource model of the job's nodes and exact placement of tasks on them.
//
// A ResourcePool holds the nodes of the job as plain data (cores, memory, GPUs with their close cores,
// named custom resources), which of their ids are in use, and which nodes are draining or quarantined.
// place() answers where a request fits now, naming the exact core ids and GPU ids per node, so the
// agent binds exactly; allocate() and release() mark those ids used and free again.
//
// Lifecycle: add_node() as nodes join; then place() / allocate() / release() for each task;
// set_draining() / set_quarantined() / remove_node() as the scheduler decides. Node ids are dense and never
// reused; desc() of a removed node stays readable (names in reports).
//
//   ResourcePool pool;
//   NodeId n = pool.add_node(desc);
//   if (auto p = pool.place(req)) { pool.allocate(*p); ...; pool.release(*p); }
//   else log::info("task waits: ", pool.why_not(req));
//
// Placement policy: a request goes to the fullest node that can hold it (fewest free cores, then lowest
// node id), which packs work and leaves whole nodes idle for the elasticity policy to release. Cores
// are taken lowest index first. A GPU rank gets its GPUs first, then cores among those GPUs' close
// cores (the rest from any free core when the close ones do not suffice); a rank without GPUs takes
// cores away from free GPUs first, so GPU tasks still find their close cores. A request over several
// nodes takes them from one allocation (NodeDesc::allocation): the job's own first, then helper jobs in
// id order. Draining nodes get nothing;
// quarantined nodes nothing either, unless a placement asks for them as a last resort (with_quarantined:
// the scheduler's rule, doc/spec/states.md section 5); `avoid` nodes never.
//
// Cost: place() + allocate() + release() of a one-node, one-rank request with no GPU, memory or custom
// resource is O(1) amortised (buckets of nodes by free core count, per-node free-core bitmaps), and
// place_into() does not allocate once its Placement has been used before. Other requests scan nodes.
//
// Failure behaviour: place() returns nullopt when the request does not fit now; check_request() says
// when it could never fit; why_not() says why it does not fit now. Nothing throws.
// Thread-safety: none; one owner (the scheduler). Const methods may run concurrently with each other.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/util/ids.h"
#include "common/util/result.h"

namespace compss::scheduler {

struct Gpu {
  std::uint32_t id = 0;                    // as CUDA numbers it on the node
  std::vector<std::uint32_t> close_cores;  // OS core ids near this GPU (same NUMA node / socket)
};

// What a node offers to tasks. Plain data; the agent fills it from hwloc.
struct NodeDesc {
  std::string name;                  // SLURM node name, e.g. "n3"
  std::vector<std::uint32_t> cores;  // OS core ids usable by tasks (need not be contiguous)
  std::uint64_t memory = 0;          // bytes usable by tasks; 0 = memory not accounted on this node
  std::vector<Gpu> gpus;             // at most 64 per node
  std::vector<std::pair<std::string, std::uint64_t>> custom;  // named custom resources ("licence", 4)
  // The SLURM job whose allocation holds the node: 0 for the job's own nodes and those merged into it,
  // a helper job's id in helper mode. A task over several nodes runs as one SLURM step, and a step
  // cannot span two jobs, so the nodes of one placement share this.
  std::uint32_t allocation = 0;
};

// What a task asks for, per rank (process). A plain task is 1 node x 1 rank.
struct ResourceRequest {
  std::uint32_t cpus = 1;                                     // cores per rank, at least 1
  std::uint64_t memory = 0;                                   // bytes per rank
  std::uint32_t gpus = 0;                                     // GPUs per rank
  std::vector<std::pair<std::string, std::uint64_t>> custom;  // per rank
  std::uint32_t nodes = 1;                                    // exactly this many nodes (0 = as few as the ranks need)
  std::uint32_t ranks = 1;                                    // total ranks (processes)
  std::uint32_t ranks_per_node = 0;                           // 0 = ranks spread as placement finds room
  bool mpi = false;                                           // launched as one MPI program (informs the launcher only)
};

// What one node gives a task: exact ids so the agent binds exactly.
struct NodeSlot {
  NodeId node;
  std::uint32_t ranks = 1;
  std::vector<std::uint32_t> cores;                           // ranks * cpus OS core ids, rank-major
  std::vector<std::uint32_t> gpus;                            // ranks * gpus GPU ids, rank-major
  std::uint64_t memory = 0;                                   // bytes on this node (ranks * per-rank memory)
  std::vector<std::pair<std::string, std::uint64_t>> custom;  // amounts on this node
};

struct Placement {
  std::vector<NodeSlot> slots;  // one per node, in the order ranks are numbered
};

class ResourcePool {
 public:
  ResourcePool();
  ~ResourcePool();
  ResourcePool(const ResourcePool&);
  ResourcePool& operator=(const ResourcePool&);
  ResourcePool(ResourcePool&&) noexcept;
  ResourcePool& operator=(ResourcePool&&) noexcept;

  // --- nodes ---------------------------------------------------------------------------------------
  NodeId add_node(NodeDesc desc);                 // ids dense from 0, never reused; node starts idle
  void remove_node(NodeId node);                  // lost or released: its allocations vanish
  void set_draining(NodeId node, bool draining);  // a draining node gets no new placements
  // A quarantined node gets no placement unless one asks for it (with_quarantined); its cores are not
  // counted in free_cores() / total_cores().
  void set_quarantined(NodeId node, bool quarantined);
  // Job-size limit for check_request() (requests for more nodes can never fit); 0 = unknown.
  void set_node_limit(std::uint32_t max_nodes);

  std::size_t node_count() const;            // live nodes (added, not removed)
  std::size_t id_count() const;              // ids handed out so far (live or removed)
  const NodeDesc& desc(NodeId node) const;   // any id handed out, live or removed
  NodeId find(std::string_view name) const;  // a live node by name; none if absent
  std::vector<NodeId> live_nodes() const;    // ascending ids
  bool is_live(NodeId node) const;
  bool is_draining(NodeId node) const;
  bool is_quarantined(NodeId node) const;
  std::size_t quarantined_count() const;  // live quarantined nodes
  bool is_idle(NodeId node) const;  // live and nothing allocated on it
  // The slot's node is live and every core and GPU it names is the node's and free (a restarted
  // daemon adopting a running task checks the agent's word before allocate()).
  bool is_free(const NodeSlot& s) const;

  // --- capacity, for the elasticity policy and reports ------------------------------------------------
  std::uint32_t free_cores(NodeId node) const;  // 0 for a removed node
  std::uint64_t free_cores() const;             // on live nodes neither draining nor quarantined
  std::uint64_t total_cores() const;            // on live nodes neither draining nor quarantined
  std::uint32_t typical_cores() const;          // the core count most live nodes have (0 if none)

  // --- placement -----------------------------------------------------------------------------------
  // Where `req` fits now, or nullopt. Does not change the pool; call allocate() to take it.
  std::optional<Placement> place(const ResourceRequest& req, const std::vector<NodeId>& avoid = {}) const;
  // The same, written into `out` (reusing its buffers: no allocation on the plain-task path once
  // `out` has held a placement). Returns false, and leaves `out` unspecified, when it does not fit.
  // `with_quarantined`: quarantined nodes may take it too, after every other node (the last resort).
  bool place_into(const ResourceRequest& req, Placement& out, const std::vector<NodeId>& avoid = {},
                  bool with_quarantined = false) const;
  // Only on `node` (a retry on the same node, a locality preference); nullopt if it does not fit there
  // or the node is draining or quarantined.
  std::optional<Placement> place_on(const ResourceRequest& req, NodeId node) const;

  // Marks the placement's ids used. Precondition: `p` came from place*() on this pool and nothing
  // was allocated since that could overlap it. Slots on removed nodes are ignored; ids that are not
  // the node's or already in use are skipped, so a broken precondition cannot corrupt the counts.
  void allocate(const Placement& p);
  // Gives the ids back; each allocated placement is released once. Slots on removed nodes are
  // ignored (their allocations vanished with them); ids not in use are skipped.
  void release(const Placement& p);

  // An error when no node shape could ever hold `req` (the message a user sees at submit time:
  // "--gpus 4: no node has more than 2 GPUs"). OK while the pool has no nodes (shapes unknown).
  Status check_request(const ResourceRequest& req) const;
  // The same over the live nodes outside quarantine only; an error also when every live node is
  // quarantined. Says whether a quarantine leaves `req` nowhere to run.
  Status check_usable(const ResourceRequest& req) const;
  // A short reason `req` cannot be placed now ("no node has 2 GPUs free (2 nodes have 1)",
  // "all 4 nodes are draining", "the only node is quarantined"); "fits now" when it can. O(nodes).
  std::string why_not(const ResourceRequest& req, const std::vector<NodeId>& avoid = {}) const;

 private:
  Status check_nodes(const ResourceRequest& req, bool usable_only) const;
  // Why a request over several nodes waits when only the one-allocation rule stops it; "" otherwise.
  std::string allocation_reason(const ResourceRequest& req, const std::vector<NodeId>& avoid) const;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "0-3,6,8-9": ids in the given order, runs of consecutive ids shortened.
std::string format_ids(const std::vector<std::uint32_t>& ids);
// "n1: cores 0-3 gpus 0 mem 2G; n2: cores 0-3": for explain, logs and tests.
std::string describe(const Placement& p, const ResourcePool& pool);

}  // namespace compss::scheduler
