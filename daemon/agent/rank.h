// rank.h - an MPI task as one SLURM job step, and where each of its ranks runs.
//
// The agent that gets an MPI task's assign (assign.mpi, protocol.md) runs one step over the task's nodes:
//
//   srun --overlap --mpi=pmix --jobid=J -N K -n P -m arbitrary ... compss-rank -- PROGRAM ARGS
//                                     (step_argv; SLURM_HOSTFILE names each rank's node: hostfile_text)
//
// Ranks are placed in the order of the slots, `ranks` on each slot's node, so rank r's node is known.
// SLURM binds nothing (the elastic jobs run with task/none): each rank's compss-rank finds its cores and
// GPUs in COMPSS_RANK_BIND (bind_text) by its node and local rank (SLURMD_NODENAME, SLURM_LOCALID), binds
// itself to them with hwloc, sets OMP_NUM_THREADS, CUDA_VISIBLE_DEVICES, COMPSS_TASK_CORES and
// COMPSS_RANK, and execs the program, whose own MPI_Init then talks to SLURM's PMIx server.
//
//   COMPSS_RANK_BIND="n1=0,1/0:2,3/1 n2=0,1:2,3"   node=rank0:rank1..., each "cores[/gpus]"
//
// Failure: rank_place names what is missing or malformed. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"
#include "daemon/agent/topology.h"

namespace compss::agent {

struct RankSlot {  // the ranks of one node, as the scheduler placed them
  std::string node;
  std::uint32_t ranks = 1;
  std::vector<CoreId> cores;  // ranks x cores per rank, rank-major
  std::vector<GpuIndex> gpus;  // ranks x GPUs per rank, rank-major
};

struct RankPlace {
  std::vector<CoreId> cores;
  std::vector<GpuIndex> gpus;
};

std::string bind_text(const std::vector<RankSlot>& slots);
// One node name per line, one line per rank, in rank order (for SLURM_HOSTFILE with -m arbitrary).
std::string hostfile_text(const std::vector<RankSlot>& slots);
// srun's command line for the step; `mpi` is the --mpi plugin, `rank_exe` compss-rank's path.
std::vector<std::string> step_argv(const std::vector<RankSlot>& slots, const std::string& job_id,
                                   const std::string& mpi, const std::string& rank_exe,
                                   const std::vector<std::string>& argv);
// The place of local rank `local` on `node` in a bind_text() value.
Result<RankPlace> rank_place(std::string_view bind, std::string_view node, std::uint32_t local);

// Which rank ended the step, from srun's own lines in the step's output ("srun: error: n1: task 1:
// Exited with exit code 3"): "rank 1 on n1: exited with exit code 3". The first rank that did not just
// get the step's TERM is named (the others are its consequence); "" when srun named none.
std::string step_failure(std::string_view output);

// The variables a step's launcher must not pass on from the agent's own step (its PMIx and MPI session,
// its step's ids and layout): the new step gets its own from SLURM. OMPI_MCA_* settings pass.
bool inherited_step_variable(std::string_view name);

}  // namespace compss::agent
