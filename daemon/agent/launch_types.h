// launch_types.h - what the launcher is asked to run (LaunchSpec) and what it reports back (TaskResult).
//
// Plain values passed between the agent's protocol side and the Launcher (launcher.h).
// Thread-safety: plain values.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/util/ids.h"
#include "daemon/agent/topology.h"

namespace compss::agent {

struct LaunchSpec {
  TaskId task;
  std::uint32_t attempt = 0;
  std::string name;               // for the output record header; "" is written as "-"
  std::vector<std::string> argv;  // argv[0] is looked up in the task's PATH unless it holds a '/'
  std::string cwd;                // must exist; "" = the agent's own working directory
  // The task's environment before the launcher adds its own variables (the job's environment plus the
  // task's additions); a later entry for the same name wins.
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<CoreId> cores;  // exactly the cores to bind to (at least one)
  std::vector<GpuIndex> gpus;  // CUDA_VISIBLE_DEVICES; empty = no GPU visible to the task
  std::uint64_t memory_bytes = 0;  // the task's memory request: its process group is killed above it (0: none)
};

// A task started and not reported finished yet, as an agent registering again describes it.
struct RunningInfo {
  TaskId task;
  std::uint32_t attempt = 0;
  pid_t pid = -1;
  std::vector<CoreId> cores;
  std::vector<GpuIndex> gpus;
};

struct ExitStatus {
  enum class Kind { kExited, kSignaled };
  Kind kind = Kind::kExited;
  int code = 0;  // the exit code, or the signal number

  bool success() const { return kind == Kind::kExited && code == 0; }
  std::string str() const;  // "0", "127", "SIGKILL" (launcher_reap.cc)
};

// Where a finished task's output is: a byte range of the node's stream file, or the task's own file.
struct OutputLocation {
  std::string path;          // "" when the output could not be stored (see error)
  std::uint64_t offset = 0;  // of the first output byte in `path`
  std::uint64_t length = 0;  // output bytes stored
  bool own_file = false;     // true when the output passed the limit and spilled to task-<id>.<attempt>.out
  std::string error;         // why output was lost or cut short; "" when all of it is stored
};

struct TaskResult {
  TaskId task;
  std::uint32_t attempt = 0;
  pid_t pid = -1;
  ExitStatus exit;
  bool launch_failed = false;  // the command never ran (bad cwd, not found, not executable, binding)
  bool killed = false;         // kill() was asked for this task
  bool out_of_memory = false;  // killed for using more memory than it asked for
  std::string reason;          // for a person: "" on success, else what went wrong
  std::chrono::microseconds user_cpu{0};
  std::chrono::microseconds system_cpu{0};
  std::uint64_t max_rss_bytes = 0;  // peak resident set size of the task (and waited-for children)
  std::chrono::nanoseconds wall{0};  // from fork to reaping
  OutputLocation output;

  bool success() const { return !launch_failed && exit.success(); }
  std::chrono::microseconds cpu_time() const { return user_cpu + system_cpu; }
};

}  // namespace compss::agent
