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
#include <vector>

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

// The first node where `job` holds fewer CPUs than the node has (it shares the node with other jobs),
// in words: "n1 (1 of its 2 CPUs)"; "" when it holds whole nodes or SLURM did not say.
std::string shared_node(const JobFacts& job, const std::vector<NodeFacts>& nodes);

// Merging into a job that shares a node corrupts SLURM's CPU accounting (measured on 22.05: after
// `NumNodes=0` on the helper, slurmctld logs "job overflow: could not find idle resources", the job
// claims the node's other CPUs too, and later jobs are placed on CPUs in use). So for such a job
// (`shared` from shared_node) auto turns merge into helper, saying why, and elastic=merge is an error.
Result<ModeChoice> choose_mode_for_job(ModeChoice chosen, ElasticRequest request, const std::string& shared);

// The runtime of an `srun --compss` step shares its job with the job's other steps: a node merged into the
// job is the job's, where another step may start, and shrinking it away would take it from under that
// step. So a step grows with helper jobs, whose nodes are its own: auto turns merge into helper, saying
// why, and elastic=merge is an error.
Result<ModeChoice> choose_mode_for_step(ModeChoice chosen, ElasticRequest request, bool step);

}  // namespace compss::connector
