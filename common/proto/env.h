// env.h - the task environment rule of `compss submit --export` (doc/spec/protocol.md, TaskSpec): which of
// a submitter's variables a task takes from it, and how compssd keeps only what differs from the job's
// environment, so that a thousand submits from one driver carry a few variables each, not a thousand
// copies of its environment.
//
//   caller_variable("MODULEPATH") == true; caller_variable("SLURM_NODEID") == false
//   TaskSpec t; t.exported = {"A=1", "HOME=/h"}; t.export_all = true;
//   resolve_export(t, {{"HOME", "/h"}, {"B", "2"}});   // t.env == {"A=1"}, t.env_unset == {"B"}
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "common/proto/messages.h"

namespace compss::proto {

// False for what a task gets from where it runs, never from its submitter: the runtime's and the
// node's variables (COMPSS_*, SLURM_*, SLURMD_*, PMI_*, PMIX_*, OMPI_*, PRTE_*, OMP_NUM_THREADS,
// CUDA_VISIBLE_DEVICES, CUDA_DEVICE_ORDER) and a shell's own bookkeeping (PWD, OLDPWD, SHLVL, _).
bool caller_variable(std::string_view name);

// The job's environment as compssd started with it (KEY=VALUE items), by name.
using EnvMap = std::unordered_map<std::string, std::string>;
EnvMap env_map(char** environ_list);

// Turns t.exported (and t.export_all) into t.env and t.env_unset relative to the job's environment:
// an exported caller variable the job lacks or holds with another value goes into env, before t.env's own
// items (an explicit --env wins); with export_all, every caller variable of the job that the submitter
// does not have goes into env_unset. Variables that are not caller_variable() are ignored. Afterwards
// exported is empty and export_all false, so a resolved spec resolves to itself.
void resolve_export(TaskSpec& t, const EnvMap& job_env);

}  // namespace compss::proto
