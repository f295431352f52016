// Tests of an MPI task's step (daemon/agent/rank.h): srun's command line, the rank order of the hostfile,
// and each rank finding its cores and GPUs by node and local rank.
#include <catch2/catch.hpp>

#include "daemon/agent/rank.h"

using namespace compss::agent;

namespace {

std::vector<RankSlot> two_nodes() {
  return {RankSlot{"n2", 2, {0, 1, 2, 3}, {1, 0}}, RankSlot{"n1", 1, {3}, {}}};
}

}  // namespace

TEST_CASE("the step runs compss-rank for every rank, in the slots' order, over exactly their nodes", "[rank]") {
  auto a = step_argv(two_nodes(), "77", "pmix", "/opt/bin/compss-rank", {"./sim", "-x"});
  const std::vector<std::string> want{"srun", "--overlap", "--mpi=pmix", "--jobid=77", "--job-name=compss-mpi",
                                      "-N2", "-n3", "--distribution=arbitrary", "--kill-on-bad-exit=1", "--quiet",
                                      "/opt/bin/compss-rank", "--", "./sim", "-x"};
  CHECK(a == want);
  CHECK(hostfile_text(two_nodes()) == "n2\nn2\nn1\n");
}

TEST_CASE("each rank finds its own cores and GPUs by node and local rank", "[rank]") {
  const std::string bind = bind_text(two_nodes());
  CHECK(bind == "n2=0,1/1:2,3/0 n1=3");
  auto r0 = rank_place(bind, "n2", 0);
  REQUIRE(r0);
  CHECK(r0->cores == std::vector<CoreId>{0, 1});
  CHECK(r0->gpus == std::vector<GpuIndex>{1});
  auto r1 = rank_place(bind, "n2", 1);
  REQUIRE(r1);
  CHECK(r1->cores == std::vector<CoreId>{2, 3});
  CHECK(r1->gpus == std::vector<GpuIndex>{0});
  auto r2 = rank_place(bind, "n1", 0);
  REQUIRE(r2);
  CHECK(r2->cores == std::vector<CoreId>{3});
  CHECK(r2->gpus.empty());
}

TEST_CASE("a rank the binding does not describe is an error that says what is missing", "[rank]") {
  const std::string bind = bind_text(two_nodes());
  auto other = rank_place(bind, "n3", 0);
  REQUIRE_FALSE(other);
  CHECK(other.error().message == "COMPSS_RANK_BIND names no ranks on n3");
  auto third = rank_place(bind, "n1", 1);
  REQUIRE_FALSE(third);
  CHECK(third.error().message == "COMPSS_RANK_BIND has no local rank 1 on n1");
  CHECK_FALSE(rank_place("", "n1", 0));
  auto bad = rank_place("n1=0,x", "n1", 0);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "COMPSS_RANK_BIND for n1: 'x' is not a core or GPU number");
  CHECK_FALSE(rank_place("n1", "n1", 0));
}

TEST_CASE("the agent's own step's PMIx and layout variables are not passed to a task's step", "[rank]") {
  for (const char* name : {"PMIX_RANK", "OMPI_COMM_WORLD_SIZE", "SLURM_STEP_ID", "SLURM_PROCID", "SLURM_NTASKS",
                           "SLURM_CPU_BIND", "SLURM_JOB_NODELIST"})
    CHECK(inherited_step_variable(name));
  for (const char* name : {"SLURM_JOB_ID", "PATH", "HOME", "COMPSS_ADDRESS", "OMP_NUM_THREADS", "OMPI_MCA_btl"})
    CHECK_FALSE(inherited_step_variable(name));
}

TEST_CASE("the rank that ended a step is named from srun's lines, not the ones it took down", "[rank]") {
  CHECK(step_failure("rank 1 fails on purpose\nsrun: error: n1: task 1: Exited with exit code 3\n"
                     "srun: error: n1: task 0: Terminated\nsrun: error: n2: tasks 2-3: Terminated\n") ==
        "rank 1 on n1: exited with exit code 3");
  CHECK(step_failure("srun: error: n2: tasks 2-3: Terminated\nsrun: error: n1: task 0: Segmentation fault\n") ==
        "rank 0 on n1: segmentation fault");
  CHECK(step_failure("srun: error: n2: tasks 2-3: Terminated\n") == "ranks 2-3 on n2: terminated");
  CHECK(step_failure("all fine\nsrun: error: Unable to create step for job 7: Requested nodes are busy\n").empty());
  CHECK(step_failure("").empty());
}
