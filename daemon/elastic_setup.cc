#include "daemon/elastic_setup.h"

#include <algorithm>
#include <cstdlib>

#include "common/util/log.h"
#include "connector/config.h"
#include "connector/mode.h"
#include "connector/slurm_connector.h"

namespace compss::daemon {

namespace {

connector::ElasticRequest request_of(ElasticMode m) {
  switch (m) {
    case ElasticMode::kMerge: return connector::ElasticRequest::kMerge;
    case ElasticMode::kHelper: return connector::ElasticRequest::kHelper;
    default: return connector::ElasticRequest::kAuto;
  }
}

ElasticSetup off(std::string why) {
  ElasticSetup s;
  s.note = "elasticity off: " + std::move(why);
  return s;
}

}  // namespace

Result<ElasticSetup> setup_elasticity(const RuntimeOptions& options, const ElasticSite& site,
                                      const std::string& slurm_job, const std::string& launch,
                                      scheduler::SchedulerConfig& sched) {
  if (options.elastic == ElasticMode::kOff) return off("--compss elastic=off");
  if (slurm_job.empty()) return off("not inside a SLURM job");
  if (launch != "srun") return off("agents are not started with srun (--launch " + launch + ")");
  const auto job_number = std::strtoul(slurm_job.c_str(), nullptr, 10);
  if (job_number == 0) return off("SLURM_JOB_ID '" + slurm_job + "' is not a job number");

  auto cc = connector::parse_connector_config(site.connector);
  if (!cc) return fail("--connector: ", cc.error().message);
  auto made = connector::SlurmConnector::create(*cc);
  if (!made) return off(made.error().message);
  std::unique_ptr<connector::Connector> c = std::move(*made);
  auto facts = c->probe();
  if (!facts) return off(facts.error().message);
  auto mode = connector::choose_mode(*facts, request_of(options.elastic));
  if (!mode) return fail(mode.error().message);
  const connector::SlurmJobId job(static_cast<std::uint32_t>(job_number));
  auto jf = c->job(job);
  if (!jf) return off(jf.error().message);

  ElasticSetup s;
  ElasticConfig& e = s.config;
  e.job = job;
  e.mode = mode->mode;
  e.mode_reason = mode->reason;
  e.initial_nodes = jf->nodes;
  e.batch_host = jf->batch_host.empty() && !jf->nodes.empty() ? jf->nodes.front() : jf->batch_host;
  const std::uint32_t initial = std::max<std::uint32_t>(1, jf->num_nodes);
  e.min_nodes = options.min_nodes.value_or(initial);
  e.max_nodes = std::max(options.max_nodes.value_or(initial), e.min_nodes);
  e.idle_release_s = static_cast<double>(options.idle_s.value_or(kDefaultIdleReleaseS));
  e.pending_limit_s = site.pending_limit_s;
  sched.elastic = e.max_nodes > initial || e.min_nodes < initial;
  sched.min_nodes = e.min_nodes;
  sched.max_nodes = e.max_nodes;
  sched.idle_release_s = e.idle_release_s;
  sched.max_outstanding = site.max_outstanding;
  sched.join_latency_s = site.join_latency_guess_s;
  sched.elastic_period_s = site.policy_period_s;
  s.connector = std::move(c);
  s.note = std::string("elasticity: ") + connector::grow_mode_name(e.mode) + " mode (" + e.mode_reason + "); nodes " +
           std::to_string(e.min_nodes) + ".." + std::to_string(e.max_nodes) + ", job " + job.str() + " starts on " +
           jf->node_list + (sched.elastic ? "" : " (min = max = the job's nodes: nothing to do)");
  return s;
}

}  // namespace compss::daemon
