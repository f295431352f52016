// mode.h - choosing between merge and helper growth from what slurmctld reports.
//
// Merging a helper job into the running job works only when three things hold (measured on SLURM
// 22.05, /work/shared/SLURM-TESTBED.md section 3):
//   1. SchedulerParameters holds permit_job_expansion (else slurmctld refuses the update);
//   2. AccountingStorageType is accounting_storage/slurmdbd (else the job cannot be updated again
//      after its first resize: "the DB index is being set");
//   3. TaskPlugin does not include task/affinity (else tasks fail to start on merged nodes).
// When one fails, helper jobs are used, and the reason says which conditions failed:
//   "merge unavailable: SchedulerParameters lacks permit_job_expansion; using helper jobs"
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"
#include "connector/types.h"

namespace compss::connector {

// The raw strings of slurm_load_ctl_conf, before any decision.
struct ConfStrings {
  std::string version;
  std::string cluster_name;
  std::string scheduler_parameters;
  std::string accounting_storage_type;
  std::string task_plugin;
};

// True when the comma-separated list holds `item` exactly ("a,permit_job_expansion=1" does not
// hold "permit_job_expansion"; SLURM's parameters are flags or key=value pairs).
bool list_has(std::string_view comma_list, std::string_view item);

// The conditions from the list above that these facts fail, one phrase each (empty: merge works).
std::vector<std::string> merge_blockers(const ConfStrings& conf);

// Builds ClusterFacts with mode and mode_reason filled in for elastic=auto.
ClusterFacts facts_from_conf(const ConfStrings& conf);

// What the user asked for (--compss elastic=...).
enum class ElasticRequest { kAuto, kMerge, kHelper };
Result<ElasticRequest> parse_elastic_request(std::string_view s);  // "auto" | "merge" | "helper"

struct ModeChoice {
  GrowMode mode;
  std::string reason;
};

// elastic=merge on a site that cannot merge is an error that says why; auto falls back to helper.
Result<ModeChoice> choose_mode(const ClusterFacts& facts, ElasticRequest request);

}  // namespace compss::connector
