// supervisor.h - compssd's first process when started with --restarts N: it runs the daemon as its child
// and starts it again, with --reattach, when a signal kills it while the job runs (doc/architecture.md,
// "A compssd restart").
//
//   compssd --restarts 20 --job-dir D --ready-fd 5     (as the SPANK plugin starts it)
//     supervisor: makes the job's secret, forks compssd --job-dir D --ready-fd P --secret-fd S
//     compssd killed (SIGKILL, SIGSEGV, the OOM killer) -> compssd --reattach K ... --secret-fd S2
//
// The supervisor holds no state of the run: the restarted compssd rebuilds it from the journal, listens
// on the same address and takes the agents and their tasks back. It forwards SIGTERM, SIGINT, SIGUSR1
// (with its sigqueue value: the plugin's "driver ended") and SIGUSR2 to the daemon (the plugin signals
// only the topmost compssd; a signal SLURM sends every process reaches the daemon twice, and compssd takes
// a repeat within 2 s as one); after a SIGTERM or SIGINT, or once the daemon exited by
// itself, nothing is restarted. The first daemon's readiness goes
// to the plugin's ready fd; a daemon that dies before it was ready the first time is not restarted (a
// start-up failure would only repeat), nor after three restarted daemons in a row died before they were
// ready (a crash loop), nor more than N times in all. It also adopts the daemon's orphans (PR_SET_CHILD_SUBREAPER) and
// reaps them, so that the agents' srun of a killed daemon is not left a zombie.
// Exit status: the daemon's (128 + signal when a signal ended it for good).
#pragma once

#include <string>
#include <vector>

namespace compss::daemon {

struct SuperviseConfig {
  std::vector<std::string> argv;  // compssd's command line without --restarts and --ready-fd
  unsigned max_restarts = 0;
  int ready_fd = -1;              // the plugin's: "ready\n" once the first daemon is ready
  std::string log_path;           // where the supervisor's lines go as well as stderr ("" none)
};

int supervise(const SuperviseConfig& cfg);

}  // namespace compss::daemon
