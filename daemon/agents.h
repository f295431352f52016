// agents.h - starting compss-agent on the job's nodes, and the driver command of `compssd --exec`.
//
// srun mode (inside a SLURM allocation): one job step runs one agent per node,
//   srun --overlap --mpi=pmix -K0 -N<n> -n<n> --ntasks-per-node=1 [-w <nodes>] compss-agent --daemon H:P ...
// with the job's secret in the environment (COMPSS_SECRET), never in argv; each agent's output goes to
// <job-dir>/agents/<node>.log. local mode (tests without SLURM): N agents as plain child processes, named
// local1..localN. The commands are built by pure functions so tests can check them.
//
// Lifecycle: spawn() once per step or agent; stop() sends SIGTERM and, after a grace, SIGKILL to each
// child's process group; reap() collects exited children without blocking.
// Thread-safety: none.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace compss::daemon {

struct AgentLaunch {
  std::string agent_path;      // compss-agent
  std::string daemon_address;  // host:port the agents connect to
  std::string job_dir;
  std::uint32_t nodes = 1;     // srun: how many nodes (one agent each)
  std::string nodelist;        // srun -w; empty: the whole allocation
  std::string mpi = "pmix";    // srun --mpi value
};

// The --mpi plugin of the agents' step, which the MPI tasks' steps take too (the agent passes its own
// SLURM_MPI_TYPE on), from what `srun --mpi=list` printed: pmix when the site offers it, else pmi2, else
// none (MPI tasks then cannot wire up; each still starts). `why` gets the sentence for the log.
std::string choose_mpi_plugin(std::string_view list_output, std::string& why);

// The argv of the srun step that starts the agents.
std::vector<std::string> srun_agents_argv(const AgentLaunch& l);
// The argv of one local agent (local mode), named `node`.
std::vector<std::string> local_agent_argv(const AgentLaunch& l, const std::string& node);

// Forks and execs argv (common/util/spawn.h) with `extra_env` added to this process' environment, in its
// own process group, stdin from /dev/null, stdout/stderr to `output` (appended) when not empty. Signals
// unblocked.
Result<pid_t> spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                    const std::string& output);

// SIGTERM to each group, SIGKILL after `grace_ms` to those still alive; reaps them.
void stop_children(const std::vector<pid_t>& pids, int grace_ms);

}  // namespace compss::daemon
