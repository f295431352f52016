// graph_state.cc - state transitions, counts per state and per group, releasing successors, queries.
#include "scheduler/graph.h"

namespace compss::scheduler {

void TaskGraph::count_state(TaskId t, TaskState s, int delta) {
  counts_[static_cast<int>(s)] += static_cast<std::uint64_t>(static_cast<std::int64_t>(delta));
  if (!has_flag(t, kGrouped)) return;  // spares a look at the spec for most tasks
  if (GroupId g = spec(t).group; g.valid()) {
    groups_[g.value()].counts[static_cast<int>(s)] += static_cast<std::uint32_t>(delta);
  }
}

Status TaskGraph::apply(TaskId t, TaskEvent event) {
  if (!contains(t)) return fail("task ", t.str(), " does not exist");
  TaskRec& r = recm(t);
  const TaskState to = transition(r.state, event);
  if (to == kNoTransition) return fail("task ", t.str(), ": ", next_state(r.state, event).error().message);
  count_state(t, r.state, -1);
  r.state = to;
  count_state(t, r.state, +1);
  if (change_log_) change_log_->push_back({t, to});
  return ok_status();
}

void TaskGraph::set_flag(TaskId t, std::uint8_t f, bool on) {
  TaskRec& r = recm(t);
  r.flags = static_cast<std::uint8_t>(on ? (r.flags | f) : (r.flags & ~f));
}

void TaskGraph::count_failure(TaskId t) {
  TaskRec& r = recm(t);
  if (r.failures < 0xff) ++r.failures;
}

void TaskGraph::release_successors(TaskId t, std::vector<TaskId>& ready) {
  for (std::uint32_t e = rec(t).succ_head; e != kNil; e = succ_[e].next) {
    TaskRec& s = tasks_[succ_[e].task];
    if (s.pending > 0) --s.pending;
    // A successor cancelled meanwhile keeps its state; only pending ones become ready.
    if (s.pending == 0 && s.state == TaskState::kPending) {
      TaskId sid(succ_[e].task);
      (void)apply(sid, TaskEvent::kDepsMet);
      ready.push_back(sid);
    }
  }
}

bool TaskGraph::all_final() const {
  return counts_[static_cast<int>(TaskState::kDone)] + counts_[static_cast<int>(TaskState::kFailed)] +
             counts_[static_cast<int>(TaskState::kCancelled)] ==
         tasks_.size();
}

TaskId TaskGraph::first_unfinished() const {
  while (first_unfinished_ < tasks_.size() && is_final(tasks_[first_unfinished_].state)) ++first_unfinished_;
  return first_unfinished_ < tasks_.size() ? TaskId(first_unfinished_) : TaskId();
}

std::vector<std::pair<std::string_view, AccessMode>> TaskGraph::accesses(TaskId t) const {
  std::vector<std::pair<std::string_view, AccessMode>> out;
  const TaskRec& r = rec(t);
  for (std::uint16_t i = 0; i < spec(t).access_count; ++i) {
    std::uint32_t word = accesses_[r.access_off + i];
    out.emplace_back(paths_.view(word >> 2), static_cast<AccessMode>(word & 3));
  }
  return out;
}

GroupId TaskGraph::find_group(std::string_view name) const {
  std::uint32_t g = group_names_.find(name);
  return g == Interner::kNotFound ? GroupId() : GroupId(g);
}

std::size_t TaskGraph::memory_bytes() const {
  std::size_t n = tasks_.capacity() * sizeof(TaskRec) + specs_.capacity() * sizeof(SpecRec) +
                  accesses_.capacity() * sizeof(std::uint32_t) + (succ_.capacity() + pred_.capacity()) * sizeof(Edge) +
                  files_.capacity() * sizeof(FileRec) + readers_.capacity() * sizeof(Edge) + strings_.bytes_reserved() +
                  paths_.bytes_reserved() + names_.bytes_reserved() + group_names_.bytes_reserved() +
                  scratch_.capacity() * sizeof(std::uint32_t);
  for (const Group& g : groups_) n += sizeof(Group) + g.members.capacity() * sizeof(TaskId);
  return n;
}

}  // namespace compss::scheduler
