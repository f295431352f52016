// identity.h - who this agent is among the job's agents: rank, node id, how many, node name.
//
// compssd starts the agents as one srun step (`srun --mpi=pmix -N<k> --ntasks-per-node=1 compss-agent`).
// Under the pmix plugin the agent asks PMIx (PMIx_Init, PMIx_Get of PMIX_RANK via the process name,
// PMIX_NODEID, PMIX_JOB_SIZE, PMIX_HOSTNAME; then PMIx_Finalize). Without PMIx, or when PMIx fails, the
// variables srun sets give the same facts: SLURM_PROCID, SLURM_NODEID, SLURM_STEP_NUM_TASKS (else
// SLURM_NTASKS, else SLURM_NNODES) and SLURMD_NODENAME (else the host name).
//
// Failure: an Error naming the missing or malformed variable (or the PMIx call that failed).
// Thread-safety: identity_from_env is pure; identity_from_pmix and discover_identity initialise and
// finalise the PMIx client, so call them once, from one thread, at start-up.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/util/result.h"

namespace compss::agent {

struct AgentIdentity {
  std::uint32_t rank = 0;     // this agent's rank in its launch, 0-based
  std::uint32_t node_id = 0;  // the node's index in the launch, 0-based
  std::uint32_t size = 1;     // how many agents the launch started
  std::string node_name;      // SLURM's name for this node ("n3")
  std::string source;         // "pmix" or "environment"
};

// Reads one environment variable; nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

EnvLookup process_env();

// From the variables srun sets; `host_name` stands in when SLURMD_NODENAME is absent.
Result<AgentIdentity> identity_from_env(const EnvLookup& env, const std::string& host_name);

// From the PMIx server of the step (only meaningful under srun --mpi=pmix).
Result<AgentIdentity> identity_from_pmix();

// PMIx when the environment says a PMIx server is there (PMIX_NAMESPACE), else or on failure (logged)
// the environment.
Result<AgentIdentity> discover_identity();

}  // namespace compss::agent
