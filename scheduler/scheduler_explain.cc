// scheduler_explain.cc - "why is it pending": reasons for a task's state, most important first, and the
// text of an Explanation (explain.h).
#include <algorithm>

#include "common/util/parse.h"
#include "scheduler/scheduler.h"

namespace compss::scheduler {
namespace {

using Why = Explanation::Why;
constexpr std::size_t kListed = 8;  // task ids named in one reason before "and N more"

std::string list_tasks(const std::vector<TaskId>& ids) {
  std::vector<std::string> named;
  for (std::size_t i = 0; i < ids.size() && i < kListed; ++i) named.push_back(ids[i].str());
  std::string s = join(named, ", ");
  if (ids.size() > kListed) s += " and " + std::to_string(ids.size() - kListed) + " more";
  return s;
}

std::string seconds(double s) {
  std::string v = std::to_string(static_cast<long long>(s * 10 + 0.5));
  return v.substr(0, v.size() - 1) + "." + v.back() + " s";
}

}  // namespace

// Where a task runs, exactly: "n1 (cores 0,1)", "n1 (cores 2, GPUs 1)", and for several ranks each one's
// cores: "n1 (ranks 0-1: cores 0 | 1), n2 (ranks 2-3: cores 0 | 1)".
std::string Scheduler::binding_text(const Placement& p) const {
  auto ids = [](const std::vector<std::uint32_t>& v, std::size_t from, std::size_t n) {
    std::string s;
    for (std::size_t i = from; i < from + n && i < v.size(); ++i) s += (i > from ? "," : "") + std::to_string(v[i]);
    return s;
  };
  std::string out;
  std::uint32_t rank = 0;
  for (const NodeSlot& ns : p.slots) {
    if (!out.empty()) out += ", ";
    const std::uint32_t r = ns.ranks ? ns.ranks : 1;
    const std::size_t c = ns.cores.size() / r, g = ns.gpus.size() / r;
    out += pool_.desc(ns.node).name + " (";
    if (r > 1 || p.slots.size() > 1)
      out += "rank" + std::string(r > 1 ? "s " : " ") + std::to_string(rank) +
             (r > 1 ? "-" + std::to_string(rank + r - 1) : "") + ": ";
    for (std::uint32_t k = 0; k < r; ++k) {
      out += (k ? " | " : "cores ") + ids(ns.cores, k * c, c);
      if (g) out += ", GPUs " + ids(ns.gpus, k * g, g);
    }
    out += ")";
    rank += r;
  }
  return out;
}

Result<Explanation> Scheduler::explain(TaskId t) const {
  if (!graph_.contains(t)) return fail("explain: task ", t.str(), " does not exist");
  Explanation e;
  e.task = t;
  e.name = std::string(graph_.name(t));
  e.state = graph_.state(t);
  e.cause = graph_.cause(t);
  const std::uint32_t slot = slot_of_[t.value()];
  const NodeId node = slot == RunTable::kNone || running_.at(slot).placement.slots.empty()
                          ? NodeId()
                          : running_.at(slot).placement.slots.front().node;
  const std::string node_name = node.valid() ? pool_.desc(node).name : std::string();
  switch (e.state) {
    case TaskState::kPending: {
      std::vector<TaskId> waiting;
      graph_.for_each_predecessor(t, [&](TaskId p) {
        if (!is_final(graph_.state(p))) waiting.push_back(p);
      });
      std::sort(waiting.begin(), waiting.end());
      e.reasons.push_back(
          {Why::kWaitingForTasks, "waiting for tasks " + list_tasks(waiting), waiting, {}, waiting.size()});
      break;
    }
    case TaskState::kReady:
      explain_ready(t, e);
      break;
    case TaskState::kScheduled:
      e.reasons.push_back(
          {Why::kScheduled, "start decided on " + node_name + ", not reported started yet", {}, node, 0});
      break;
    case TaskState::kRunning:
      e.reasons.push_back({Why::kRunning, "running on " + binding_text(running_.at(slot).placement), {}, node, 0});
      if (graph_.has_flag(t, TaskGraph::kKillRequested)) {
        e.reasons.push_back({Why::kKillRequested, std::string("kill requested: ") + to_string(e.cause), {}, node, 0});
      }
      break;
    default: {
      std::string text = e.state != TaskState::kDone                  ? std::string(to_string(e.cause))
                         : graph_.has_flag(t, TaskGraph::kCached) ? "done (cached): a resumed run's journal had it done"
                                                                  : "finished successfully";
      if (e.state == TaskState::kFailed) {
        text += " after " + std::to_string(graph_.failures(t)) + " failed attempt(s)";
        if (graph_.has_flag(t, TaskGraph::kIgnored)) text += " (ignored: successors ran)";
      }
      std::vector<TaskId> culprits;
      if (e.cause == FailureCause::kPredecessorFailed) {
        graph_.for_each_predecessor(t, [&](TaskId p) {
          const TaskState ps = graph_.state(p);
          if (ps == TaskState::kCancelled || (ps == TaskState::kFailed && !graph_.has_flag(p, TaskGraph::kIgnored))) {
            culprits.push_back(p);
          }
        });
        std::sort(culprits.begin(), culprits.end());
        if (!culprits.empty()) text += " (task " + list_tasks(culprits) + ")";
      }
      e.reasons.push_back({Why::kFinished, text, culprits, {}, 0});
    }
  }
  return e;
}

void Scheduler::explain_ready(TaskId t, Explanation& e) const {
  if (stopped_) {
    e.reasons.push_back({Why::kRunStopped, "the run stopped: a task with on_failure=fail failed", {}, {}, 0});
    return;
  }
  if (graph_.has_flag(t, TaskGraph::kHeld) && job_end_) {
    e.reasons.push_back({Why::kJobTimeLimit,
                         "job time limit: it may run " + seconds(declared_run_s(t)) + " (its --timeout or --time)" +
                             " and the job ends in " + seconds(std::max(0.0, *job_end_ - last_now_)) + " (" +
                             seconds(cfg_.job_end_margin_s) + " margin kept); it starts only if the job's time " +
                             "limit is extended",
                         {},
                         {},
                         0});
    return;
  }
  const ResourceRequest& req = graph_.request(t);
  if (pool_.node_count() == 0) {
    e.reasons.push_back({Why::kNoNodes, "the job has no live node", {}, {}, 0});
  } else if (Status s = pool_.check_request(req); !s) {
    e.reasons.push_back({Why::kNeverFits, s.error().message, {}, {}, 0});
    return;
  }
  if (reservation_ && reservation_->task == t) {
    std::vector<TaskId> none;
    e.reasons.push_back({Why::kHoldsReservation,
                         "holds a reservation of " + std::to_string(reservation_->nodes.size()) +
                             " node(s) from t=" + seconds(reservation_->start) + "; smaller tasks backfill meanwhile",
                         none, reservation_->nodes.front(), 0});
  }
  if (graph_.has_flag(t, TaskGraph::kRetrying)) {
    const RetryInfo& info = retry_.at(t.value());
    if (!info.elsewhere && info.home.valid() && pool_.is_live(info.home) && !pool_.is_draining(info.home) &&
        !pool_.is_quarantined(info.home) && !pool_.place_on(req, info.home)) {
      e.reasons.push_back({Why::kWaitingForSameNode,
                           "retry " + std::to_string(graph_.failures(t)) + " waits for room on " +
                               pool_.desc(info.home).name + ", where it failed",
                           {},
                           info.home,
                           0});
      return;
    }
  }
  if (pool_.node_count() == 0 || !pool_.place(req)) {
    explain_no_room(t, e);
    return;
  }
  if (held_back_by_reservation(t, last_now_)) {
    const TaskId holder = reservation_->task;
    e.reasons.push_back({Why::kBlockedByReservation,
                         "blocked by the reservation of task " + holder.str() + ": it would run past t=" +
                             seconds(reservation_->start) + " (estimate " + seconds(estimate(t)) + ")",
                         {holder},
                         {},
                         0});
    return;
  }
  const std::uint64_t mine = key_of(t);
  std::uint64_t before = 0;
  for (std::uint64_t k : ready_.entries()) {
    const TaskId o(static_cast<std::uint32_t>(k));
    if (k < mine && graph_.state(o) == TaskState::kReady) ++before;
  }
  e.reasons.push_back({Why::kQueuedBehind,
                       "fits now; " + std::to_string(before) + " ready task(s) come first in " +
                           to_string(cfg_.policy) + " order; it starts at the next decision",
                       {},
                       {},
                       before});
}

void Scheduler::explain_no_room(TaskId t, Explanation& e) const {
  const ResourceRequest& req = graph_.request(t);
  if (pool_.node_count() > 0) e.reasons.push_back({Why::kNoRoomNow, pool_.why_not(req), {}, {}, 0});
  std::uint64_t draining = 0;
  for (NodeId n : pool_.live_nodes()) draining += pool_.is_draining(n) ? 1 : 0;
  if (draining > 0) {
    e.reasons.push_back(
        {Why::kDraining, std::to_string(draining) + " node(s) draining take no new work", {}, {}, draining});
  }
  explain_quarantine(req, e);
  const std::uint64_t live = pool_.node_count();
  if (!cfg_.elastic) {
    e.reasons.push_back(
        {Why::kNodeCountAtMax, "node count at max (" + std::to_string(live) + ", elasticity off)", {}, {}, live});
  } else if (live + nodes_unusable_ + nodes_coming_ >= cfg_.max_nodes) {
    e.reasons.push_back({Why::kNodeCountAtMax,
                         "node count at max (" + std::to_string(live) + " live + " +
                             (nodes_unusable_ ? std::to_string(nodes_unusable_) + " lost and still held + " : "") +
                             std::to_string(nodes_coming_) + " requested of " + std::to_string(cfg_.max_nodes) + ")",
                         {},
                         {},
                         live});
  }
  if (cfg_.elastic && nodes_coming_ > 0) {
    e.reasons.push_back(
        {Why::kGrowRequested,
         std::to_string(nodes_coming_) + " node(s) requested, expected within " + seconds(join_latency_s_),
         {},
         {},
         nodes_coming_});
  }
  (void)t;
}

// Quarantined nodes take no new task: say so, name them, and say what a task that only they could hold
// does (the last resort of states.md section 5).
void Scheduler::explain_quarantine(const ResourceRequest& req, Explanation& e) const {
  const std::uint64_t count = pool_.quarantined_count();
  if (count == 0) return;
  std::vector<std::string> names;
  for (NodeId n : pool_.live_nodes()) {
    if (!pool_.is_quarantined(n)) continue;
    if (names.size() == kListed) {
      names.push_back("and " + std::to_string(count - kListed) + " more");
      break;
    }
    names.push_back(pool_.desc(n).name);
  }
  std::string text = std::to_string(count) + " node(s) quarantined take no new task: tasks of several names failed " +
                     "there (" + join(names, ", ") + ")";
  if (Status s = pool_.check_usable(req); !s) {
    text += "; no other node could ever hold this task (" + s.error().message + "): " +
            (nodes_coming_ > 0 ? "it waits for the node(s) coming"
                               : "it runs on a quarantined node as a last resort once one has room");
  }
  e.reasons.push_back({Why::kQuarantined, text, {}, {}, count});
}

// --- the text of an explanation ---------------------------------------------------------------------
const char* to_string(Explanation::Why why) {
  using W = Explanation::Why;
  switch (why) {
    case W::kWaitingForTasks:
      return "waiting-for-tasks";
    case W::kNoNodes:
      return "no-nodes";
    case W::kNoRoomNow:
      return "no-room-now";
    case W::kNeverFits:
      return "never-fits";
    case W::kNodeCountAtMax:
      return "node-count-at-max";
    case W::kGrowRequested:
      return "grow-requested";
    case W::kDraining:
      return "draining";
    case W::kQuarantined:
      return "quarantined";
    case W::kBlockedByReservation:
      return "blocked-by-reservation";
    case W::kHoldsReservation:
      return "holds-reservation";
    case W::kWaitingForSameNode:
      return "waiting-for-same-node";
    case W::kQueuedBehind:
      return "queued-behind";
    case W::kRunStopped:
      return "run-stopped";
    case W::kJobTimeLimit:
      return "job-time-limit";
    case W::kScheduled:
      return "scheduled";
    case W::kRunning:
      return "running";
    case W::kKillRequested:
      return "kill-requested";
    case W::kFinished:
      return "finished";
  }
  return "?";
}

bool Explanation::has(Why why) const {
  for (const Reason& r : reasons) {
    if (r.why == why) return true;
  }
  return false;
}

std::string Explanation::to_string() const {
  std::string s = "task " + task.str();
  if (!name.empty()) s += " (" + name + ")";
  s += " is ";
  s += scheduler::to_string(state);
  const char* sep = ": ";
  for (const Reason& r : reasons) {
    s += sep;
    s += r.text;
    sep = "; ";
  }
  return s;
}

}  // namespace compss::scheduler
