// binding.h - the CPU set of a task's cores, and putting a process on it.
//
// A CpuSet is built in the agent from core ids (as NodeTopology names them) and holds every usable PU of
// those cores, both as a list and as a ready-made affinity mask, so that apply() makes a single system
// call and may run in a child between fork and exec (it is async-signal-safe: no allocation, no locks).
//
//   auto cpus = CpuSet::for_cores(topology, {0, 2});   // error if a core is not on this node
//   ... fork() ... in the child: if (int err = cpus->apply(); err != 0) report(err);
//
// Failure: for_cores names the first unknown or repeated core; apply() returns an errno value.
// Thread-safety: a CpuSet is an immutable value; apply() binds the calling thread (the whole process in a
// freshly forked child, which has one thread).
#pragma once

#include <sched.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/util/result.h"
#include "daemon/agent/topology.h"

namespace compss::agent {

class CpuSet {
 public:
  CpuSet() = default;

  static Result<CpuSet> for_cores(const NodeTopology& topology, const std::vector<CoreId>& cores);
  static CpuSet for_pus(std::vector<PuId> pus);

  const std::vector<PuId>& pus() const { return pus_; }
  std::string str() const;  // cpulist notation, "0-3,8"
  bool empty() const { return pus_.empty(); }

  // Binds the calling thread; 0 or an errno value. Async-signal-safe.
  int apply() const noexcept;

 private:
  std::vector<PuId> pus_;
  std::vector<unsigned long> mask_;  // a cpu_set_t of mask_.size() words, for sched_setaffinity
};

// Binds the calling thread to `cpus` (the agent itself, or tests); the error names the set.
Status bind_calling_thread(const CpuSet& cpus);

// The PUs the calling thread may run on now.
Result<std::vector<PuId>> current_pus();

}  // namespace compss::agent
