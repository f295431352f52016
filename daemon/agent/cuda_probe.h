// cuda_probe.h - the node's GPUs as NVIDIA's CUDA driver lists them, to check and complete what hwloc
// found (topology.h).
//
// The driver library (libcuda.so.1, installed with the NVIDIA driver wherever CUDA programs can run) is
// loaded at run time with dlopen, so the agent needs no CUDA at build time and runs unchanged where there
// is none: then the probe says the driver is absent and the GPUs are hwloc's alone. Each device's PCI
// bus id comes back in one format, "0000:34:00.0" (lower-case hex, as topology.h writes it), in CUDA's
// order; what CUDA lists is what this process may use (CUDA_VISIBLE_DEVICES, device cgroups).
//
//   auto devices = probe_cuda("libcuda.so.1");
//   if (!devices) log::info("no CUDA driver: ", devices.error().message);
//
// Failure: an Error naming the library and the call that failed (not loadable, a symbol missing, cuInit
// refused). Thread-safety: callable from any thread; the library stays loaded once loaded.
#pragma once

#include <string>
#include <vector>

#include "common/util/result.h"

namespace compss::agent {

struct CudaDevice {
  int ordinal = 0;         // CUDA's device number in this process
  std::string pci_busid;   // "0000:34:00.0"
};

Result<std::vector<CudaDevice>> probe_cuda(const std::string& library);

// "0000:3B:00.0" or "00000000:3b:00.0" -> "0000:3b:00.0"; "" when it is not a PCI bus id.
std::string normal_busid(const std::string& id);

}  // namespace compss::agent
