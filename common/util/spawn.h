// spawn.h - starting a program as a child process, in an environment the caller chooses: the one fork/exec
// behind compssd's agents and driver (daemon/agents.h) and behind the SPANK plugin's start of compssd
// (spank-plugin/daemon_launch.h).
//
//   SpawnSpec s;
//   s.argv = {"srun", "--overlap", ...};
//   s.env = env_with(current_environment(), {"COMPSS_SECRET=..."}, {});
//   s.output = job_dir + "/agents/srun.log";
//   s.who = "compssd";
//   auto pid = spawn_process(s);
//
// The child:
//   - leads a process group of its own (setpgid on both sides of the fork, so the group exists before
//     either side signals it); it is not daemonized (no setsid): it stays in the caller's session and
//     process tree, and the caller stops it and what it started with one signal to the group;
//   - starts with every signal unblocked and at its default disposition (slurmstepd blocks SIGTERM, SIGUSR1
//     and more, and a child would inherit that);
//   - reads stdin from /dev/null; writes stdout and stderr to `output` (appended, created 0640) when given,
//     else to the caller's;
//   - gets exactly `env` as its environment; argv[0] without a '/' is looked up in the caller's PATH;
//   - keeps the descriptors the caller holds open without FD_CLOEXEC (on purpose: a ready pipe meant for
//     it), and none that this function opens.
// Failure: an Error (nothing started) when argv is empty, `output` cannot be opened or fork fails; the
// caller adds its own name to the message. A program
// that cannot be executed is a child that writes "<who>: cannot execute <argv[0]>: <why>" to its stderr
// (the output file, if any) and exits with status 127.
// Thread-safety: callable from any thread; between fork and exec the child makes only async-signal-safe
// calls.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/util/result.h"

namespace compss {

struct SpawnSpec {
  std::vector<std::string> argv;  // the program and its arguments; non-empty
  std::vector<std::string> env;   // the child's whole environment, "KEY=VALUE"
  std::string output;             // file for stdout and stderr, appended; empty: the caller's
  std::string who = "compss";     // names the caller in the child's exec error
};

Result<pid_t> spawn_process(const SpawnSpec& spec);

// This process' environment, "KEY=VALUE" each.
std::vector<std::string> current_environment();

// `env` without the variables whose keys `set` or `drop` name, then `set` appended:
//   env_with({"A=1", "B=2", "C=3"}, {"B=9"}, {"C"}) -> {"A=1", "B=9"}
std::vector<std::string> env_with(std::vector<std::string> env, const std::vector<std::string>& set,
                                  const std::vector<std::string>& drop);

}  // namespace compss
