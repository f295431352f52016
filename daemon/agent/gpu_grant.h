// gpu_grant.h - which of this node's GPUs the job may use, and the number a task uses for each, from the
// environment SLURM gives the agent's step (and, for an MPI task, each rank's step).
//
// SLURM gives a step the job's GPUs on each node as generic resources: slurmstepd sets SLURM_STEP_GPUS
// to their indices among the node's GPUs (gres.conf order, which is PCI bus order: the agent's own
// numbering, topology.h) and CUDA_VISIBLE_DEVICES to the numbers a program uses for them. With
// ConstrainDevices the step's cgroup sees only those devices and CUDA numbers them 0..k-1, so GPU 3
// of SLURM_STEP_GPUS=2,3 is CUDA_VISIBLE_DEVICES=1 inside the job; without it the numbers are the same.
//
// The rules, first that applies:
//   SLURM_STEP_GPUS set       keep exactly those; a task names GPU SLURM_STEP_GPUS[i] as
//                             CUDA_VISIBLE_DEVICES[i] (positionally; same numbers when that is unset,
//                             differs in length or is not numeric)
//   CUDA_VISIBLE_DEVICES set  (a site without GPU GRES that sets it another way) keep those numbers
//   neither                   every GPU hwloc finds (source says so, for the agent's log)
// Failure: an Error when SLURM_STEP_GPUS or a numeric-looking CUDA_VISIBLE_DEVICES cannot be read.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/util/result.h"
#include "daemon/agent/identity.h"  // EnvLookup, process_env
#include "daemon/agent/topology.h"

namespace compss::agent {

struct GpuGrant {
  std::optional<std::vector<GpuIndex>> keep;          // the node's GPUs the job may use; nullopt: all
  std::vector<std::pair<GpuIndex, GpuIndex>> rename;  // node index -> the task's number, where they differ
  std::string source;                                 // "SLURM_STEP_GPUS=2,3 (tasks see them as 0,1)"

  GpuIndex task_number(GpuIndex node_index) const;
  std::vector<GpuIndex> task_numbers(const std::vector<GpuIndex>& node_indices) const;
};

Result<GpuGrant> gpu_grant(const EnvLookup& env);

}  // namespace compss::agent
