#include "daemon/agents.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

extern char** environ;

namespace compss::daemon {

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
  if (argv.empty()) return fail("spawn: no command");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e) env_store.emplace_back(*e);
  for (const auto& kv : extra_env) {
    const auto key = kv.substr(0, kv.find('=') + 1);
    std::erase_if(env_store, [&](const std::string& s) { return s.rfind(key, 0) == 0; });
    env_store.push_back(kv);
  }
  std::vector<char*> envp;
  for (auto& s : env_store) envp.push_back(s.data());
  envp.push_back(nullptr);
  int out_fd = -1;
  if (!output.empty()) {
    out_fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (out_fd < 0) return fail("cannot open ", output, ": ", std::strerror(errno));
  }
  const std::string exec_error = "compssd: cannot execute " + argv[0] + ": ";
  pid_t pid = ::fork();
  if (pid < 0) {
    if (out_fd >= 0) ::close(out_fd);
    return fail("fork failed: ", std::strerror(errno));
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    if (out_fd >= 0) {
      ::dup2(out_fd, 1);
      ::dup2(out_fd, 2);
    }
    ::execvpe(args[0], args.data(), envp.data());
    const char* why = std::strerror(errno);
    (void)!::write(2, exec_error.data(), exec_error.size());
    (void)!::write(2, why, std::strlen(why));
    (void)!::write(2, "\n", 1);
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  if (out_fd >= 0) ::close(out_fd);
  return pid;
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
