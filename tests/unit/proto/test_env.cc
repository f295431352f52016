// The task environment rule of compss submit --export (common/proto/env.h): which variables a task takes
// from its submitter, and the difference from the job's environment that compssd keeps.
#include <catch2/catch.hpp>

#include "common/proto/codec.h"
#include "common/proto/env.h"

using namespace compss::proto;

TEST_CASE("a task takes the submitter's variables but not the runtime's or the node's", "[proto][env]") {
  for (const char* n : {"PATH", "MODULEPATH", "LD_LIBRARY_PATH", "HOME", "OMP_PROC_BIND", "SLURMX", "A"}) {
    INFO(n);
    CHECK(caller_variable(n));
  }
  for (const char* n : {"COMPSS_SOCKET", "COMPSS_TASK_ID", "SLURM_JOB_ID", "SLURM_NODEID", "SLURMD_NODENAME", "PMIX_RANK",
                        "PMI_FD", "OMPI_COMM_WORLD_RANK", "PRTE_MCA_x", "OMP_NUM_THREADS", "CUDA_VISIBLE_DEVICES",
                        "CUDA_DEVICE_ORDER", "PWD", "OLDPWD", "SHLVL", "_", ""}) {
    INFO(n);
    CHECK_FALSE(caller_variable(n));
  }
}

TEST_CASE("compssd keeps what differs from the job's environment, and what the submitter unset", "[proto][env]") {
  const EnvMap job = {{"HOME", "/home/u"},     {"PATH", "/usr/bin"},   {"GONE", "1"},
                      {"SLURM_JOB_ID", "42"},  {"COMPSS_SOCKET", "/s"}, {"SAME", "x"}};
  SECTION("export ALL: new and changed variables, and the job's that the submitter no longer has") {
    TaskSpec t;
    t.exported = {"HOME=/home/u", "PATH=/opt/m/bin:/usr/bin", "SAME=x", "NEW=", "SLURM_JOB_ID=7", "COMPSS_X=1"};
    t.export_all = true;
    t.env = {"PATH=/mine"};  // --env comes after, and wins in the agent (last one set)
    resolve_export(t, job);
    CHECK(t.env == std::vector<std::string>{"PATH=/opt/m/bin:/usr/bin", "NEW=", "PATH=/mine"});
    CHECK(t.env_unset == std::vector<std::string>{"GONE"});  // SLURM_* and COMPSS_* are the node's, never unset
    CHECK(t.exported.empty());
    CHECK_FALSE(t.export_all);
    // Resolved once, resolved for good: a restarted compssd re-reading the journal changes nothing.
    TaskSpec again = t;
    resolve_export(again, job);
    CHECK(again == t);
  }
  SECTION("export of some names: they alone, nothing unset") {
    TaskSpec t;
    t.exported = {"PATH=/opt/bin", "HOME=/home/u"};
    resolve_export(t, job);
    CHECK(t.env == std::vector<std::string>{"PATH=/opt/bin"});
    CHECK(t.env_unset.empty());
  }
  SECTION("nothing exported: the spec is left as it is") {
    TaskSpec t;
    t.env = {"A=1"};
    resolve_export(t, job);
    CHECK(t.env == std::vector<std::string>{"A=1"});
    CHECK(t.env_unset.empty());
  }
  SECTION("a submitter with the job's environment unchanged adds nothing to the spec") {
    TaskSpec t;
    for (const auto& [k, v] : job) t.exported.push_back(k + "=" + v);
    t.export_all = true;
    resolve_export(t, job);
    CHECK(t.env.empty());
    CHECK(t.env_unset.empty());
  }
}

TEST_CASE("the environment fields are checked on the wire", "[proto][env]") {
  Submit s;
  s.rid = 1;
  TaskSpec t;
  t.argv = {"true"};
  t.cwd = "/";
  t.env_unset = {"A=B"};
  s.tasks.push_back(t);
  auto bad = decode_payload(encode_payload(s));
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::Contains("env_unset[0]"));
  CHECK_THAT(bad.error().message, Catch::Contains("must be a variable name"));
  s.tasks[0].env_unset = {};
  s.tasks[0].exported = {"NOEQUALS"};
  auto bad2 = decode_payload(encode_payload(s));
  REQUIRE_FALSE(bad2);
  CHECK_THAT(bad2.error().message, Catch::Contains("exported[0]"));
}
