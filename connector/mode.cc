#include "connector/mode.h"

#include <algorithm>

#include "common/util/parse.h"

namespace compss::connector {

const char* grow_mode_name(GrowMode m) { return m == GrowMode::kMerge ? "merge" : "helper"; }

MergeConf merge_conf(const ConfStrings& conf) {
  return {conf.cluster_name, conf.scheduler_parameters, conf.accounting_storage_type, conf.task_plugin};
}

MergeConf merge_conf(const ClusterFacts& facts) {
  return {facts.cluster_name, facts.scheduler_parameters, facts.accounting_storage_type, facts.task_plugin};
}

ClusterFacts facts_from_conf(const ConfStrings& conf) {
  ClusterFacts f;
  f.version = conf.version;
  f.cluster_name = conf.cluster_name;
  f.scheduler_parameters = conf.scheduler_parameters;
  f.permit_job_expansion = list_has(conf.scheduler_parameters, "permit_job_expansion");
  f.accounting_storage_type = conf.accounting_storage_type;
  f.task_plugin = conf.task_plugin;
  auto blockers = merge_blockers(merge_conf(conf));
  if (blockers.empty()) {
    f.mode = GrowMode::kMerge;
    f.mode_reason = "merge available: permit_job_expansion, accounting_storage/slurmdbd and " +
                    (conf.task_plugin.empty() ? std::string("no task plugin") : conf.task_plugin);
  } else {
    f.mode = GrowMode::kHelper;
    f.mode_reason = "merge unavailable: " + join(blockers, "; ") + "; using helper jobs";
  }
  return f;
}

Result<ElasticRequest> parse_elastic_request(std::string_view s) {
  if (s == "auto") return ElasticRequest::kAuto;
  if (s == "merge") return ElasticRequest::kMerge;
  if (s == "helper") return ElasticRequest::kHelper;
  return fail("bad elastic mode '", s, "': expected auto, merge or helper");
}

Result<ModeChoice> choose_mode(const ClusterFacts& facts, ElasticRequest request) {
  switch (request) {
    case ElasticRequest::kAuto:
      return ModeChoice{facts.mode, facts.mode_reason};
    case ElasticRequest::kHelper:
      return ModeChoice{GrowMode::kHelper, "helper jobs, as asked (elastic=helper)"};
    case ElasticRequest::kMerge:
      if (auto s = check_merge(merge_conf(facts)); !s) return s.error();
      return ModeChoice{GrowMode::kMerge, "merge, as asked (elastic=merge)"};
  }
  return fail("unknown elastic request");
}

std::string shared_node(const JobFacts& job, const std::vector<NodeFacts>& nodes) {
  for (const NodeAlloc& a : job.alloc) {
    auto it = std::find_if(nodes.begin(), nodes.end(), [&](const NodeFacts& n) { return n.name == a.node; });
    if (it == nodes.end() || a.cpus == 0 || a.cpus >= it->cpus) continue;
    return a.node + " (" + std::to_string(a.cpus) + " of its " + std::to_string(it->cpus) + " CPUs)";
  }
  return "";
}

Result<ModeChoice> choose_mode_for_job(ModeChoice chosen, ElasticRequest request, const std::string& shared) {
  if (chosen.mode != GrowMode::kMerge || shared.empty()) return chosen;
  const std::string why = "the job shares node " + shared +
                          " with other jobs, and merging nodes into such a job makes SLURM count CPUs of "
                          "other jobs as its own";
  if (request == ElasticRequest::kMerge)
    return fail("elastic=merge cannot be honoured: ", why, "; submit with --exclusive, or use elastic=auto or helper");
  return ModeChoice{GrowMode::kHelper, "helper jobs: " + why};
}

Result<ModeChoice> choose_mode_for_step(ModeChoice chosen, ElasticRequest request, bool step) {
  if (chosen.mode != GrowMode::kMerge || !step) return chosen;
  const std::string why = "this runtime serves a step, and nodes merged into the job would be the job's other "
                          "steps' too (to start on, and to lose when they are released)";
  if (request == ElasticRequest::kMerge)
    return fail("elastic=merge cannot be honoured: ", why, "; use elastic=auto or helper, or sbatch --compss");
  return ModeChoice{GrowMode::kHelper, "helper jobs: " + why};
}

}  // namespace compss::connector
