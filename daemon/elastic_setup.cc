#include "daemon/elastic_setup.h"

#include <algorithm>
#include <cstdlib>

#include "common/util/log.h"
#include "common/util/parse.h"
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

Allocation allocation_of(const connector::JobFacts& job) {
  Allocation a;
  for (const auto& n : job.alloc) {
    auto cpus = parse_cpu_list(n.cpu_ids);
    if (!cpus || cpus->empty()) continue;
    a.emplace(n.node, NodeShare{std::move(*cpus), n.memory_mb});
  }
  return a;
}

Result<ElasticSetup> setup_elasticity(const RuntimeOptions& options, const ElasticSite& site,
                                      const std::string& slurm_job, const std::string& launch,
                                      scheduler::SchedulerConfig& sched, bool step) {
  if (slurm_job.empty()) return off("not inside a SLURM job");
  if (launch != "srun") return off("agents are not started with srun (--launch " + launch + ")");
  const auto job_number = std::strtoul(slurm_job.c_str(), nullptr, 10);
  if (job_number == 0) return off("SLURM_JOB_ID '" + slurm_job + "' is not a job number");

  auto cc = connector::parse_connector_config(site.connector);
  if (!cc) return fail("--connector: ", cc.error().message);
  const bool wanted = options.elastic != ElasticMode::kOff;
  auto unknown_job = [&](const std::string& why) {
    ElasticSetup s = off(wanted ? why : "--compss elastic=off");
    s.job_note = why;
    return s;
  };
  auto made = connector::SlurmConnector::create(*cc);
  if (!made) return unknown_job(made.error().message);
  std::unique_ptr<connector::Connector> c = std::move(*made);
  const connector::SlurmJobId job(static_cast<std::uint32_t>(job_number));
  auto jf = c->job(job);
  if (!jf) return unknown_job(jf.error().message);
  auto with_job = [&](ElasticSetup s) {
    s.job = *jf;
    if (!s.connector) s.job_reader = std::move(c);
    return s;
  };
  if (!wanted) return with_job(off("--compss elastic=off"));
  auto facts = c->probe();
  if (!facts) return with_job(off(facts.error().message));
  auto chosen = connector::choose_mode(*facts, request_of(options.elastic));
  if (!chosen) return fail(chosen.error().message);
  const std::uint32_t initial = std::max<std::uint32_t>(1, jf->num_nodes);
  const std::uint32_t min_nodes = options.min_nodes.value_or(initial);
  const std::uint32_t max_nodes = std::max(options.max_nodes.value_or(initial), min_nodes);
  const bool elastic = max_nodes > initial || min_nodes < initial;

  // The cluster's nodes: how many CPUs a whole new node has, and whether the job shares one of its own.
  std::string sizing;
  std::uint32_t smallest = 0;
  std::string shared;
  if (elastic) {
    if (auto nodes = c->nodes(); nodes) {
      for (const auto& n : *nodes) {
        if (std::find(n.partitions.begin(), n.partitions.end(), jf->partition) == n.partitions.end()) continue;
        if (n.cpus && (smallest == 0 || n.cpus < smallest)) smallest = n.cpus;
      }
      shared = connector::shared_node(*jf, *nodes);
      sizing = smallest ? "; a new node is " + std::to_string(smallest) + " CPUs (partition " + jf->partition + ")"
                        : "; partition " + jf->partition + " lists no node: requests ask for any node";
    } else {
      sizing = "; cannot read the cluster's nodes (" + nodes.error().message + "): requests ask for any node";
    }
  }
  auto mode = connector::choose_mode_for_job(*chosen, request_of(options.elastic), shared);
  if (!mode) return fail(mode.error().message);
  mode = connector::choose_mode_for_step(*mode, request_of(options.elastic), step);
  if (!mode) return fail(mode.error().message);

  ElasticSetup s;
  ElasticConfig& e = s.config;
  e.job = job;
  e.mode = mode->mode;
  e.mode_reason = mode->reason;
  e.initial_nodes = jf->nodes;
  e.batch_host = jf->batch_host.empty() && !jf->nodes.empty() ? jf->nodes.front() : jf->batch_host;
  e.min_nodes = min_nodes;
  e.max_nodes = max_nodes;
  e.idle_release_s = static_cast<double>(options.idle_s.value_or(kDefaultIdleReleaseS));
  e.pending_limit_s = site.pending_limit_s;
  e.request_nodes = std::max<std::uint32_t>(1, site.request_nodes);
  e.forecast = site.forecast;
  sched.elastic = elastic;
  sched.grown_nodes_join_job = e.mode == connector::GrowMode::kMerge;
  sched.min_nodes = e.min_nodes;
  sched.max_nodes = e.max_nodes;
  sched.idle_release_s = e.idle_release_s;
  sched.max_in_flight = std::max<std::uint32_t>(1, site.max_in_flight);
  sched.join_latency_s = site.join_latency_guess_s;
  sched.elastic_period_s = site.policy_period_s;
  // A grow request asks for a whole node: the CPUs of the smallest node of the job's partition (an
  // expand-helper is not exclusive in SLURM; its CPU count is what makes it whole).
  e.request_options.min_cpus = smallest;
  sched.new_node_cores = smallest;
  s.connector = std::move(c);
  s.note = std::string("elasticity: ") + connector::grow_mode_name(e.mode) + " mode (" + e.mode_reason + "); nodes " +
           std::to_string(e.min_nodes) + ".." + std::to_string(e.max_nodes) + ", job " + job.str() + " starts on " +
           jf->node_list + (sched.elastic ? "" : " (min = max = the job's nodes: nothing to do)") + sizing;
  return with_job(std::move(s));
}

}  // namespace compss::daemon
