// hwloc_handle.h - owning handles for hwloc objects, used only inside daemon/agent's topology code.
//
// Lifecycle: a TopologyHandle destroys its topology, a BitmapHandle frees its bitmap, when they go.
// Failure: make_bitmap() returns an empty handle when hwloc cannot allocate.
// Thread-safety: as hwloc: one handle is used from one thread at a time.
#pragma once

#include <hwloc.h>

#include <memory>
#include <vector>

#include "daemon/agent/cuda_probe.h"
#include "daemon/agent/topology.h"

namespace compss::agent {

struct TopologyDeleter {
  void operator()(hwloc_topology_t t) const { hwloc_topology_destroy(t); }
};
struct BitmapDeleter {
  void operator()(hwloc_bitmap_t b) const { hwloc_bitmap_free(b); }
};
using TopologyHandle = std::unique_ptr<hwloc_topology, TopologyDeleter>;
using BitmapHandle = std::unique_ptr<hwloc_bitmap_s, BitmapDeleter>;

inline BitmapHandle make_bitmap() { return BitmapHandle(hwloc_bitmap_alloc()); }

// The GPUs of a loaded topology (see topology.h for what counts), with close cores taken from `cores`.
std::vector<GpuDesc> find_gpus(hwloc_topology_t topology, const std::vector<CoreDesc>& cores);

// Completes `gpus` with the CUDA driver's devices (cuda_probe.h): a device hwloc listed (same PCI bus id)
// gets the name "cuda<ordinal>"; one it did not is added, close to the cores of its PCI device's
// package when hwloc knows that device, else to every core; then the GPUs are numbered again in PCI
// bus order. Returns a sentence for the agent's log.
std::string add_cuda_gpus(hwloc_topology_t topology, const std::vector<CoreDesc>& cores, std::vector<GpuDesc>& gpus,
                          const std::vector<CudaDevice>& devices);

}  // namespace compss::agent
