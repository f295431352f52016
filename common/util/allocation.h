// allocation.h - what SLURM allocated to the job on each node, as compssd hands it to the agents.
//
// compssd reads the job's resources from slurmctld (the connector) and passes them to the agents' step
// in one environment variable, COMPSS_ALLOCATION, since one srun starts the agents of many nodes:
//   "n1=1 n2=0-1/2048"     node=SLURM's CPU ids[/memory in MiB], entries separated by spaces
// Each agent takes its own node's entry and offers only those CPUs (and at most that memory) to tasks.
// The CPU ids are SLURM's numbering of the node's CPUs (topology.h says how they map to the machine).
// Failure: parse_allocation names the bad entry. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace compss {

inline constexpr const char* kAllocationEnv = "COMPSS_ALLOCATION";

struct NodeShare {
  std::vector<std::uint32_t> cpus;  // SLURM CPU ids, ascending
  std::uint64_t memory_mb = 0;      // 0: not limited
};

using Allocation = std::map<std::string, NodeShare>;

std::string format_allocation(const Allocation& a);
Result<Allocation> parse_allocation(std::string_view s);

}  // namespace compss
