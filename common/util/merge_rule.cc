#include "common/util/merge_rule.h"

#include "common/util/parse.h"

namespace compss {

std::vector<std::string> merge_blockers(const MergeConf& conf) {
  std::vector<std::string> out;
  if (!list_has(conf.scheduler_parameters, "permit_job_expansion"))
    out.push_back("SchedulerParameters lacks permit_job_expansion");
  if (conf.accounting_storage_type != "accounting_storage/slurmdbd") {
    std::string what = conf.accounting_storage_type.empty() ? "unset" : conf.accounting_storage_type;
    out.push_back("AccountingStorageType is " + what + ", not accounting_storage/slurmdbd");
  }
  if (list_has(conf.task_plugin, "task/affinity"))
    out.push_back("TaskPlugin includes task/affinity, which cannot start tasks on merged nodes");
  return out;
}

Status check_merge(const MergeConf& conf) {
  auto blockers = merge_blockers(conf);
  if (blockers.empty()) return {};
  return fail("elastic=merge cannot be honoured on cluster '", conf.cluster_name, "': merge unavailable: ",
              join(blockers, "; "), " (ask the site to change slurm.conf, or use elastic=auto or elastic=helper)");
}

}  // namespace compss
