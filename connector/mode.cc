#include "connector/mode.h"

#include "common/util/parse.h"

namespace compss::connector {

const char* grow_mode_name(GrowMode m) { return m == GrowMode::kMerge ? "merge" : "helper"; }

bool list_has(std::string_view comma_list, std::string_view item) {
  for (auto part : split(comma_list, ','))
    if (trim(part) == item) return true;
  return false;
}

std::vector<std::string> merge_blockers(const ConfStrings& conf) {
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

namespace {

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string s;
  for (const auto& p : parts) {
    if (!s.empty()) s += sep;
    s += p;
  }
  return s;
}

}  // namespace

ClusterFacts facts_from_conf(const ConfStrings& conf) {
  ClusterFacts f;
  f.version = conf.version;
  f.cluster_name = conf.cluster_name;
  f.scheduler_parameters = conf.scheduler_parameters;
  f.permit_job_expansion = list_has(conf.scheduler_parameters, "permit_job_expansion");
  f.accounting_storage_type = conf.accounting_storage_type;
  f.task_plugin = conf.task_plugin;
  auto blockers = merge_blockers(conf);
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
      if (facts.mode == GrowMode::kMerge) return ModeChoice{GrowMode::kMerge, "merge, as asked (elastic=merge)"};
      break;
  }
  // The site cannot merge; say why without the "using helper jobs" tail of the auto reason.
  std::string why = facts.mode_reason;
  if (auto pos = why.rfind("; using helper jobs"); pos != std::string::npos) why.erase(pos);
  return fail("elastic=merge cannot be honoured on cluster '", facts.cluster_name, "': ", why,
              " (ask the site to change slurm.conf, or use elastic=auto or elastic=helper)");
}

}  // namespace compss::connector
