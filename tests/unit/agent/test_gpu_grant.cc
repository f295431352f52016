// Which GPUs the job holds on a node and how its tasks number them, from SLURM's step environment
// (gpu_grant.h), on its own and applied to the project's GPU topology.
#include <catch2/catch.hpp>

#include <map>

#include "daemon/agent/gpu_grant.h"
#include "daemon/agent/topology.h"
#include "tests/unit/agent/fake_env.h"
#include "tests/unit/agent/paths.h"

using namespace compss::agent;
using Ids = std::vector<std::uint32_t>;

namespace {

using test::env_of;

GpuGrant grant_ok(std::map<std::string, std::string> vars) {
  auto g = gpu_grant(env_of(std::move(vars)));
  INFO((g ? std::string() : g.error().message));
  REQUIRE(g.ok());
  return *g;
}

}  // namespace

TEST_CASE("SLURM_STEP_GPUS keeps the job's GPUs; under ConstrainDevices tasks number them from 0",
          "[gpu][grant]") {
  GpuGrant g = grant_ok({{"SLURM_STEP_GPUS", "2,3"}, {"CUDA_VISIBLE_DEVICES", "0,1"}});
  REQUIRE(g.keep);
  CHECK(*g.keep == Ids{2, 3});
  CHECK(g.task_numbers({3}) == Ids{1});
  CHECK(g.task_numbers({2, 3}) == Ids{0, 1});
  CHECK(g.source == "SLURM_STEP_GPUS=2,3 (tasks see them as 0,1)");
  // Without device constraint SLURM sets the node's own numbers: nothing to translate.
  GpuGrant same = grant_ok({{"SLURM_STEP_GPUS", "2,3"}, {"CUDA_VISIBLE_DEVICES", "2,3"}});
  CHECK(same.rename.empty());
  CHECK(same.task_numbers({3}) == Ids{3});
  // A CUDA_VISIBLE_DEVICES that does not pair up (UUIDs, another length) is not used to translate.
  GpuGrant odd = grant_ok({{"SLURM_STEP_GPUS", "1"}, {"CUDA_VISIBLE_DEVICES", "GPU-5bfda7ef"}});
  CHECK(*odd.keep == Ids{1});
  CHECK(odd.task_numbers({1}) == Ids{1});
  CHECK(odd.source.find("does not match it") != std::string::npos);
}

TEST_CASE("a step without GPUs on the node keeps none", "[gpu][grant]") {
  GpuGrant g = grant_ok({{"SLURM_STEP_GPUS", ""}, {"CUDA_VISIBLE_DEVICES", ""}});
  REQUIRE(g.keep);
  CHECK(g.keep->empty());
}

TEST_CASE("without SLURM's GPU list, CUDA_VISIBLE_DEVICES or else every GPU", "[gpu][grant]") {
  GpuGrant cvd = grant_ok({{"CUDA_VISIBLE_DEVICES", "1,3"}});
  CHECK(*cvd.keep == Ids{1, 3});
  CHECK(cvd.task_numbers({3}) == Ids{3});
  GpuGrant all = grant_ok({});
  CHECK_FALSE(all.keep);
  CHECK(all.source.find("every GPU on the node") == 0);
}

TEST_CASE("an unreadable SLURM_STEP_GPUS is an error naming it", "[gpu][grant]") {
  auto g = gpu_grant(env_of({{"SLURM_STEP_GPUS", "0,x"}}));
  REQUIRE_FALSE(g.ok());
  CHECK(g.error().message.find("SLURM_STEP_GPUS='0,x'") == 0);
}

TEST_CASE("the granted GPUs of a node keep their close cores", "[gpu][grant][topology]") {
  // two-packages-4gpus.xml: GPUs 0,1 on package 0, GPUs 2,3 on package 1.
  GpuGrant g = grant_ok({{"SLURM_STEP_GPUS", "1,2"}, {"CUDA_VISIBLE_DEVICES", "0,1"}});
  TopologyOptions o;
  o.source = TopologySource::xml_file(compss::agent::test::topology_file("two-packages-4gpus.xml"));
  o.visible_gpus = g.keep;
  auto t = discover_topology(o);
  REQUIRE(t.ok());
  REQUIRE(t->gpus.size() == 2);
  CHECK(t->gpus[0].index == 1);
  CHECK(t->gpus[1].index == 2);
  CHECK(t->gpus[0].close_cores != t->gpus[1].close_cores);  // different packages
  CHECK(g.task_numbers({t->gpus[1].index}) == Ids{1});
}
