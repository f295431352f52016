// task_env.h - a task's environment and the paths its command may be at, built in the agent before fork.
//
// build_task_env() starts from LaunchSpec::env and sets the launcher's own variables, overriding the
// same names from the job:
//   OMP_NUM_THREADS       the number of assigned cores
//   CUDA_VISIBLE_DEVICES  the assigned GPUs, "0,2"; set and empty when none, so a task that asked for
//                         no GPU cannot use one
//   CUDA_DEVICE_ORDER     PCI_BUS_ID, the order in which the agent numbers GPUs (topology.h)
//   COMPSS_TASK_ID, COMPSS_TASK_ATTEMPT
//   COMPSS_TASK_CORES     the assigned core ids, "0,1" (the task may check its binding against it)
// exec_candidates() resolves the command as execvp would, but with the task's PATH rather than the
// agent's, so that the child only tries execve on ready-made strings.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "daemon/agent/launch_types.h"

namespace compss::agent {

// "NAME=value" strings, each name once.
std::vector<std::string> build_task_env(const LaunchSpec& spec);

// The paths to try in order: the command itself when it holds a '/', else each PATH entry + "/" + command
// ("" entries mean the working directory). PATH comes from `env` ("NAME=value" strings); without one,
// "/usr/local/bin:/usr/bin:/bin".
std::vector<std::string> exec_candidates(const std::string& command, const std::vector<std::string>& env);

}  // namespace compss::agent
