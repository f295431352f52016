// scheduler_run.cc - attempts in flight: starts, exits, cancellation, failure policies, quarantine, lost
// nodes. The rules are doc/spec/states.md, sections 2 to 5.
#include <algorithm>

#include "scheduler/scheduler.h"

namespace compss::scheduler {
namespace {

bool in_flight(TaskState s) {
  return s == TaskState::kScheduled || s == TaskState::kRunning;
}

Error not_in_flight(TaskId t, TaskState s) {
  return fail("task ", t.str(), ": ", next_state(s, TaskEvent::kSucceeded).error().message,
              " (the scheduler did not start it)");
}

}  // namespace

// --- slots -------------------------------------------------------------------------------------------

void Scheduler::occupy(TaskId t, const Placement& p, double now) {
  pool_.allocate(p);
  for (const NodeSlot& s : p.slots) ++book(s.node).attempts;
  slot_of_[t.value()] = running_.add(t, p, now);
}

// Ends the attempt's hold on its resources; returns the node it ran on (its first, for MPI tasks).
NodeId Scheduler::vacate(TaskId t, double now) {
  std::uint32_t slot = slot_of_[t.value()];
  RunSlot& rs = running_.at(slot);
  pool_.release(rs.placement);
  NodeId first = rs.placement.slots.empty() ? NodeId() : rs.placement.slots.front().node;
  for (const NodeSlot& s : rs.placement.slots) {
    NodeBook& b = book(s.node);
    if (b.attempts > 0 && --b.attempts == 0) b.idle_since = now;
  }
  running_.remove(slot);
  slot_of_[t.value()] = RunTable::kNone;
  return first;
}

// --- reports -----------------------------------------------------------------------------------------

Status Scheduler::task_started(TaskId t, double now) {
  if (!graph_.contains(t)) return fail("task_started: task ", t.str(), " does not exist");
  if (Status s = graph_.apply(t, TaskEvent::kStarted); !s) return s;
  running_.at(slot_of_[t.value()]).started_at = now;
  if (double limit = graph_.timeout_s(t); limit > 0) {
    timeouts_.push_back(Timeout{now + limit, t.value(), now});
    std::push_heap(timeouts_.begin(), timeouts_.end(), std::greater<>());
  }
  return ok_status();
}

Status Scheduler::task_finished(TaskId t, TaskExit exit, double now) {
  if (!graph_.contains(t)) return fail("task_finished: task ", t.str(), " does not exist");
  const TaskState st = graph_.state(t);
  if (!in_flight(st)) return not_in_flight(t, st);
  // The start report may have merged into the exit report.
  if (st == TaskState::kScheduled) (void)graph_.apply(t, TaskEvent::kStarted);
  const double started = running_.at(slot_of_[t.value()]).started_at;
  const NodeId node = vacate(t, now);
  if (graph_.has_flag(t, TaskGraph::kKillRequested)) {
    finish_killed(t, node, now);
    return ok_status();
  }
  if (exit.kind == TaskExit::Kind::kOk) {
    (void)graph_.apply(t, TaskEvent::kSucceeded);
    forget_retry(t);
    if (node.valid()) book(node).failed_names.clear();  // the node runs tasks well: its count starts over
    if (started >= 0 && estimates_.learn(graph_.name_id(t), now - started)) cp_estimates_changed_ = true;
    release_successors(t);
    return ok_status();
  }
  fail_attempt(t, exit.kind == TaskExit::Kind::kOutOfMemory ? FailureCause::kOutOfMemory : FailureCause::kTaskError,
               node, now);
  return ok_status();
}

Status Scheduler::complete_cached(TaskId t) {
  if (!graph_.contains(t)) return fail("complete_cached: task ", t.str(), " does not exist");
  if (Status s = graph_.apply(t, TaskEvent::kCached); !s) return s;
  on_unready(t);  // its queue entry is stale now and dropped when reached
  graph_.set_flag(t, TaskGraph::kCached, true);
  ++cached_;
  release_successors(t);
  return ok_status();
}

Status Scheduler::restore_failed(TaskId t) {
  if (!graph_.contains(t)) return fail("restore_failed: task ", t.str(), " does not exist");
  if (graph_.state(t) != TaskState::kReady)
    return fail("restore_failed: task ", t.str(), " is ", to_string(graph_.state(t)), ", not ready");
  on_unready(t);  // its queue entry is stale now and dropped when reached
  fail_final(t, FailureCause::kTaskError);
  if (graph_.policy(t) == FailurePolicy::kIgnore) apply_failure_policy(t);
  else restored_failed_.push_back(t);
  return ok_status();
}

void Scheduler::settle_restored_failures() {
  for (TaskId t : restored_failed_) apply_failure_policy(t);
  restored_failed_.clear();
}

Status Scheduler::adopt(TaskId t, const NodeSlot& where, double now) {
  if (!graph_.contains(t)) return fail("adopt: task ", t.str(), " does not exist");
  if (graph_.state(t) != TaskState::kReady)
    return fail("adopt: task ", t.str(), " is ", to_string(graph_.state(t)), ", not ready");
  // No cores: the task has ended there already (its report follows) and holds nothing.
  if (where.cores.empty() ? !pool_.is_live(where.node) : !pool_.is_free(where))
    return fail("adopt: task ", t.str(), ": its cores or GPUs are not free on that node");
  Placement p;
  p.slots.push_back(where);
  on_unready(t);  // its queue entry is stale now and dropped when reached
  (void)graph_.apply(t, TaskEvent::kPlaced);
  occupy(t, p, now);
  return task_started(t, now);
}

void Scheduler::release_successors(TaskId t) {
  released_.clear();  // a member, so finishing a task does not allocate
  graph_.release_successors(t, released_);
  for (TaskId r : released_) on_ready(r);
}

// The exit of an attempt the scheduler asked to kill: a timeout is a failure, anything else a cancel.
void Scheduler::finish_killed(TaskId t, NodeId node, double now) {
  graph_.set_flag(t, TaskGraph::kKillRequested, false);
  if (graph_.state(t) == TaskState::kScheduled) (void)graph_.apply(t, TaskEvent::kStarted);
  if (graph_.cause(t) == FailureCause::kTimeout) {
    fail_attempt(t, FailureCause::kTimeout, node, now);
    return;
  }
  (void)graph_.apply(t, TaskEvent::kCancelled);
  forget_retry(t);
}

// --- failure policies ----------------------------------------------------------------------------------

void Scheduler::fail_attempt(TaskId t, FailureCause cause, NodeId node, double /*now*/) {
  graph_.count_failure(t);
  graph_.set_cause(t, cause);
  note_node_failure(node, t);
  if (graph_.policy(t) == FailurePolicy::kRetry) {
    const std::uint32_t r = graph_.retries(t), f = graph_.failures(t);
    if (r > 0 && f <= r + 1) {
      RetryInfo& info = retry_[t.value()];
      if (f == 1) info.home = node;
      info.elsewhere = f == r + 1;
      graph_.set_flag(t, TaskGraph::kRetrying, true);
      (void)graph_.apply(t, TaskEvent::kRequeued);
      on_ready(t);
      return;
    }
  }
  fail_for_good(t, cause);
}

// The task has failed for the last time: its policy says what follows.
void Scheduler::fail_for_good(TaskId t, FailureCause cause) {
  fail_final(t, cause);
  apply_failure_policy(t);
}

void Scheduler::apply_failure_policy(TaskId t) {
  switch (graph_.policy(t)) {
    case FailurePolicy::kRetry:
      run_failed_ = true;
      cancel_successors(t);
      return;
    case FailurePolicy::kCancelSuccessors:
      cancel_successors(t);
      return;
    case FailurePolicy::kFail:
      run_failed_ = true;
      stop_run();
      return;
    case FailurePolicy::kIgnore:
      graph_.set_flag(t, TaskGraph::kIgnored, true);
      release_successors(t);
      return;
  }
}

void Scheduler::forget_retry(TaskId t) {
  if (!graph_.has_flag(t, TaskGraph::kRetrying)) return;
  graph_.set_flag(t, TaskGraph::kRetrying, false);
  retry_.erase(t.value());
}

void Scheduler::fail_final(TaskId t, FailureCause cause) {
  graph_.set_cause(t, cause);
  (void)graph_.apply(t, TaskEvent::kFailed);
  forget_retry(t);
}

// Quarantine (states.md section 5): the names of tasks that failed on the node since a task last
// succeeded there; at kQuarantineAfterNames of them the node gets no new task for the rest of the run.
// Only the failures that fail_attempt() sees count: task errors, out of memory, timeouts; never a lost
// node, a kill by request or a cancellation.
void Scheduler::note_node_failure(NodeId node, TaskId t) {
  if (!node.valid()) return;
  NodeBook& b = book(node);
  if (b.quarantined) return;
  const std::uint32_t name = graph_.name_id(t);
  if (std::find(b.failed_names.begin(), b.failed_names.end(), name) == b.failed_names.end()) {
    b.failed_names.push_back(name);
  }
  if (b.failed_names.size() >= kQuarantineAfterNames) quarantine(node);
}

void Scheduler::quarantine(NodeId node) {
  NodeBook& b = book(node);
  b.quarantined = true;
  if (!pool_.is_live(node)) return;
  pool_.set_quarantined(node, true);
  if (reservation_ && std::binary_search(reservation_->nodes.begin(), reservation_->nodes.end(), node)) {
    reservation_.reset();
  }
  std::string names;
  for (std::uint32_t n : b.failed_names) names += (names.empty() ? "" : ", ") + std::string(graph_.name_of(n));
  pending_.emplace_back(std::in_place_type<QuarantineNode>,
                        QuarantineNode{node, "tasks of " + std::to_string(b.failed_names.size()) +
                                                 " different names failed on " + pool_.desc(node).name + " (" + names +
                                                 ") and none succeeded there since: no new task goes there"});
}

// --- cancellation ----------------------------------------------------------------------------------

void Scheduler::cancel_task(TaskId t, FailureCause cause) {
  if (graph_.state(t) == TaskState::kReady) on_unready(t);
  graph_.set_cause(t, cause);
  (void)graph_.apply(t, TaskEvent::kCancelled);
  forget_retry(t);
}

void Scheduler::request_kill(TaskId t, KillReason reason, FailureCause cause) {
  if (graph_.has_flag(t, TaskGraph::kKillRequested)) return;
  graph_.set_flag(t, TaskGraph::kKillRequested, true);
  graph_.set_cause(t, cause);
  pending_.emplace_back(std::in_place_type<KillTask>, KillTask{t, reason});
}

// Every transitive successor of `t` is cancelled; one in flight gets a kill decision.
void Scheduler::cancel_successors(TaskId t) {
  std::vector<TaskId> stack;
  graph_.for_each_successor(t, [&](TaskId s) { stack.push_back(s); });
  while (!stack.empty()) {
    TaskId s = stack.back();
    stack.pop_back();
    const TaskState st = graph_.state(s);
    if (is_final(st)) continue;
    if (in_flight(st)) {
      if (graph_.has_flag(s, TaskGraph::kKillRequested)) continue;
      request_kill(s, KillReason::kPredecessorFailed, FailureCause::kPredecessorFailed);
    } else {
      cancel_task(s, FailureCause::kPredecessorFailed);
    }
    graph_.for_each_successor(s, [&](TaskId n) { stack.push_back(n); });
  }
}

void Scheduler::stop_run() {
  stopped_ = true;
  reservation_.reset();
  const TaskId first = graph_.first_unfinished();
  if (!first.valid()) return;
  for (std::uint32_t i = first.value(); i < graph_.size(); ++i) {
    const TaskId t(i);
    const TaskState st = graph_.state(t);
    if (is_final(st)) continue;
    if (in_flight(st)) {
      request_kill(t, KillReason::kRunStopped, FailureCause::kRunStopped);
    } else {
      cancel_task(t, FailureCause::kRunStopped);
    }
  }
}

Status Scheduler::cancel(TaskId t) {
  if (!graph_.contains(t)) return fail("cancel: task ", t.str(), " does not exist");
  const TaskState st = graph_.state(t);
  if (is_final(st)) {
    return fail("cancel: task ", t.str(), ": ", next_state(st, TaskEvent::kCancelled).error().message);
  }
  if (in_flight(st)) {
    request_kill(t, KillReason::kCancelled, FailureCause::kKilledByRequest);
  } else {
    cancel_task(t, FailureCause::kKilledByRequest);
  }
  cancel_successors(t);
  return ok_status();
}

Status Scheduler::cancel_group(GroupId g) {
  if (!g.valid() || g.value() >= graph_.group_count()) return fail("cancel: group ", g.str(), " does not exist");
  for (TaskId t : graph_.group_members(g)) {
    if (!is_final(graph_.state(t))) (void)cancel(t);
  }
  return ok_status();
}

// --- lost nodes --------------------------------------------------------------------------------------

Status Scheduler::node_lost(NodeId node, double now) {
  if (!node.valid() || node.value() >= pool_.id_count() || !pool_.is_live(node)) {
    return fail("node_lost: node ", node.str(), " is not a live node of this job");
  }
  std::vector<TaskId> hit;
  running_.for_each([&](const RunSlot& s) {
    for (const NodeSlot& ns : s.placement.slots) {
      if (ns.node == node) {
        hit.push_back(s.task);
        break;
      }
    }
  });
  pool_.remove_node(node);
  if (reservation_ && std::binary_search(reservation_->nodes.begin(), reservation_->nodes.end(), node)) {
    reservation_.reset();
  }
  for (TaskId t : hit) {
    vacate(t, now);
    if (graph_.has_flag(t, TaskGraph::kKillRequested)) {
      finish_killed(t, node, now);
      continue;
    }
    // Lost with its node: not the task's fault, so no failure is counted and no retry is spent; but a
    // task whose nodes keep dying under it (it may be what kills them) runs at most crash_limit more times.
    if (lost_runs_.size() <= t.value()) lost_runs_.resize(graph_.size(), 0);
    if (++lost_runs_[t.value()] > cfg_.crash_limit) {
      fail_for_good(t, FailureCause::kCrashLimit);
      continue;
    }
    (void)graph_.apply(t, TaskEvent::kRequeued);
    on_ready(t);
  }
  book(node).attempts = 0;
  return ok_status();
}

}  // namespace compss::scheduler
