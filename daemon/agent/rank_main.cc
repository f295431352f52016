// compss-rank: one rank of an MPI task, started by SLURM in the task's step (rank.h). Finds its cores and
// GPUs in COMPSS_RANK_BIND by SLURMD_NODENAME and SLURM_LOCALID, binds itself to those cores, sets
// OMP_NUM_THREADS, CUDA_VISIBLE_DEVICES, COMPSS_TASK_CORES and COMPSS_RANK (= SLURM_PROCID), and execs
// the program after "--". Exit status 127 when it cannot (the message on stderr names the rank).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <string>

#include "daemon/agent/binding.h"
#include "daemon/agent/gpu_grant.h"
#include "daemon/agent/rank.h"
#include "daemon/agent/topology.h"

using namespace compss;

namespace {

int fail_rank(const std::string& where, const std::string& why) {
  std::fprintf(stderr, "compss-rank (%s): %s\n", where.c_str(), why.c_str());
  return 127;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string list(const std::vector<std::uint32_t>& ids) {
  std::string s;
  for (auto id : ids) s += (s.empty() ? "" : ",") + std::to_string(id);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int first = 1;
  while (first < argc && std::string(argv[first]) != "--") ++first;
  if (first + 1 >= argc) return fail_rank("usage", "compss-rank -- PROGRAM [ARGS...] (started by the agent's srun)");
  const std::string node = env("SLURMD_NODENAME"), local = env("SLURM_LOCALID"), rank = env("SLURM_PROCID");
  const std::string where = "rank " + rank + " on " + node;
  if (node.empty() || local.empty()) return fail_rank(where, "SLURMD_NODENAME or SLURM_LOCALID is not set");
  auto place = agent::rank_place(env("COMPSS_RANK_BIND"), node, static_cast<std::uint32_t>(std::strtoul(local.c_str(), nullptr, 10)));
  if (!place) return fail_rank(where, place.error().message);
  agent::TopologyOptions o;
  o.restrict_to_binding = false;  // the cores come from the scheduler, not from this process' binding
  o.gpus = false;                 // the GPUs, too (COMPSS_RANK_BIND): cores are all it needs from hwloc
  auto topo = agent::discover_topology(o);
  if (!topo) return fail_rank(where, "cannot read this node's topology: " + topo.error().message);
  auto cpus = agent::CpuSet::for_cores(*topo, place->cores);
  if (!cpus) return fail_rank(where, cpus.error().message);
  if (auto s = agent::bind_calling_thread(*cpus); !s) return fail_rank(where, s.error().message);
  ::setenv("OMP_NUM_THREADS", std::to_string(place->cores.size()).c_str(), 1);
  // The rank's GPUs by the numbers this step's programs use for them (gpu_grant.h).
  auto grant = agent::gpu_grant(agent::process_env());
  if (!grant) return fail_rank(where, grant.error().message);
  ::setenv("CUDA_VISIBLE_DEVICES", list(grant->task_numbers(place->gpus)).c_str(), 1);
  ::setenv("CUDA_DEVICE_ORDER", "PCI_BUS_ID", 1);
  ::setenv("COMPSS_TASK_CORES", list(place->cores).c_str(), 1);
  ::setenv("COMPSS_RANK", rank.c_str(), 1);
  ::execvp(argv[first + 1], argv + first + 1);
  return fail_rank(where, std::string("cannot run ") + argv[first + 1] + ": " + std::strerror(errno));
}
