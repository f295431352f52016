// launcher.h - runs tasks as child processes of the agent: bound to their cores, with their environment,
// their output captured, their end reported.
//
// Lifecycle: Launcher::create(io, topology, config) on the agent's io_context (it starts watching SIGCHLD
// before any task is forked); on_started()/on_finished() to hear about tasks; then start(), kill() and
// kill_all() from the io_context's thread. Tasks are reaped while the io_context runs. Destroying the
// Launcher SIGKILLs every task group still running and reaps them (blocking), without callbacks; do not
// destroy it from inside one of its callbacks.
//
// What start() does (the child part is child.h, the environment task_env.h, the output output.h):
//   - clone(CLONE_VM | CLONE_VFORK) (fork where the kernel refuses it): the child borrows the agent's
//     memory until it execs, so no page tables are copied, and runs only child.h's async-signal-safe
//     steps on a stack of its own; the child gets a process group of its own (setpgid), stdin from /dev/null, stdout and
//     stderr on one pipe to the agent, exactly the PUs of its cores (sched_setaffinity), the task's
//     working directory, and execs the command found in the task's PATH;
//   - a task that cannot start (working directory missing, command not found, binding refused) still
//     gets on_started and then on_finished with launch_failed, exit 127 and a reason; the agent goes on;
//   - SIGCHLD (asio::signal_set) -> wait4 on each of this launcher's pids (never wait(-1): other parts of
//     the agent may have children) -> exit code or signal, user+system CPU time and peak RSS from rusage,
//     wall time from steady_clock;
//   - when the task's main process ends, whatever it left behind in its process group is SIGKILLed (a
//     task's lifetime is its main process'), the rest of its output is read (up to drain_timeout, for
//     output held open by a process that left the group), one record goes to the node's stream file, and
//     on_finished gets the TaskResult.
// kill(task, signal, grace) sends `signal` to the task's whole process group and SIGKILL after `grace`
// if the main process is still there. Task timeouts are the daemon's (the scheduler decides the kill, see
// doc/spec/states.md); the launcher has no clock of its own for them.
//
// Errors: start() and kill() return an Error (nothing started, nothing changed) for a request that cannot
// be carried out: unknown core or GPU, a task id already running, no command, fork or pipe failure.
// Thread-safety: none; everything on the io_context's thread. Callbacks run on that thread.
#pragma once

#include <utility>  // before Asio: Boost 1.74's Asio needs it under C++20

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "common/util/result.h"
#include "daemon/agent/launch_profile.h"
#include "daemon/agent/launch_types.h"
#include "daemon/agent/output.h"
#include "daemon/agent/topology.h"

namespace compss::agent {

class ExecPlan;  // child.h

struct LauncherConfig {
  std::string node_name;   // the stream file is <output_dir>/<node_name>.out
  std::string output_dir;  // created when missing
  std::size_t output_limit = 64 * 1024;  // bytes kept in memory per task before spilling to its own file
  std::chrono::milliseconds drain_timeout{1000};  // output awaited after the main process ended
};

class Launcher {
 public:
  using StartedFn = std::function<void(TaskId task, std::uint32_t attempt, pid_t pid)>;
  using FinishedFn = std::function<void(const TaskResult& result)>;

  static Result<std::unique_ptr<Launcher>> create(boost::asio::io_context& io, NodeTopology topology,
                                                  LauncherConfig config);
  ~Launcher();
  Launcher(const Launcher&) = delete;
  Launcher& operator=(const Launcher&) = delete;

  void on_started(StartedFn fn) { on_started_ = std::move(fn); }
  void on_finished(FinishedFn fn) { on_finished_ = std::move(fn); }

  // Forks the task; on_started is called before this returns.
  Result<pid_t> start(const LaunchSpec& spec);
  // Signals the task's process group; SIGKILL follows after `grace` (none when grace is 0).
  Status kill(TaskId task, int signal = SIGTERM, std::chrono::milliseconds grace = std::chrono::seconds(5));
  void kill_all(int signal = SIGTERM, std::chrono::milliseconds grace = std::chrono::seconds(5));

  bool is_running(TaskId task) const;  // started and its main process not yet ended
  bool holds(TaskId task) const;       // started and its finish not reported yet (start() would refuse it)
  std::size_t running() const;
  std::vector<RunningInfo> unfinished() const;  // started, their finish not reported yet
  const std::string& stream_path() const { return stream_.path(); }
  const NodeTopology& topology() const { return topology_; }
  LaunchProfile& profile() { return profile_; }  // the agent adds its own step (env)

 private:
  struct Running;
  Launcher(boost::asio::io_context& io, NodeTopology topology, LauncherConfig config, int devnull);

  Status check_request(const LaunchSpec& spec) const;
  void watch_children();
  void reap();
  void on_exit(const std::shared_ptr<Running>& r);
  void watch_memory();  // while tasks with a memory request run: every 500 ms, their groups' resident size
  void read_output(const std::shared_ptr<Running>& r);
  void maybe_finish(const std::shared_ptr<Running>& r);
  pid_t spawn(const ExecPlan& plan, int output_fd, int failure_fd);
  TaskResult make_result(Running& r);

  boost::asio::io_context& io_;
  NodeTopology topology_;
  LauncherConfig config_;
  int devnull_;
  std::unique_ptr<char[]> child_stack_;  // the stack a cloned child runs on until it execs (one at a time)
  LaunchProfile profile_;
  bool clone_vm_ = true;                  // false once the kernel refused CLONE_VM | CLONE_VFORK: fork
  boost::asio::signal_set sigchld_;
  boost::asio::steady_timer memory_timer_;
  bool memory_watch_ = false;
  OutputStream stream_;
  std::unordered_map<TaskId, std::shared_ptr<Running>> tasks_;
  StartedFn on_started_;
  FinishedFn on_finished_;
  std::shared_ptr<int> life_ = std::make_shared<int>(0);  // handlers check it: the launcher may be gone
};

}  // namespace compss::agent
