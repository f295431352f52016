// scheduler_place.cc - decide(): timeouts, priorities, reservations and placement of ready tasks.
#include <algorithm>
#include <functional>

#include "scheduler/scheduler.h"

namespace compss::scheduler {

std::vector<Decision> Scheduler::decide(double now) {
  std::vector<Decision> out;
  decide_into(now, out);
  return out;
}

void Scheduler::decide_into(double now, std::vector<Decision>& out) {
  last_now_ = now;
  check_timeouts(now);
  for (Decision& d : pending_) out.push_back(std::move(d));
  pending_.clear();
  if (!stopped_) {
    if (cfg_.policy == PlacementPolicy::kCriticalPath) refresh_priorities();
    update_reservation(now);
    place_ready(now, out);
  }
  if (cfg_.elastic) run_elastic(now, out);
}

void Scheduler::check_timeouts(double now) {
  while (!timeouts_.empty() && timeouts_.front().deadline <= now) {
    const Timeout to = timeouts_.front();
    std::pop_heap(timeouts_.begin(), timeouts_.end(), std::greater<>());
    timeouts_.pop_back();
    const TaskId t(to.task);
    // The entry may belong to an earlier attempt of a task that was retried since.
    if (graph_.state(t) != TaskState::kRunning || slot_of_[to.task] == RunTable::kNone) continue;
    if (running_.at(slot_of_[to.task]).started_at != to.started) continue;
    request_kill(t, KillReason::kTimeout, FailureCause::kTimeout);
  }
}

// Bottom levels (the longest remaining path by estimates) in one pass from the last task down: edges
// go from smaller to larger ids, so every successor is done before its predecessors. The pass is
// skipped while few tasks were added relative to the unfinished graph, so a stream of submissions
// costs amortised O(1) passes per task; a moved estimate redoes it at once.
void Scheduler::refresh_priorities() {
  if (!cp_dirty_ && !cp_estimates_changed_) return;
  const TaskId first = graph_.first_unfinished();
  if (!first.valid()) {
    cp_dirty_ = cp_estimates_changed_ = false;
    return;
  }
  const std::size_t unfinished = graph_.size() - first.value();
  const std::size_t added = graph_.size() - cp_computed_upto_;
  if (!cp_estimates_changed_ && unfinished > 4096 && added * 8 < unfinished) return;
  for (std::size_t i = graph_.size(); i-- > first.value();) {
    const TaskId t(static_cast<std::uint32_t>(i));
    if (is_final(graph_.state(t))) continue;
    float longest = 0;
    graph_.for_each_successor(t, [&](TaskId s) {
      if (!is_final(graph_.state(s))) longest = std::max(longest, bottom_level_[s.value()]);
    });
    bottom_level_[i] = static_cast<float>(estimate(t)) + longest;
  }
  cp_computed_upto_ = graph_.size();
  cp_dirty_ = cp_estimates_changed_ = false;
  ready_.rekey([this](TaskId t) { return key_of(t); });
}

// --- reservations ----------------------------------------------------------------------------------

std::vector<NodeLoad> Scheduler::node_loads(double now) const {
  std::vector<NodeLoad> loads;
  std::vector<std::uint32_t> index(pool_.id_count(), 0xffffffffu);
  for (NodeId n : pool_.live_nodes()) {
    if (pool_.is_draining(n) || pool_.is_quarantined(n)) continue;
    const NodeDesc& d = pool_.desc(n);
    NodeLoad l;
    l.node = n;
    l.free_cores = pool_.free_cores(n);
    l.free_gpus = static_cast<std::uint32_t>(d.gpus.size());
    l.free_memory = d.memory;
    l.memory_accounted = d.memory > 0;
    index[n.value()] = static_cast<std::uint32_t>(loads.size());
    loads.push_back(std::move(l));
  }
  running_.for_each([&](const RunSlot& s) {
    const double begun = s.started_at >= 0 ? s.started_at : s.placed_at;
    const double end = std::max(now, begun + estimate(s.task));
    for (const NodeSlot& ns : s.placement.slots) {
      if (ns.node.value() >= index.size() || index[ns.node.value()] == 0xffffffffu) continue;
      NodeLoad& l = loads[index[ns.node.value()]];
      const auto gpus = static_cast<std::uint32_t>(ns.gpus.size());
      l.free_gpus -= std::min(l.free_gpus, gpus);
      l.free_memory -= std::min(l.free_memory, ns.memory);
      l.ending.push_back({end, static_cast<std::uint32_t>(ns.cores.size()), gpus, ns.memory});
    }
  });
  return loads;
}

void Scheduler::update_reservation(double now) {
  TaskId holder = reservation_ ? reservation_->task : TaskId();
  if (holder.valid() && graph_.state(holder) != TaskState::kReady) {
    reservation_.reset();
    holder = TaskId();
  }
  if (!holder.valid()) {
    const bool overdue = blocked_head_.valid() && graph_.state(blocked_head_) == TaskState::kReady &&
                         now - blocked_since_ >= cfg_.reservation_after_s;
    if (!overdue) return;
    holder = blocked_head_;
  }
  // Re-planned on every call: estimates, running tasks and nodes change.
  reservation_ = plan_reservation(holder, graph_.request(holder), node_loads(now), now);
}

bool Scheduler::held_back_by_reservation(TaskId t, double now) const {
  return reservation_ && reservation_->task != t && now + estimate(t) > reservation_->start;
}

// --- placement -------------------------------------------------------------------------------------

Scheduler::Fit Scheduler::try_place(TaskId t, double now, Placement& p) {
  const ResourceRequest& req = graph_.request(t);
  std::vector<NodeId> avoid;
  if (graph_.has_flag(t, TaskGraph::kRetrying)) {
    const RetryInfo& info = retry_.at(t.value());
    const NodeId home = info.home;
    const bool home_usable =
        home.valid() && pool_.is_live(home) && !pool_.is_draining(home) && !pool_.is_quarantined(home);
    // A task of several ranks (MPI) may span nodes: it is not tied to the first node it failed on.
    if (!info.elsewhere && home_usable && req.ranks == 1) {
      // Once more on the node where it failed (COMPSs' first retry); it waits for room there.
      const bool reserved = held_back_by_reservation(t, now) &&
                            std::binary_search(reservation_->nodes.begin(), reservation_->nodes.end(), home);
      std::optional<Placement> on = reserved ? std::nullopt : pool_.place_on(req, home);
      if (!on) return Fit::kNoRoomConstrained;
      p = std::move(*on);
      return Fit::kPlaced;
    }
    // Another node, when there is one outside quarantine (a quarantined home is never used anyway).
    if (info.elsewhere && home_usable && req.ranks == 1 && pool_.node_count() - pool_.quarantined_count() > 1)
      avoid.push_back(home);
  }
  if (held_back_by_reservation(t, now)) {
    avoid.insert(avoid.end(), reservation_->nodes.begin(), reservation_->nodes.end());
  }
  if (pool_.place_into(req, p, avoid)) return Fit::kPlaced;
  // The last resort (states.md section 5): a task no node outside quarantine could ever hold, while no
  // node is coming, runs on a quarantined node rather than wait for ever.
  if (pool_.quarantined_count() > 0 && stranded(req) && pool_.place_into(req, p, {}, true)) return Fit::kPlaced;
  return avoid.empty() ? Fit::kNoRoom : Fit::kNoRoomConstrained;
}

bool Scheduler::stranded(const ResourceRequest& req) const {
  return nodes_coming_ == 0 && !pool_.check_usable(req);
}

// Tries ready tasks in policy order. A task that does not fit is put back; the first of them is the
// blocked head (it may get a reservation). Stops when no core is free, when every shape of ready task
// failed to fit without constraints this round (the rest cannot fit either), or after
// backfill_window tasks that did not fit.
void Scheduler::place_ready(double now, std::vector<Decision>& out) {
  failed_shapes_.clear();
  skipped_.clear();
  bool head_seen = false;
  std::uint32_t misses = 0;
  while (!ready_.empty()) {
    const TaskId t = ready_.top();
    if (graph_.state(t) != TaskState::kReady) {  // stale entry: cancelled or placed meanwhile
      ready_.pop();
      graph_.set_flag(t, TaskGraph::kQueued, false);
      continue;
    }
    if (ends_too_late(t, now)) {
      ready_.pop();
      hold(t);
      continue;
    }
    // No free core outside quarantine: nothing more fits, but for the last resort on quarantined nodes.
    const bool full = pool_.free_cores() == 0 && pool_.quarantined_count() == 0;
    if (full || failed_shapes_.size() >= live_shapes_) {
      if (!head_seen && blocked_head_ != t) {
        blocked_head_ = t;
        blocked_since_ = now;
      }
      head_seen = true;
      break;
    }
    const std::uint64_t key = ready_.top_key();
    ready_.pop();
    const std::uint32_t shape = graph_.request_id(t);
    const bool shape_failed = std::find(failed_shapes_.begin(), failed_shapes_.end(), shape) != failed_shapes_.end();
    const Fit fit = shape_failed ? Fit::kNoRoom : try_place(t, now, scratch_);
    if (fit == Fit::kPlaced) {
      graph_.set_flag(t, TaskGraph::kQueued, false);
      on_unready(t);
      (void)graph_.apply(t, TaskEvent::kPlaced);
      occupy(t, scratch_, now);
      out.emplace_back(std::in_place_type<StartTask>, StartTask{t, scratch_, graph_.failures(t) + 1});
      if (reservation_ && reservation_->task == t) reservation_.reset();
      continue;
    }
    if (fit == Fit::kNoRoom && !shape_failed) failed_shapes_.push_back(shape);
    skipped_.push_back(key);
    if (!head_seen) {
      head_seen = true;
      if (blocked_head_ != t) {
        blocked_head_ = t;
        blocked_since_ = now;
      }
    }
    if (++misses >= cfg_.backfill_window) break;
  }
  for (std::uint64_t k : skipped_) ready_.push(k);
  if (!head_seen) blocked_head_ = TaskId();
}

}  // namespace compss::scheduler
