// mode.h - choosing between merge and helper growth from what slurmctld reports.
//
// Whether a site can merge is decided by the rule in common/util/merge_rule.h (the SPANK plugin applies
// the same rule at submission). When merging is impossible, helper jobs are used, and the reason says
// which conditions failed:
//   "merge unavailable: SchedulerParameters lacks permit_job_expansion; using helper jobs"
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/util/merge_rule.h"
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

// The settings the merge rule reads (common/util/merge_rule.h).
MergeConf merge_conf(const ConfStrings& conf);
MergeConf merge_conf(const ClusterFacts& facts);

// Builds ClusterFacts with mode and mode_reason filled in for elastic=auto.
ClusterFacts facts_from_conf(const ConfStrings& conf);

// What the user asked for (--compss elastic=...).
enum class ElasticRequest { kAuto, kMerge, kHelper };
Result<ElasticRequest> parse_elastic_request(std::string_view s);  // "auto" | "merge" | "helper"

struct ModeChoice {
  GrowMode mode;
  std::string reason;
};

// elastic=merge on a site that cannot merge is check_merge's error; auto falls back to helper.
Result<ModeChoice> choose_mode(const ClusterFacts& facts, ElasticRequest request);

}  // namespace compss::connector
