#include "daemon/agents.h"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "common/util/parse.h"
#include "common/util/spawn.h"

namespace compss::daemon {

std::string choose_mpi_plugin(std::string_view list_output, std::string& why) {
  // srun --mpi=list: a heading, then one plugin name per line ("\tpmix"), then perhaps a line naming
  // versions ("specific pmix plugin versions available: pmix_v4").
  std::vector<std::string> offered;
  for (std::string_view line : split(list_output, '\n')) {
    line = trim(line);
    if (line.empty() || line.find(' ') != std::string_view::npos || line.find(':') != std::string_view::npos) continue;
    offered.emplace_back(line);
  }
  const std::string list = offered.empty() ? std::string("nothing") : join(offered, ", ");
  for (const char* want : {"pmix", "pmi2"}) {
    if (std::find(offered.begin(), offered.end(), want) != offered.end()) {
      why = std::string("MPI steps use --mpi=") + want + " (srun --mpi=list offers " + list + ")";
      return want;
    }
  }
  why = "MPI steps use --mpi=none: srun --mpi=list offers " + list +
        ", neither pmix nor pmi2, so MPI tasks' ranks cannot find each other";
  return "none";
}

std::vector<std::string> srun_agents_argv(const AgentLaunch& l) {
  const std::string n = std::to_string(l.nodes);
  std::vector<std::string> argv{"srun",
                                "--overlap",
                                "--mpi=" + l.mpi,
                                "--kill-on-bad-exit=0",
                                "--job-name=compss-agents",
                                "-N" + n,
                                "-n" + n,
                                "--ntasks-per-node=1",
                                "--output=" + l.job_dir + "/agents/%N.log"};
  if (!l.nodelist.empty()) argv.push_back("--nodelist=" + l.nodelist);
  argv.insert(argv.end(), {l.agent_path, "--daemon", l.daemon_address, "--job-dir", l.job_dir});
  return argv;
}

std::vector<std::string> local_agent_argv(const AgentLaunch& l, const std::string& node) {
  return {l.agent_path, "--daemon", l.daemon_address, "--job-dir", l.job_dir, "--node", node};
}

Result<pid_t> spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                    const std::string& output) {
  SpawnSpec s;
  s.argv = argv;
  s.env = env_with(current_environment(), extra_env, {});
  s.output = output;
  s.who = "compssd";
  return spawn_process(s);
}

void stop_children(const std::vector<pid_t>& pids, int grace_ms) {
  for (pid_t p : pids) ::kill(-p, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
  std::vector<pid_t> left = pids;
  while (!left.empty() && std::chrono::steady_clock::now() < deadline) {
    std::erase_if(left, [](pid_t p) { return ::waitpid(p, nullptr, WNOHANG) == p; });
    if (!left.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (pid_t p : left) {
    ::kill(-p, SIGKILL);
    ::waitpid(p, nullptr, 0);
  }
}

}  // namespace compss::daemon
