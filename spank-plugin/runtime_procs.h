// runtime_procs.h - finding and stopping every process of one runtime (a compssd and all it started).
//
// The plugin starts compssd with a marker in its environment, COMPSS_RUNTIME_STEP=<job>.<step>; everything
// compssd starts (the agents' srun, the agents on this host, their tasks) inherits it. At the end of the job
// or step, slurmstepd (root) finds those processes by reading /proc/<pid>/environ, restricted to the job
// owner's uid: no pid file the user could forge, and no dependence on the proctrack plugin (compssd is
// re-parented to init once the batch script exits, where proctrack/linuxproc no longer sees it).
//
// stop_runtime: SIGUSR1 to the runtime's compssd (compssd: "the driver ended, finish the remaining tasks
// and exit"), wait up to finish_timeout_s for them to exit, then SIGTERM to whatever carries the marker, a
// short grace, and SIGKILL. Zombies count as gone. Every signal goes through a pidfd after the process's
// owner and marker are read again, so a pid reused since the scan is never signalled.
// Failure behaviour: best effort, never fails; the report says what happened for the log.
// Thread-safety: reads /proc and sends signals; no shared state.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace compss::spank {

struct MarkedProc {
  pid_t pid = 0;
  pid_t ppid = 0;
  std::string argv0;  // first word of /proc/<pid>/cmdline
  std::string argv1;  // second word (a script run through its interpreter: the script's path)
  std::string exe;    // target of /proc/<pid>/exe
};

// Live processes (not zombies) of `uid` whose environment contains exactly `marker` ("KEY=VALUE").
// `proc_root` is "/proc" except in tests.
std::vector<MarkedProc> find_marked(uid_t uid, const std::string& marker, const std::string& proc_root = "/proc");

// The compssd processes among `procs`: started as `compssd` (argv[0], as the plugin execs it; argv[1] when the
// site's compssd is a script), or running that executable, and whose parent is not such a process (a child
// between fork and exec). Agents carry the marker too but must not get SIGUSR1.
std::vector<pid_t> daemons_of(const std::vector<MarkedProc>& procs, const std::string& compssd);

struct StopReport {
  int daemons = 0;         // processes that got SIGUSR1
  bool finished = false;   // they all exited within the timeout
  bool cancelled = false;  // `cancelled` said stop waiting: compssd got SIGTERM instead
  double waited_s = 0;
  int terminated = 0;      // leftovers that got SIGTERM (and SIGKILL if they stayed)
};

// `cancelled`, when given, is asked about once a second while compssd finishes; once it returns true (the job
// was cancelled or timed out meanwhile) compssd gets SIGTERM (kill the tasks, write the summary) and at most
// kCancelGraceS more seconds. Without it a cancelled job would wait for finish_timeout: once the script has
// exited, compssd is no longer in the process tree SLURM signals.
constexpr unsigned kCancelGraceS = 10;
StopReport stop_runtime(uid_t uid, const std::string& marker, const std::string& compssd, unsigned finish_timeout_s,
                        unsigned grace_ms = 2000, const std::function<bool()>& cancelled = {});

// SIGTERM, grace, SIGKILL to every marked process without asking for a finish (failed start, exit path).
int kill_runtime(uid_t uid, const std::string& marker, unsigned grace_ms = 2000);

}  // namespace compss::spank
