#include "connector/controller_connector.h"

#include <algorithm>

#include "common/util/log.h"
#include "connector/hostlist.h"

#include <slurm/slurm_errno.h>

namespace compss::connector {

std::string helper_job_name(const std::string& prefix, SlurmJobId job) { return prefix + job.str(); }

ControllerConnector::ControllerConnector(Controller& controller, const ConnectorConfig& config, Clock& clock)
    : ctl_(controller), config_(config), gate_(config.budget, config.retry, clock) {}

Result<JobFacts> ControllerConnector::load_job(SlurmJobId job, std::string_view what, int* code) {
  JobFacts f;
  int last = 0;
  Status st = gate_.run(RpcKind::kLoadJob, what, [&] {
    last = ctl_.load_job(job.value(), &f);
    return last;
  });
  if (code) *code = last;
  if (!st) return st.error();
  return f;
}

Status ControllerConnector::kill(SlurmJobId job, std::string_view what) {
  return gate_.run(RpcKind::kKillJob, what, [&] { return ctl_.kill_job(job.value()); });
}

Status ControllerConnector::update_min_nodes(SlurmJobId job, std::uint32_t min_nodes, std::string_view what) {
  return gate_.run(RpcKind::kUpdateJob, what, [&] { return ctl_.update_min_nodes(job.value(), min_nodes); });
}

Result<ClusterFacts> ControllerConnector::probe() {
  std::lock_guard lock(mu_);
  ConfStrings conf;
  Status st = gate_.run(RpcKind::kLoadConf, "read the SLURM controller's configuration",
                        [&] { return ctl_.load_conf(&conf); });
  if (!st) return st.error();
  return facts_from_conf(conf);
}

Result<JobFacts> ControllerConnector::job(SlurmJobId job) {
  std::lock_guard lock(mu_);
  return load_job(job, "load job " + job.str());
}

Result<std::vector<NodeFacts>> ControllerConnector::nodes() {
  std::lock_guard lock(mu_);
  std::vector<NodeFacts> out;
  Status st = gate_.run(RpcKind::kLoadNodes, "load the cluster's nodes", [&] { return ctl_.load_nodes(&out); });
  if (!st) return st.error();
  std::map<std::string, std::vector<std::string>> parts;
  st = gate_.run(RpcKind::kLoadNodes, "load the cluster's partitions", [&] { return ctl_.load_partitions(&parts); });
  if (!st) return st.error();
  for (const auto& [name, members] : parts)
    for (NodeFacts& n : out)
      if (std::find(members.begin(), members.end(), n.name) != members.end()) n.partitions.push_back(name);
  return out;
}

namespace {

// Minutes left before `j` hits its time limit, at least 1; nullopt when it has none.
std::optional<std::uint32_t> remaining_minutes(const JobFacts& j, std::int64_t now) {
  if (!j.time_limit_min || j.end_time <= 0) return std::nullopt;
  std::int64_t left = (j.end_time - now) / 60;
  return static_cast<std::uint32_t>(std::max<std::int64_t>(1, left));
}

}  // namespace

Result<AllocSpec> ControllerConnector::spec_for(SlurmJobId job, std::uint32_t count, GrowMode mode,
                                                const RequestOptions& options, const std::string& what) {
  if (count == 0) return fail("cannot ", what, ": the count must be at least 1");
  auto j = load_job(job, "load job " + job.str() + " to " + what);
  if (!j) return j.error();
  if (j->state != JobState::kRunning) return fail("cannot ", what, ": the job is ", j->state_name, ", not running");
  auto exclude = compress_hostlist(options.exclude);
  if (!exclude) return fail("cannot ", what, ": ", exclude.error().message);

  AllocSpec spec;
  spec.name = options.name.empty() ? helper_job_name(config_.helper_prefix, job) : options.name;
  if (mode == GrowMode::kMerge) spec.dependency = "expand:" + job.str();
  spec.partition = options.partition.empty() ? j->partition : options.partition;
  spec.exclude = *exclude;
  spec.nodes = count;
  spec.min_cpus = options.min_cpus;
  // An expand-helper inherits the job's end time from SLURM; a plain helper must not outlive the job.
  if (mode == GrowMode::kHelper)
    spec.time_limit_min = options.time_limit_min ? options.time_limit_min : remaining_minutes(*j, ctl_.wall_seconds());
  else if (j->end_time > 0)
    spec.forecast_limit_min = remaining_minutes(*j, ctl_.wall_seconds());
  spec.user_id = j->user_id;
  spec.group_id = j->group_id;
  return spec;
}

Result<StartForecast> ControllerConnector::forecast(SlurmJobId job, std::uint32_t count, GrowMode mode,
                                                    const RequestOptions& options) {
  std::lock_guard lock(mu_);
  const std::string what = "forecast " + std::to_string(count) + " node(s) for job " + job.str();
  auto spec = spec_for(job, count, mode, options, what);
  if (!spec) return spec.error();
  // The will-run test of the same shape, without the expand dependency (its target runs, so it holds)
  // and with the time an expand-helper would inherit.
  spec->dependency.clear();
  if (!spec->time_limit_min) spec->time_limit_min = spec->forecast_limit_min;
  WillRunReply reply;
  Status st = gate_.run(RpcKind::kWillRun, what, [&] { return ctl_.will_run(*spec, &reply); });
  if (!st) return st.error();
  StartForecast f;
  f.start_time = reply.start_time;
  f.delay_s = static_cast<double>(std::max<std::int64_t>(0, reply.start_time - ctl_.wall_seconds()));
  f.node_list = reply.node_list;
  return f;
}

Result<RequestId> ControllerConnector::request_nodes(SlurmJobId job, std::uint32_t count, GrowMode mode,
                                                     const RequestOptions& options) {
  std::lock_guard lock(mu_);
  const std::string what = "grow job " + job.str() + " by " + std::to_string(count) + " node(s) (" +
                           grow_mode_name(mode) + " mode)";
  auto made = spec_for(job, count, mode, options, what);
  if (!made) return made.error();
  const AllocSpec& spec = *made;

  AllocReply reply;
  Status st = gate_.run(RpcKind::kAllocate, "submit helper job '" + spec.name + "' to " + what,
                        [&] { return ctl_.allocate(spec, &reply); });
  if (!st) return st.error();
  RequestRecord& r = requests_.add(job, SlurmJobId(reply.job_id), count, mode);
  if (!reply.node_list.empty()) {
    r.nodes = expand_hostlist(reply.node_list).value_or({});
    r.phase = RequestPhase::kGranted;
  }
  log::info("connector: request ", r.id.str(), ": helper job ", r.helper.str(), " to ", what,
            r.nodes.empty() ? " (pending)" : " granted at once: " + reply.node_list);
  return r.id;
}

Result<RequestStatus> ControllerConnector::poll_request(RequestId request) {
  std::lock_guard lock(mu_);
  RequestRecord* r = requests_.find(request);
  if (!r) return fail("unknown grow request ", request.str());
  return poll_locked(*r);
}

Result<RequestStatus> ControllerConnector::poll_locked(RequestRecord& r) {
  switch (r.phase) {
    case RequestPhase::kMerging:
    case RequestPhase::kMerged:
      return RequestStatus{Granted{r.helper, r.nodes, r.alloc}};
    case RequestPhase::kWithdrawn:
      return RequestStatus{Failed{"withdrawn"}};
    case RequestPhase::kReleased:
      return RequestStatus{Failed{"helper job " + r.helper.str() + " was released"}};
    case RequestPhase::kFailed:
      return RequestStatus{Failed{r.reason}};
    case RequestPhase::kSubmitted:
    case RequestPhase::kGranted:
      break;
  }
  int code = 0;
  auto h = load_job(r.helper, "load helper job " + r.helper.str() + " of request " + r.id.str(), &code);
  if (!h && code == ESLURM_INVALID_JOB_ID) {
    r.phase = RequestPhase::kFailed;
    r.reason = "helper job " + r.helper.str() + " is gone (SLURM no longer knows it)";
    return RequestStatus{Failed{r.reason}};
  }
  if (!h) return h.error();
  if (h->state == JobState::kRunning && !h->configuring) {
    r.phase = RequestPhase::kGranted;
    r.nodes = h->nodes;
    r.alloc = h->alloc;
    return RequestStatus{Granted{r.helper, r.nodes, r.alloc}};
  }
  if (h->state == JobState::kPending && h->reason.rfind("DependencyNeverSatisfied", 0) == 0) {
    // SLURM keeps such a job pending forever; end it so that it does not linger in the queue.
    (void)kill(r.helper, "cancel helper job " + r.helper.str() + " whose dependency can never be satisfied");
    r.phase = RequestPhase::kFailed;
    r.reason = "helper job " + r.helper.str() + " can never start: " + h->reason;
    return RequestStatus{Failed{r.reason}};
  }
  if (h->state == JobState::kPending || h->state == JobState::kRunning)
    return RequestStatus{Pending{h->state == JobState::kRunning ? "nodes are booting" : h->reason}};
  r.phase = RequestPhase::kFailed;
  r.reason = "helper job " + r.helper.str() + " ended " + h->state_name + (h->reason.empty() ? "" : " (" + h->reason + ")");
  return RequestStatus{Failed{r.reason}};
}

Status ControllerConnector::withdraw(RequestId request) {
  std::lock_guard lock(mu_);
  RequestRecord* r = requests_.find(request);
  if (!r) return fail("cannot withdraw grow request ", request.str(), ": unknown request");
  switch (r->phase) {
    case RequestPhase::kMerging:
    case RequestPhase::kMerged:
      return fail("cannot withdraw grow request ", request.str(), ": its nodes were merged into job ", r->job.str(),
                  "; shrink the job instead");
    case RequestPhase::kWithdrawn:
    case RequestPhase::kFailed:
    case RequestPhase::kReleased:
      return ok_status();
    case RequestPhase::kSubmitted:
    case RequestPhase::kGranted:
      break;
  }
  Status st = kill(r->helper, "withdraw grow request " + request.str() + " (cancel helper job " + r->helper.str() + ")");
  if (!st) return st;
  r->phase = RequestPhase::kWithdrawn;
  log::info("connector: request ", request.str(), " withdrawn; helper job ", r->helper.str(), " cancelled");
  return ok_status();
}

Status ControllerConnector::release_helper(SlurmJobId helper) {
  std::lock_guard lock(mu_);
  Status st = kill(helper, "release helper job " + helper.str());
  if (!st) return st;
  if (RequestRecord* r = requests_.find_by_helper(helper)) r->phase = RequestPhase::kReleased;
  log::info("connector: helper job ", helper.str(), " released");
  return ok_status();
}

std::optional<RequestPhase> ControllerConnector::phase(RequestId request) {
  std::lock_guard lock(mu_);
  RequestRecord* r = requests_.find(request);
  if (!r) return std::nullopt;
  return r->phase;
}

}  // namespace compss::connector
