// graph.cc - adding tasks: validation, compact storage, dependency inference from file accesses.
#include "scheduler/graph.h"

#include <algorithm>
#include <limits>

namespace compss::scheduler {
namespace {

constexpr std::uint32_t kMaxRetries = 100;
constexpr std::size_t kMaxAccesses = 0xffff;
constexpr std::uint32_t kMaxFiles = 1u << 30;  // file ids share a word with the 2-bit mode

bool has_index_pattern(std::string_view s) {
  return s.find("{i}") != std::string_view::npos;
}

}  // namespace

Status TaskGraph::check(const TaskSpec& spec, std::uint32_t default_retries, std::uint64_t ahead) const {
  if (spec.command.empty()) return fail("task '", spec.name, "' has no command");
  if (spec.accesses.size() > kMaxAccesses) {
    return fail("task '", spec.name, "' has ", std::to_string(spec.accesses.size()),
                " file accesses; at most 65535 are allowed");
  }
  for (const FileAccess& a : spec.accesses) {
    if (a.path.empty()) return fail("task '", spec.name, "' has a file access with an empty path");
  }
  const std::uint64_t existing = tasks_.size() + ahead;
  for (TaskId a : spec.after) {
    if (!a.valid() || a.value() >= existing) {
      return fail("after: task ", a.str(), " does not exist (", std::to_string(existing),
                  " tasks submitted so far; ids start at 0)");
    }
  }
  std::uint32_t retries = spec.retries < 0 ? default_retries : static_cast<std::uint32_t>(spec.retries);
  if (retries > kMaxRetries) {
    return fail("retries ", std::to_string(retries), " is out of range 0..", std::to_string(kMaxRetries));
  }
  if (!(spec.timeout_s >= 0)) return fail("timeout must be 0 (none) or a positive number of seconds");
  if (!(spec.time_limit_s >= 0)) return fail("time limit must be 0 (none) or a positive number of seconds");
  if (spec.request.ranks == 0) return fail("a task needs at least one rank");
  if (existing >= std::numeric_limits<std::uint32_t>::max() - 1) return fail("too many tasks");
  if (paths_.size() + spec.accesses.size() >= kMaxFiles) return fail("too many distinct files");
  return ok_status();
}

std::uint32_t TaskGraph::store_spec(const TaskSpec& spec, std::uint32_t default_retries, bool array) {
  SpecRec s{};
  s.command = strings_.store(spec.command);
  s.name = names_.intern(spec.name.empty() ? default_task_name(spec.command) : std::string_view(spec.name));
  s.request = shapes_.intern(spec.request);
  if (!spec.group.empty()) {
    std::uint32_t g = group_names_.intern(spec.group);
    if (g == groups_.size()) groups_.emplace_back();
    s.group = GroupId(g);
  }
  s.priority = spec.priority;
  s.timeout_s = static_cast<float>(spec.timeout_s);
  s.time_limit_s = static_cast<float>(spec.time_limit_s);
  s.access_count = static_cast<std::uint16_t>(spec.accesses.size());
  s.policy = spec.on_failure;
  s.retries = static_cast<std::uint8_t>(spec.retries < 0 ? default_retries : spec.retries) & 0x7f;
  s.array = array ? 1 : 0;
  specs_.push_back(s);
  return static_cast<std::uint32_t>(specs_.size() - 1);
}

std::uint32_t TaskGraph::store_accesses(const TaskSpec& spec, bool substitute, std::int64_t index) {
  auto off = static_cast<std::uint32_t>(accesses_.size());
  for (const FileAccess& a : spec.accesses) {
    std::uint32_t f = substitute && has_index_pattern(a.path) ? paths_.intern(substitute_index(a.path, index))
                                                              : paths_.intern(a.path);
    if (f == files_.size()) files_.emplace_back();
    accesses_.push_back(f << 2 | static_cast<std::uint32_t>(a.mode));
  }
  return off;
}

Result<TaskId> TaskGraph::add(const TaskSpec& spec, std::uint32_t default_retries) {
  if (Status s = check(spec, default_retries); !s) return s.error();
  std::uint32_t sid = store_spec(spec, default_retries, false);
  std::uint32_t off = store_accesses(spec, false, 0);
  return link(sid, 0, off, spec.after);
}

Result<TaskRange> TaskGraph::add_array(const TaskSpec& spec, std::int64_t first, std::int64_t last, std::int64_t step,
                                       std::uint32_t default_retries) {
  if (Status s = check(spec, default_retries); !s) return s.error();
  constexpr std::int64_t kLo = std::numeric_limits<std::int32_t>::min();
  constexpr std::int64_t kHi = std::numeric_limits<std::int32_t>::max();
  if (step < 1) return fail("array step must be at least 1 (got ", std::to_string(step), ")");
  if (first > last) {
    return fail("array range ", std::to_string(first), "-", std::to_string(last), " is empty: first > last");
  }
  if (first < kLo || last > kHi) return fail("array indices must fit in 32 bits");
  const std::int64_t count = (last - first) / step + 1;
  if (static_cast<std::uint64_t>(count) + tasks_.size() >= std::numeric_limits<std::uint32_t>::max() - 1) {
    return fail("array of ", std::to_string(count), " tasks is too large");
  }
  const bool per_task = std::any_of(spec.accesses.begin(), spec.accesses.end(),
                                    [](const FileAccess& a) { return has_index_pattern(a.path); });
  std::uint32_t sid = store_spec(spec, default_retries, true);
  std::uint32_t shared_off = per_task ? 0 : store_accesses(spec, false, 0);
  TaskRange range;
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t index = first + i * step;
    std::uint32_t off = per_task ? store_accesses(spec, true, index) : shared_off;
    TaskId t = link(sid, static_cast<std::int32_t>(index), off, spec.after);
    if (i == 0) range.first = t;
  }
  range.count = static_cast<std::uint32_t>(count);
  return range;
}

// Creates the task record and its edges; the initial state follows from its predecessors.
TaskId TaskGraph::link(std::uint32_t spec_id, std::int32_t index, std::uint32_t access_off,
                       const std::vector<TaskId>& after) {
  const auto self = static_cast<std::uint32_t>(tasks_.size());
  TaskRec r{spec_id, index, 0, kNil, kNil, access_off, TaskState::kPending, FailureCause::kNone, 0, 0};
  tasks_.push_back(r);
  gather(self, access_off, specs_[spec_id].access_count, after);

  bool doomed = false;
  TaskRec& me = tasks_[self];
  for (std::uint32_t p : scratch_) {
    const TaskRec& pr = tasks_[p];
    const bool satisfied = pr.state == TaskState::kDone || (pr.state == TaskState::kFailed && (pr.flags & kIgnored));
    if (satisfied) continue;
    pred_.push_back({p, me.pred_head});
    me.pred_head = static_cast<std::uint32_t>(pred_.size() - 1);
    if (is_final(pr.state)) {
      doomed = true;  // a predecessor failed or was cancelled before this task arrived
      continue;
    }
    succ_.push_back({self, tasks_[p].succ_head});
    tasks_[p].succ_head = static_cast<std::uint32_t>(succ_.size() - 1);
    ++me.pending;
  }

  const TaskId id(self);
  if (GroupId g = specs_[spec_id].group; g.valid()) {
    groups_[g.value()].members.push_back(id);
    me.flags |= kGrouped;
  }
  count_state(id, TaskState::kPending, +1);
  if (doomed) {
    me.cause = FailureCause::kPredecessorFailed;
    (void)apply(id, TaskEvent::kCancelled);
  } else if (me.pending == 0) {
    (void)apply(id, TaskEvent::kDepsMet);
  }
  return id;
}

// Collects the distinct predecessors of task `self` into scratch_ and updates the files' last writer
// and readers. Each access is applied in the order given; a task never depends on itself.
void TaskGraph::gather(std::uint32_t self, std::uint32_t access_off, std::uint16_t count,
                       const std::vector<TaskId>& after) {
  scratch_.clear();
  for (std::uint16_t i = 0; i < count; ++i) {
    const std::uint32_t word = accesses_[access_off + i];
    FileRec& f = files_[word >> 2];
    const auto mode = static_cast<AccessMode>(word & 3);
    if (mode != AccessMode::kOut && f.last_writer != kNil && f.last_writer != self) {
      scratch_.push_back(f.last_writer);  // RAW
    }
    if (mode == AccessMode::kIn) {
      add_reader(f, self);
      continue;
    }
    for (std::uint32_t e = f.readers; e != kNil; e = readers_[e].next) {
      if (readers_[e].task != self) scratch_.push_back(readers_[e].task);  // WAR
    }
    if (f.last_writer != kNil && f.last_writer != self) scratch_.push_back(f.last_writer);  // WAW
    clear_readers(f);
    f.last_writer = self;
  }
  for (TaskId a : after) scratch_.push_back(a.value());
  if (scratch_.size() > 1) {
    std::sort(scratch_.begin(), scratch_.end());
    scratch_.erase(std::unique(scratch_.begin(), scratch_.end()), scratch_.end());
  }
}

void TaskGraph::add_reader(FileRec& f, std::uint32_t task) {
  // Two reads by the same task in a row need one entry.
  if (f.readers != kNil && readers_[f.readers].task == task) return;
  std::uint32_t node;
  if (free_reader_ != kNil) {
    node = free_reader_;
    free_reader_ = readers_[node].next;
    readers_[node] = {task, f.readers};
  } else {
    node = static_cast<std::uint32_t>(readers_.size());
    readers_.push_back({task, f.readers});
  }
  f.readers = node;
}

void TaskGraph::clear_readers(FileRec& f) {
  if (f.readers == kNil) return;
  std::uint32_t last = f.readers;
  while (readers_[last].next != kNil) last = readers_[last].next;
  readers_[last].next = free_reader_;
  free_reader_ = f.readers;
  f.readers = kNil;
}

}  // namespace compss::scheduler
