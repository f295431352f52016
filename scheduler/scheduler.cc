// scheduler.cc - the facade: submissions, nodes, queries.
#include "scheduler/scheduler.h"

namespace compss::scheduler {

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::kRunning:
      return "running";
    case Outcome::kSuccess:
      return "success";
    case Outcome::kFailure:
      return "failure";
  }
  return "?";
}

Scheduler::Scheduler(SchedulerConfig cfg)
    : cfg_(cfg), estimates_(cfg.default_estimate_s), join_latency_s_(cfg.join_latency_s) {
  if (cfg_.max_nodes < cfg_.min_nodes) cfg_.max_nodes = cfg_.min_nodes;
  if (cfg_.elastic) pool_.set_node_limit(cfg_.max_nodes);
}

// --- work --------------------------------------------------------------------------------------------

// check_request() looks at every node; a run submits the same few shapes over and over, so the last
// accepted shape is remembered until the node set changes.
Status Scheduler::check_fits(const ResourceRequest& req) {
  const std::uint64_t version = std::uint64_t{pool_.id_count()} << 32 | pool_.node_count();
  if (checked_valid_ && checked_version_ == version && same_request(checked_, req)) return ok_status();
  if (Status s = pool_.check_request(req); !s) return s;
  checked_ = req;
  checked_version_ = version;
  checked_valid_ = true;
  return ok_status();
}

Result<TaskId> Scheduler::submit(const TaskSpec& spec) {
  if (Status s = check_fits(spec.request); !s) return s.error();
  Result<TaskId> t = graph_.add(spec, cfg_.default_retries);
  if (!t) return t;
  grow_per_task();
  on_submitted(*t);
  return t;
}

Result<TaskRange> Scheduler::submit_array(const TaskSpec& spec, std::int64_t first, std::int64_t last,
                                          std::int64_t step) {
  if (Status s = check_fits(spec.request); !s) return s.error();
  Result<TaskRange> r = graph_.add_array(spec, first, last, step, cfg_.default_retries);
  if (!r) return r;
  grow_per_task();
  for (std::uint32_t i = 0; i < r->count; ++i) on_submitted(r->at(i));
  return r;
}

void Scheduler::grow_per_task() {
  slot_of_.resize(graph_.size(), RunTable::kNone);
  bottom_level_.resize(graph_.size(), 0.0f);
  if (ready_per_shape_.size() < graph_.shapes().size()) ready_per_shape_.resize(graph_.shapes().size(), 0);
}

void Scheduler::on_submitted(TaskId t) {
  // A declared length (the timeout, else the time the task says it takes) stands in until one finishes.
  const double timeout = graph_.timeout_s(t);
  estimates_.note_name(graph_.name_id(t), timeout > 0 ? timeout : graph_.time_limit_s(t));
  // A new task has no successors yet, so its remaining path is its own estimate; its predecessors'
  // paths grew, which refresh_priorities() catches up with.
  bottom_level_[t.value()] = static_cast<float>(estimate(t));
  cp_dirty_ = true;
  if (stopped_ && !is_final(graph_.state(t))) {
    graph_.set_cause(t, FailureCause::kRunStopped);
    (void)graph_.apply(t, TaskEvent::kCancelled);
    return;
  }
  if (graph_.state(t) == TaskState::kReady) on_ready(t);
}

// Every task entering ready comes through here: the queue, and the sums the elasticity input uses.
void Scheduler::on_ready(TaskId t) {
  std::uint32_t shape = graph_.request_id(t);
  if (ready_per_shape_[shape]++ == 0) ++live_shapes_;
  ready_cores_ += cores_of(graph_.request(t));
  if (!graph_.has_flag(t, TaskGraph::kQueued)) {
    graph_.set_flag(t, TaskGraph::kQueued, true);
    ready_.push(key_of(t));
  }
}

void Scheduler::on_unready(TaskId t) {
  if (graph_.has_flag(t, TaskGraph::kHeld)) {  // its sums were taken out when it was held
    graph_.set_flag(t, TaskGraph::kHeld, false);
    --held_count_;
    return;
  }
  std::uint32_t shape = graph_.request_id(t);
  if (--ready_per_shape_[shape] == 0) --live_shapes_;
  ready_cores_ -= cores_of(graph_.request(t));
}

std::uint64_t Scheduler::key_of(TaskId t) const {
  return ready_key(cfg_.policy, t, graph_.priority(t), bottom_level_[t.value()]);
}

// --- nodes -------------------------------------------------------------------------------------------

Scheduler::NodeBook& Scheduler::book(NodeId n) {
  if (n.value() >= nodes_.size()) nodes_.resize(n.value() + 1);
  return nodes_[n.value()];
}

NodeId Scheduler::node_joined(NodeDesc desc, double now, bool releasable) {
  NodeId n = pool_.add_node(std::move(desc));
  NodeBook& b = book(n);
  b.joined_at = now;
  b.releasable = releasable;
  b.idle_since = now;
  if (!first_node_.valid()) first_node_ = n;
  if (nodes_coming_ > 0) --nodes_coming_;
  return n;
}

Status Scheduler::drain(NodeId node, bool draining) {
  if (!node.valid() || node.value() >= pool_.id_count() || !pool_.is_live(node)) {
    return fail("node ", node.str(), " is not a live node of this job");
  }
  pool_.set_draining(node, draining);
  return ok_status();
}

// --- queries -----------------------------------------------------------------------------------------

Outcome Scheduler::outcome() const {
  if (!graph_.all_final() || running_.active() > 0) return Outcome::kRunning;
  return stopped_ || run_failed_ ? Outcome::kFailure : Outcome::kSuccess;
}

WaitStatus Scheduler::wait_status(std::span<const TaskId> tasks) const {
  WaitStatus w;
  for (TaskId t : tasks) {
    if (!graph_.contains(t)) continue;
    ++w.total;
    switch (graph_.state(t)) {
      case TaskState::kDone:
        ++w.done;
        break;
      case TaskState::kFailed:
        ++w.failed;
        if (graph_.has_flag(t, TaskGraph::kIgnored)) ++w.ignored;
        break;
      case TaskState::kCancelled:
        ++w.cancelled;
        break;
      default:
        w.all_final = false;
    }
  }
  return w;
}

WaitStatus Scheduler::group_status(GroupId g) const {
  if (!g.valid() || g.value() >= graph_.group_count()) return WaitStatus{};
  const std::vector<TaskId>& members = graph_.group_members(g);
  return wait_status(std::span<const TaskId>(members.data(), members.size()));
}

const Placement* Scheduler::placement(TaskId t) const {
  if (!graph_.contains(t) || slot_of_[t.value()] == RunTable::kNone) return nullptr;
  return &running_.at(slot_of_[t.value()]).placement;
}

std::size_t Scheduler::memory_bytes() const {
  return graph_.memory_bytes() + ready_.memory_bytes() + slot_of_.capacity() * sizeof(std::uint32_t) +
         bottom_level_.capacity() * sizeof(float) + timeouts_.capacity() * sizeof(Timeout);
}

}  // namespace compss::scheduler
