// merge_rule.h - "can this site merge?": the one rule that the SPANK plugin (at submission) and compssd
// (at start-up, through connector/mode.h) apply to `--compss elastic=merge`.
//
// Merging a helper job into the running job works only when three things hold (measured on SLURM
// 22.05, /work/shared/SLURM-TESTBED.md section 3):
//   1. SchedulerParameters holds permit_job_expansion (else slurmctld refuses the update);
//   2. AccountingStorageType is accounting_storage/slurmdbd (else the job cannot be updated again
//      after its first resize: "the DB index is being set");
//   3. TaskPlugin does not include task/affinity (else tasks fail to start on merged nodes).
// The callers read slurm.conf (slurm_load_ctl_conf) and hand over its strings as plain data; this file
// only decides, so the rule is tested without SLURM.
//
//   auto s = check_merge({"lab", "permit_job_expansion", "accounting_storage/slurmdbd", "task/affinity"});
//   // s.error().message: "elastic=merge cannot be honoured on cluster 'lab': merge unavailable: TaskPlugin
//   //   includes task/affinity, ... (ask the site to change slurm.conf, or use elastic=auto or elastic=helper)"
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/util/result.h"

namespace compss {

// The slurm.conf settings the rule reads, as slurmctld reports them.
struct MergeConf {
  std::string cluster_name;             // ClusterName, named in the refusal
  std::string scheduler_parameters;     // SchedulerParameters, comma-separated; may be empty
  std::string accounting_storage_type;  // AccountingStorageType, e.g. "accounting_storage/slurmdbd"
  std::string task_plugin;              // TaskPlugin, e.g. "task/none", "task/affinity,task/cgroup"
};

// The conditions above that `conf` fails, one phrase each, in that order (empty: merging works):
//   "SchedulerParameters lacks permit_job_expansion"
//   "AccountingStorageType is accounting_storage/none, not accounting_storage/slurmdbd"
//   "TaskPlugin includes task/affinity, which cannot start tasks on merged nodes"
std::vector<std::string> merge_blockers(const MergeConf& conf);

// Ok when elastic=merge can be honoured on this site; else the error above, naming every blocker and
// what the user and the site can do.
Status check_merge(const MergeConf& conf);

}  // namespace compss
