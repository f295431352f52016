// identity.cc - the agent's identity from the environment srun sets (PMIx: identity_pmix.cc).
#include "daemon/agent/identity.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "common/util/log.h"
#include "common/util/parse.h"

namespace compss::agent {

namespace {

Result<std::uint32_t> read_number(const EnvLookup& env, std::string_view name) {
  auto value = env(name);
  if (!value) return fail(name, " is not set (is this agent started by srun?)");
  auto n = parse_uint(*value, name, 0, UINT32_MAX - 1);
  if (!n) return n.error();
  return static_cast<std::uint32_t>(*n);
}

Result<std::uint32_t> launch_size(const EnvLookup& env) {
  for (std::string_view name : {"SLURM_STEP_NUM_TASKS", "SLURM_NTASKS", "SLURM_NNODES"}) {
    if (env(name)) return read_number(env, name);
  }
  return fail("none of SLURM_STEP_NUM_TASKS, SLURM_NTASKS, SLURM_NNODES is set (is this agent started by srun?)");
}

std::string this_host() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

}  // namespace

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

Result<AgentIdentity> identity_from_env(const EnvLookup& env, const std::string& host_name) {
  AgentIdentity id;
  id.source = "environment";
  auto rank = read_number(env, "SLURM_PROCID");
  if (!rank) return rank.error();
  auto node = read_number(env, "SLURM_NODEID");
  if (!node) return node.error();
  auto size = launch_size(env);
  if (!size) return size.error();
  if (*rank >= *size) {
    return fail("SLURM_PROCID ", std::to_string(*rank), " is not below the launch size ", std::to_string(*size));
  }
  id.rank = *rank;
  id.node_id = *node;
  id.size = *size;
  auto name = env("SLURMD_NODENAME");
  id.node_name = name && !name->empty() ? *name : host_name;
  return id;
}

Result<AgentIdentity> discover_identity() {
  EnvLookup env = process_env();
  if (env("PMIX_NAMESPACE")) {
    auto id = identity_from_pmix();
    if (id) return id;
    log::warn("PMIx did not give this agent its identity (", id.error().message, "); using SLURM's variables");
  }
  return identity_from_env(env, this_host());
}

}  // namespace compss::agent
