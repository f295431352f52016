// The agent's identity from the variables srun sets (the PMIx path runs on the real cluster).
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <map>

#include "daemon/agent/identity.h"
#include "tests/unit/agent/fake_env.h"

using namespace compss::agent;

namespace {

using test::env_of;

const std::map<std::string, std::string> kStep = {{"SLURM_PROCID", "2"},
                                                  {"SLURM_NODEID", "2"},
                                                  {"SLURM_STEP_NUM_TASKS", "4"},
                                                  {"SLURM_NTASKS", "9"},
                                                  {"SLURM_NNODES", "4"},
                                                  {"SLURMD_NODENAME", "n3"}};

std::map<std::string, std::string> step_without(const std::string& name) {
  auto vars = kStep;
  vars.erase(name);
  return vars;
}

}  // namespace

TEST_CASE("an agent started by srun without PMIx knows itself from SLURM's variables", "[identity]") {
  auto id = identity_from_env(env_of(kStep), "vm");
  REQUIRE(id.ok());
  CHECK(id->rank == 2);
  CHECK(id->node_id == 2);
  CHECK(id->size == 4);
  CHECK(id->node_name == "n3");
  CHECK(id->source == "environment");
}

TEST_CASE("the launch size falls back from the step's task count to the job's, then to the node count",
          "[identity]") {
  auto no_step = identity_from_env(env_of(step_without("SLURM_STEP_NUM_TASKS")), "vm");
  REQUIRE(no_step.ok());
  CHECK(no_step->size == 9);
  auto vars = step_without("SLURM_STEP_NUM_TASKS");
  vars.erase("SLURM_NTASKS");
  auto nodes_only = identity_from_env(env_of(vars), "vm");
  REQUIRE(nodes_only.ok());
  CHECK(nodes_only->size == 4);
}

TEST_CASE("without SLURMD_NODENAME the host name stands in", "[identity]") {
  auto id = identity_from_env(env_of(step_without("SLURMD_NODENAME")), "vm");
  REQUIRE(id.ok());
  CHECK(id->node_name == "vm");
}

TEST_CASE("a missing or malformed variable is an error that names it", "[identity]") {
  auto no_rank = identity_from_env(env_of(step_without("SLURM_PROCID")), "vm");
  REQUIRE_FALSE(no_rank.ok());
  CHECK(no_rank.error().message == "SLURM_PROCID is not set (is this agent started by srun?)");

  auto bad = kStep;
  bad["SLURM_NODEID"] = "two";
  auto malformed = identity_from_env(env_of(bad), "vm");
  REQUIRE_FALSE(malformed.ok());
  CHECK(malformed.error().message.find("SLURM_NODEID") != std::string::npos);

  auto high = kStep;
  high["SLURM_PROCID"] = "4";
  auto out_of_range = identity_from_env(env_of(high), "vm");
  REQUIRE_FALSE(out_of_range.ok());
  CHECK(out_of_range.error().message == "SLURM_PROCID 4 is not below the launch size 4");

  auto none = identity_from_env(env_of({{"SLURM_PROCID", "0"}, {"SLURM_NODEID", "0"}}), "vm");
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message.find("none of SLURM_STEP_NUM_TASKS") == 0);
}

TEST_CASE("discover_identity uses the process environment when no PMIx server is announced", "[identity]") {
  unsetenv("PMIX_NAMESPACE");
  for (const auto& [k, v] : kStep) setenv(k.c_str(), v.c_str(), 1);
  auto id = discover_identity();
  for (const auto& [k, v] : kStep) unsetenv(k.c_str());
  REQUIRE(id.ok());
  CHECK(id->source == "environment");
  CHECK(id->rank == 2);
  CHECK(id->node_name == "n3");
}

TEST_CASE("an announced PMIx server that cannot be reached falls back to the environment", "[identity]") {
  setenv("PMIX_NAMESPACE", "compss-test-no-server", 1);
  for (const auto& [k, v] : kStep) setenv(k.c_str(), v.c_str(), 1);
  auto direct = identity_from_pmix();
  auto id = discover_identity();
  unsetenv("PMIX_NAMESPACE");
  for (const auto& [k, v] : kStep) unsetenv(k.c_str());
  REQUIRE_FALSE(direct.ok());
  CHECK(direct.error().message.find("PMIx_Init failed") == 0);
  REQUIRE(id.ok());
  CHECK(id->source == "environment");
  CHECK(id->node_id == 2);
}
