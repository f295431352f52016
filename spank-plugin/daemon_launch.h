// daemon_launch.h - starting compssd for a job or step, and reading back what it publishes.
//
// start_compssd forks and execs compssd with `--options <value> --job-dir <dir> --socket <path> --ready-fd N`
// (common/util/spawn.h), in the environment it is given (the job's, not the calling process's), then waits
// for the line "ready" on the pipe, at most `ready_timeout_s`. The child is NOT daemonized: it stays in the
// caller's process tree (and SLURM's process tracking) and only becomes the leader of its own process group,
// so that the end of the job can signal it and everything it started. Before exec it unblocks every signal
// and restores every disposition (slurmstepd blocks SIGTERM, SIGUSR1 and more, and a child would inherit
// that), and its stdin is /dev/null; stdout and stderr are the caller's (in a batch task: the job's output
// file); of the pipe it keeps only the write end.
// Failure behaviour: Error when compssd cannot be executed, exits before "ready", or does not say "ready" in
// time (then it is killed with its process group); the message names the command, the exit status and the
// log to read. Nothing throws.
// Thread-safety: call from a single-threaded process (the SLURM task before exec); forks.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/util/result.h"

namespace compss::spank {

struct DaemonLaunch {
  std::string compssd;            // path of the executable
  std::string options;            // canonical --compss value; empty: none
  std::string job_dir;            // created by compssd
  std::string socket;             // Unix socket path; empty: compssd's default
  std::vector<std::string> env;   // the complete environment, "KEY=VALUE"
  unsigned ready_timeout_s = 120;
  unsigned restarts = 0;  // compssd --restarts: run it under its supervisor (daemon/supervisor.h)
};

Result<pid_t> start_compssd(const DaemonLaunch& l);

// The compssd to run: the site's path when it is executable, else `compssd` found in `path_var` (the job's
// PATH: an uninstalled build, a test cluster), else the site's path (whose failure to start is then reported).
std::string resolve_compssd(const std::string& site_path, const std::string& path_var);

// The "KEY=VALUE" lines of <job-dir>/env (COMPSS_SOCKET, COMPSS_ADDRESS, COMPSS_JOB_DIR).
Result<std::vector<std::string>> read_env_file(const std::string& path);

// Waits (polling, at most timeout_ms) until the env file names COMPSS_SOCKET, COMPSS_ADDRESS and
// COMPSS_JOB_DIR, as compssd writes it for the other tasks of a step; returns its lines.
Result<std::vector<std::string>> wait_env_file(const std::string& path, unsigned timeout_ms);

}  // namespace compss::spank
