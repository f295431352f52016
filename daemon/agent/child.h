// child.h - everything a task's child process does between fork and exec, prepared beforehand.
//
// The agent builds an ExecPlan (argv, environment, the paths to try, working directory, CPU set) in the
// parent; run_in_child() then makes only async-signal-safe calls: reset signal dispositions and mask,
// new process group, stdin from /dev/null, stdout+stderr to the output pipe, close-on-exec for every
// other descriptor, bind, chdir, execve. When a step fails it writes a ChildFailure to the failure pipe
// (close-on-exec, so the parent reads nothing when exec succeeded) and exits with kLaunchFailedExit.
//
// Lifecycle: construct in place (the plan holds pointers into itself, so it neither moves nor copies),
// fork, call run_in_child() in the child. Thread-safety: the plan is read-only after construction.
#pragma once

#include <unistd.h>

#include <string>
#include <vector>

#include "daemon/agent/binding.h"
#include "daemon/agent/launch_types.h"

namespace compss::agent {

constexpr int kLaunchFailedExit = 127;

struct ChildFailure {
  enum Stage : int { kStdio = 1, kBind = 2, kChdir = 3, kExec = 4 };
  int stage = 0;
  int error = 0;  // errno
};

class ExecPlan {
 public:
  // `spec.argv` must not be empty (the launcher checks).
  ExecPlan(const LaunchSpec& spec, CpuSet cpus, std::vector<std::string> env);
  ExecPlan(const ExecPlan&) = delete;
  ExecPlan& operator=(const ExecPlan&) = delete;

  [[noreturn]] void run_in_child(int stdin_fd, int output_fd, int failure_fd) const noexcept;

 private:
  std::vector<std::string> argv_;
  std::vector<std::string> env_;
  std::vector<std::string> candidates_;
  std::string cwd_;
  CpuSet cpus_;
  std::vector<char*> argv_ptrs_;
  std::vector<char*> env_ptrs_;
  pid_t parent_ = getpid();  // the agent, recorded before fork: the child checks it is still its parent
};

// A sentence for TaskResult::reason: "command not found: 'frobnicate'".
std::string describe_failure(const ChildFailure& failure, const LaunchSpec& spec, const CpuSet& cpus);

}  // namespace compss::agent
