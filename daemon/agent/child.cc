// child.cc - the child side of launching a task (see child.h for why it is shaped this way).
#include "daemon/agent/child.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "daemon/agent/task_env.h"

namespace compss::agent {

namespace {

[[noreturn]] void fail_child(int failure_fd, int stage, int error) noexcept {
  ChildFailure f{stage, error};
  // Nothing more can be done when this write fails; the parent then sees the exit code alone.
  ssize_t rc = write(failure_fd, &f, sizeof f);
  (void)rc;
  _exit(kLaunchFailedExit);
}

void reset_signals() noexcept {
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> p;
  for (std::string& s : strings) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

}  // namespace

ExecPlan::ExecPlan(const LaunchSpec& spec, CpuSet cpus, std::vector<std::string> env)
    : argv_(spec.argv), env_(std::move(env)), cwd_(spec.cwd), cpus_(std::move(cpus)) {
  candidates_ = exec_candidates(argv_.at(0), env_);
  argv_ptrs_ = pointers(argv_);
  env_ptrs_ = pointers(env_);
}

void ExecPlan::run_in_child(int stdin_fd, int output_fd, int failure_fd) const noexcept {
  // Handlers first, then the mask: the parent forked with every signal blocked, so none can run an
  // agent handler in this child.
  reset_signals();
  setpgid(0, 0);
  // A task must not outlive its agent: if the agent is killed (kill -9, node trouble) the kernel kills the
  // task's main process, and the daemon re-runs it elsewhere. The agent may already be gone: check.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent_) _exit(kLaunchFailedExit);
  if (dup2(stdin_fd, STDIN_FILENO) < 0 || dup2(output_fd, STDOUT_FILENO) < 0 || dup2(output_fd, STDERR_FILENO) < 0) {
    fail_child(failure_fd, ChildFailure::kStdio, errno);
  }
  // The task must not inherit the agent's sockets or other tasks' pipes; a kernel without
  // close_range leaves this to the close-on-exec flags the agent sets anyway.
  close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  if (int err = cpus_.apply(); err != 0) fail_child(failure_fd, ChildFailure::kBind, err);
  if (!cwd_.empty() && chdir(cwd_.c_str()) != 0) fail_child(failure_fd, ChildFailure::kChdir, errno);

  bool denied = false;
  int last = ENOENT;
  for (const std::string& path : candidates_) {
    execve(path.c_str(), argv_ptrs_.data(), env_ptrs_.data());
    last = errno;
    if (last == EACCES) {
      denied = true;
    } else if (last != ENOENT && last != ENOTDIR) {
      break;  // the file is there but cannot run: searching further would hide why
    }
  }
  fail_child(failure_fd, ChildFailure::kExec, denied && (last == ENOENT || last == ENOTDIR) ? EACCES : last);
}

std::string describe_failure(const ChildFailure& f, const LaunchSpec& spec, const CpuSet& cpus) {
  std::string why = std::strerror(f.error);
  const std::string& command = spec.argv.empty() ? std::string() : spec.argv[0];
  switch (f.stage) {
    case ChildFailure::kStdio:
      return "cannot connect the task's standard streams: " + why;
    case ChildFailure::kBind:
      return "cannot bind the task to CPUs " + cpus.str() + ": " + why;
    case ChildFailure::kChdir:
      return "cannot enter the working directory '" + spec.cwd + "': " + why;
    case ChildFailure::kExec:
      if (f.error == ENOENT) {
        return "command not found: '" + command + "'" +
               (command.find('/') == std::string::npos ? " (not in the task's PATH)" : "");
      }
      return "cannot execute '" + command + "': " + why;
  }
  return "the task failed to start (stage " + std::to_string(f.stage) + "): " + why;
}

}  // namespace compss::agent
