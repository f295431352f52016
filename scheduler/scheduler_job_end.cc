// scheduler_job_end.cc - the job's end: tasks that declare a length start only when they would end before
// it (doc/spec/states.md, "The job's end").
#include <algorithm>

#include "scheduler/scheduler.h"

namespace compss::scheduler {

double Scheduler::declared_run_s(TaskId t) const {
  const double timeout = graph_.timeout_s(t), limit = graph_.time_limit_s(t);
  if (timeout > 0 && limit > 0) return std::min(timeout, limit);
  return std::max(timeout, limit);
}

bool Scheduler::ends_too_late(TaskId t, double now) const {
  if (!job_end_) return false;
  const double length = declared_run_s(t);
  return length > 0 && now + length + cfg_.job_end_margin_s > *job_end_;
}

// Out of the ready queue and of the sums the elasticity policy reads: the job must not grow for work it
// cannot finish. on_unready() clears the flag again when a held task is cancelled or cached.
void Scheduler::hold(TaskId t) {
  graph_.set_flag(t, TaskGraph::kQueued, false);
  on_unready(t);
  graph_.set_flag(t, TaskGraph::kHeld, true);
  ++held_count_;
  held_.push_back(t);
  if (reservation_ && reservation_->task == t) reservation_.reset();
  if (blocked_head_ == t) blocked_head_ = TaskId();
}

void Scheduler::set_job_end(std::optional<double> end) {
  const bool later = !end || (job_end_ && *end > *job_end_);
  job_end_ = end;
  if (!later) return;
  for (TaskId t : held_) {
    if (!graph_.has_flag(t, TaskGraph::kHeld)) continue;  // cancelled or cached since
    graph_.set_flag(t, TaskGraph::kHeld, false);
    --held_count_;
    on_ready(t);
  }
  held_.clear();
}

}  // namespace compss::scheduler
