#include <catch2/catch.hpp>

#include "common/util/merge_rule.h"
#include "common/util/parse.h"

using namespace compss;

namespace {

constexpr const char* kDbd = "accounting_storage/slurmdbd";

}  // namespace

TEST_CASE("the merge rule: each slurm.conf setting that blocks merging is named, in order", "[util][merge]") {
  struct Row {
    const char* sched;
    const char* accounting;
    const char* task_plugin;
    std::vector<std::string> blockers;
  };
  const std::string no_expansion = "SchedulerParameters lacks permit_job_expansion";
  const std::string affinity = "TaskPlugin includes task/affinity, which cannot start tasks on merged nodes";
  const Row rows[] = {
      {"permit_job_expansion", kDbd, "task/none", {}},
      {"bf_interval=30, permit_job_expansion", kDbd, "task/cgroup", {}},
      {"permit_job_expansion", kDbd, "", {}},
      {"", kDbd, "task/none", {no_expansion}},
      {"permit_job_expansion=1", kDbd, "task/none", {no_expansion}},
      {"no_permit_job_expansion", kDbd, "task/none", {no_expansion}},
      {"permit_job_expansion", "accounting_storage/none", "task/none",
       {"AccountingStorageType is accounting_storage/none, not accounting_storage/slurmdbd"}},
      {"permit_job_expansion", "", "task/none", {"AccountingStorageType is unset, not accounting_storage/slurmdbd"}},
      {"permit_job_expansion", kDbd, "task/affinity", {affinity}},
      {"permit_job_expansion", kDbd, "task/cgroup,task/affinity", {affinity}},
      {"", "", "task/affinity",
       {no_expansion, "AccountingStorageType is unset, not accounting_storage/slurmdbd", affinity}},
  };
  for (const Row& r : rows) {
    INFO("SchedulerParameters=" << r.sched << " AccountingStorageType=" << r.accounting
                                << " TaskPlugin=" << r.task_plugin);
    const MergeConf conf{"lab", r.sched, r.accounting, r.task_plugin};
    CHECK(merge_blockers(conf) == r.blockers);
    CHECK(check_merge(conf).ok() == r.blockers.empty());
  }
}

TEST_CASE("the merge refusal names the cluster, every blocker, and what to do instead", "[util][merge]") {
  auto s = check_merge({"lab", "permit_job_expansion", "accounting_storage/none", "task/affinity"});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message ==
        "elastic=merge cannot be honoured on cluster 'lab': merge unavailable: AccountingStorageType is "
        "accounting_storage/none, not accounting_storage/slurmdbd; TaskPlugin includes task/affinity, which "
        "cannot start tasks on merged nodes (ask the site to change slurm.conf, or use elastic=auto or "
        "elastic=helper)");
}

TEST_CASE("SLURM parameter lists match whole items only", "[util][parse]") {
  CHECK(list_has("a,permit_job_expansion,b", "permit_job_expansion"));
  CHECK(list_has(" permit_job_expansion ", "permit_job_expansion"));
  CHECK_FALSE(list_has("permit_job_expansion_x", "permit_job_expansion"));
  CHECK_FALSE(list_has("no_permit_job_expansion", "permit_job_expansion"));
  CHECK_FALSE(list_has("", "permit_job_expansion"));
}
