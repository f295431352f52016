// Merge and shrink: the two calls that change the job's own node list (merge mode).
#include <algorithm>
#include <set>

#include "common/util/log.h"
#include "connector/controller_connector.h"
#include "connector/hostlist.h"

namespace compss::connector {

namespace {

std::string list_of(const std::vector<std::string>& names) {
  auto s = compress_hostlist(names);
  return s ? (s->empty() ? std::string("no nodes") : *s) : std::string("?");
}

bool holds_all(const std::vector<std::string>& have, const std::vector<std::string>& want) {
  std::set<std::string> h(have.begin(), have.end());
  return std::all_of(want.begin(), want.end(), [&](const std::string& n) { return h.count(n) > 0; });
}

}  // namespace

Result<std::vector<std::string>> ControllerConnector::merge(SlurmJobId job, RequestId request) {
  std::lock_guard lock(mu_);
  RequestRecord* r = requests_.find(request);
  if (!r) return fail("cannot merge grow request ", request.str(), ": unknown request");
  const std::string what = "merge helper job " + r->helper.str() + " into job " + job.str();
  if (r->mode != GrowMode::kMerge || r->job != job)
    return fail("cannot ", what, ": request ", request.str(), " is a ", grow_mode_name(r->mode),
                "-mode request for job ", r->job.str());
  if (r->phase == RequestPhase::kSubmitted) {
    auto st = poll_locked(*r);
    if (!st) return st.error();
  }
  if (r->phase == RequestPhase::kMerged) {
    auto j = load_job(job, "load job " + job.str());
    if (!j) return j.error();
    return j->nodes;
  }
  if (r->phase != RequestPhase::kGranted && r->phase != RequestPhase::kMerging)
    return fail("cannot ", what, ": request ", request.str(), " is ", request_phase_name(r->phase),
                r->reason.empty() ? "" : " (" + r->reason + ")");

  if (r->phase == RequestPhase::kGranted) {
    auto before = load_job(job, "load job " + job.str() + " to " + what);
    if (!before) return before.error();
    r->job_nodes_before = before->nodes;
    // SLURM moves the helper's nodes into the job and ends the helper in this one update.
    if (Status st = update_min_nodes(r->helper, 0, what); !st) return st.error();
    r->phase = RequestPhase::kMerging;
  }
  Status all = update_min_nodes(job, kAllNodes,
                                "set job " + job.str() + " to all its nodes after merging helper job " + r->helper.str());
  if (!all)
    return fail(all.error().message, " (the nodes of helper job ", r->helper.str(), " are already in job ", job.str(),
                "; call merge again to finish)");

  auto after = load_job(job, "load job " + job.str() + " after " + what);
  if (!after) return after.error();
  if (!holds_all(after->nodes, r->nodes) || !holds_all(after->nodes, r->job_nodes_before))
    return fail(what, " did not take: job ", job.str(), " holds ", list_of(after->nodes), ", expected ",
                list_of(r->job_nodes_before), " plus ", list_of(r->nodes));
  r->phase = RequestPhase::kMerged;
  log::info("connector: ", what, ": job now on ", after->node_list);
  return after->nodes;
}

Result<std::vector<std::string>> ControllerConnector::shrink(SlurmJobId job, const std::vector<std::string>& nodes) {
  std::lock_guard lock(mu_);
  std::string what = "shrink job " + job.str() + " by " + list_of(nodes);
  if (nodes.empty()) return fail("cannot ", what, ": no nodes named");
  auto j = load_job(job, "load job " + job.str() + " to " + what);
  if (!j) return j.error();
  if (j->state != JobState::kRunning) return fail("cannot ", what, ": the job is ", j->state_name, ", not running");
  std::set<std::string> drop(nodes.begin(), nodes.end());
  for (const auto& n : drop) {
    if (std::find(j->nodes.begin(), j->nodes.end(), n) == j->nodes.end())
      return fail("cannot ", what, ": it does not hold node ", n, " (it holds ", j->node_list, ")");
    if (n == j->batch_host) return fail("cannot ", what, ": node ", n, " runs the job's batch script");
  }
  std::vector<std::string> keep;
  for (const auto& n : j->nodes)
    if (!drop.count(n)) keep.push_back(n);
  if (keep.empty()) return fail("cannot ", what, ": that would leave it no node");
  auto list = compress_hostlist(keep);
  if (!list) return fail("cannot ", what, ": ", list.error().message);

  Status st = gate_.run(RpcKind::kUpdateJob, what + " (NodeList=" + *list + ")",
                        [&] { return ctl_.update_req_nodes(job.value(), *list); });
  if (!st) return st.error();
  auto after = load_job(job, "load job " + job.str() + " after " + what);
  if (!after) return after.error();
  std::set<std::string> got(after->nodes.begin(), after->nodes.end()), want(keep.begin(), keep.end());
  if (got != want)
    return fail(what, " did not take: job ", job.str(), " holds ", after->node_list, ", expected ", *list);
  log::info("connector: ", what, ": job now on ", after->node_list);
  return after->nodes;
}

}  // namespace compss::connector
