// topology.h - what this node offers to tasks (cores, memory, GPUs), discovered with hwloc.
//
// Lifecycle: one call, discover_topology(options), loads an hwloc topology (this machine by default; an
// XML file, an XML text or a synthetic description for tests), turns it into the plain NodeTopology below
// and releases hwloc again. Nothing of hwloc leaks out: the scheduler and the launcher work on this data.
//
// Which cores: one CoreDesc per physical core, identified by the OS index of its first PU. Only cores
// this process may use are listed: the topology's allowed cpuset (the cgroup cpuset) intersected with
// the process' CPU binding (the cpuset srun gave the step; on by default for this machine, see
// TopologyOptions::restrict_to_binding), with the PUs of the job's SLURM CPU ids (slurm_cpus) and with
// TopologyOptions::allowed_pus when given. So two agents
// started on one host with disjoint bindings each describe only their own cores. A core that keeps some
// of its PUs lists only those; a core that keeps none is left out.
//
// GPUs: PCI devices that carry an OS device named cuda*, nvml* or rsmi* (NVIDIA, AMD), plus NVIDIA display
// controllers on PCI (Debian's hwloc has no CUDA/NVML backend, so on such a node the PCI device is all we
// see). A GPU shown under several names (cuda0 and nvml0 under one PCI device) counts once. GPUs are
// numbered 0..n-1 in PCI bus order, which is how CUDA numbers them under CUDA_DEVICE_ORDER=PCI_BUS_ID
// (the launcher sets it for every task) and how NVML numbers them. close_cores are the usable cores of
// the GPU's first non-I/O ancestor (its package or NUMA node).
//
// Failure: an Error naming the source when hwloc cannot load it, or when no usable core is left.
// Thread-safety: discover_topology may be called from any thread; NodeTopology is a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace compss::agent {

using CoreId = std::uint32_t;    // OS index of the first PU of a core
using PuId = std::uint32_t;      // OS index of a processing unit, as sched_setaffinity counts them
using GpuIndex = std::uint32_t;  // CUDA_VISIBLE_DEVICES number under CUDA_DEVICE_ORDER=PCI_BUS_ID

struct CoreDesc {
  CoreId id = 0;
  std::vector<PuId> pus;  // the usable PUs of this core, ascending
  int package = -1;       // logical index of the core's package; -1 when the topology has none
  int numa = -1;          // OS index of the core's NUMA node; -1 when the topology has none
};

struct GpuDesc {
  GpuIndex index = 0;
  std::vector<std::string> names;  // hwloc OS device names, e.g. {"cuda0", "nvml0"}; empty if PCI only
  std::string pci_busid;           // "0000:34:00.0"; empty for a GPU hwloc does not place on PCI
  std::vector<CoreId> close_cores;  // usable cores near the GPU, ascending
};

struct NodeTopology {
  std::vector<CoreDesc> cores;  // ascending id
  std::uint64_t memory_bytes = 0;  // local memory of the NUMA nodes that hold usable cores
  std::vector<GpuDesc> gpus;       // ascending index
  unsigned packages = 0;           // packages that hold usable cores
  unsigned numa_nodes = 0;         // NUMA nodes that hold usable cores
  std::string cuda;                // what the CUDA driver said, for the log; "" when not asked

  const CoreDesc* find_core(CoreId id) const;
  std::vector<CoreId> core_ids() const;
  std::size_t pu_count() const;
};

struct TopologySource {
  enum class Kind { kThisSystem, kXmlFile, kXmlText, kSynthetic };
  Kind kind = Kind::kThisSystem;
  std::string value;  // the file, the XML text or the synthetic description

  static TopologySource this_system() { return {}; }
  static TopologySource xml_file(std::string path) { return {Kind::kXmlFile, std::move(path)}; }
  static TopologySource xml_text(std::string xml) { return {Kind::kXmlText, std::move(xml)}; }
  static TopologySource synthetic(std::string desc) { return {Kind::kSynthetic, std::move(desc)}; }

  std::string describe() const;  // "this machine", "XML file /x.xml", "synthetic 'pack:2 pu:2'"
};

struct TopologyOptions {
  TopologySource source;
  // This machine only: keep the cores of the process' CPU binding (the step's cpuset).
  bool restrict_to_binding = true;
  // Keep only these PUs (any source; tests use it to play two agents on one host).
  std::optional<std::vector<PuId>> allowed_pus;
  // Keep only the PUs of these SLURM CPU ids (what the job holds on this node, common/util/allocation.h).
  // SLURM numbers a node's CPUs in hwloc's logical PU order (package, core, thread: slurmd maps its ids
  // to the machine's that way), so id i is the PU of logical index i. With task/none nothing else
  // confines the job to them. Any source; an id beyond the node's PUs is an error.
  std::optional<std::vector<std::uint32_t>> slurm_cpus;
  // Offer at most this much memory (SLURM's allocation on the node); nullopt: the NUMA nodes' memory.
  std::optional<std::uint64_t> memory_limit_bytes;
  // Find GPUs (PCI and OS devices). Off: cores and memory only, in about half the time (compss-rank,
  // which learns its GPUs from the agent).
  bool gpus = true;
  // Ask the CUDA driver too (this library, loaded with dlopen; cuda_probe.h): its devices hwloc did not
  // list are added. nullopt: hwloc alone. A driver that cannot be loaded is no error (noted in `cuda`).
  std::optional<std::string> cuda_library;
  // Keep only these GPUs (the node's own indices: the job's GPUs there, gpu_grant.h).
  std::optional<std::vector<GpuIndex>> visible_gpus;
};

Result<NodeTopology> discover_topology(const TopologyOptions& options);

// A GPU list as SLURM and CUDA write it (SLURM_STEP_GPUS, CUDA_VISIBLE_DEVICES; gpu_grant.h):
// "0,2" -> {0, 2}; "" or SLURM's "NoDevFiles" -> {} (no GPU). GPU UUIDs ("GPU-5bfd...") and MIG names are
// not understood: an error says so, and the caller may then ignore the variable.
Result<std::vector<GpuIndex>> parse_visible_gpus(std::string_view value);

// "2 packages, 2 NUMA, 16 cores, 2 GPUs, 64.0 GiB" for logs.
std::string summarize(const NodeTopology& topology);

}  // namespace compss::agent
