// graph.h - the task graph: tasks in submission order, dependencies inferred from file accesses (COMPSs
// semantics), explicit `after` edges, task states with their counts, and task groups.
//
// Dependencies follow submission order (doc/spec/states.md section 1): a reader of a file waits for
// the file's last writer (RAW); a writer (out or inout) waits for the readers since the last writer
// (WAR) and for the last writer (WAW); inout is a read and a write. `after` names earlier tasks. So
// every edge goes from a smaller TaskId to a larger one, and id order is a topological order.
//
// Storage is compact because runs reach millions of tasks: tasks in a dense vector indexed by TaskId,
// the fixed part of a submission (command, name, resource shape, policy) in a spec record shared by
// all tasks of an array, file paths interned to 32-bit ids, edges in singly linked lists inside two
// flat vectors. About 150 bytes per task for a task with a 40-byte command, one input and one output.
//
// Lifecycle: add() / add_array() tasks; apply() events as they happen (the Scheduler does); read
// states, counts, edges. Nothing is removed: final tasks stay for reports and explain.
// Failure behaviour: add() and apply() return an error and change nothing when the input is invalid
// (unknown `after` task, illegal transition).
// Thread-safety: none; one owner.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/util/ids.h"
#include "common/util/result.h"
#include "scheduler/arena.h"
#include "scheduler/shape_table.h"
#include "scheduler/states.h"
#include "scheduler/task.h"

namespace compss::scheduler {

// One state change of one task, as apply() made it (set_change_log()).
struct StateChange {
  TaskId task;
  TaskState to;
};

struct TaskRange {
  TaskId first;
  std::uint32_t count = 0;
  TaskId at(std::uint32_t i) const { return TaskId(first.value() + i); }
};

class TaskGraph {
 public:
  static constexpr std::uint32_t kNil = 0xffffffffu;
  // Per-task flag bits.
  static constexpr std::uint8_t kIgnored = 1;        // failed under on_failure=ignore: satisfies successors
  static constexpr std::uint8_t kKillRequested = 2;  // a kill decision was emitted for the running attempt
  static constexpr std::uint8_t kQueued = 4;         // has an entry in the scheduler's ready queue
  static constexpr std::uint8_t kRetrying = 8;       // the scheduler holds retry placement constraints
  static constexpr std::uint8_t kGrouped = 16;       // belongs to a group
  static constexpr std::uint8_t kCached = 32;        // done without running: a resumed run's journal had it
  static constexpr std::uint8_t kHeld = 64;          // ready, not started: it would not end before the job

  // Adds one task. Its state is ready when it has no unfinished predecessor, cancelled when a
  // predecessor already failed or was cancelled, pending otherwise. `default_retries` applies when
  // spec.retries is -1.
  Result<TaskId> add(const TaskSpec& spec, std::uint32_t default_retries);
  // Adds tasks with indices first, first+step, ..., <= last, sharing one stored spec. "{i}" in file
  // paths is substituted per task for dependency inference; the command is stored unsubstituted.
  Result<TaskRange> add_array(const TaskSpec& spec, std::int64_t first, std::int64_t last, std::int64_t step,
                              std::uint32_t default_retries);
  // The checks add() makes, as if `ahead` more tasks had been added first: a submit of several tasks is
  // checked whole before any is added, so that it is all or nothing.
  Status check(const TaskSpec& spec, std::uint32_t default_retries, std::uint64_t ahead = 0) const;

  // --- one task ---------------------------------------------------------------------------------------
  std::size_t size() const { return tasks_.size(); }
  bool contains(TaskId t) const { return t.valid() && t.value() < tasks_.size(); }
  TaskState state(TaskId t) const { return rec(t).state; }
  FailureCause cause(TaskId t) const { return rec(t).cause; }
  bool has_flag(TaskId t, std::uint8_t f) const { return (rec(t).flags & f) != 0; }
  void set_flag(TaskId t, std::uint8_t f, bool on);
  std::uint32_t failures(TaskId t) const { return rec(t).failures; }
  void count_failure(TaskId t);
  std::uint32_t pending_predecessors(TaskId t) const { return rec(t).pending; }

  std::string_view name(TaskId t) const { return names_.view(spec(t).name); }
  std::uint32_t name_id(TaskId t) const { return spec(t).name; }
  std::string_view name_of(std::uint32_t name_id) const { return names_.view(name_id); }
  std::string_view command(TaskId t) const { return strings_.view(spec(t).command); }  // unsubstituted
  std::int32_t index(TaskId t) const { return rec(t).index; }
  bool in_array(TaskId t) const { return spec(t).array; }
  std::uint32_t request_id(TaskId t) const { return spec(t).request; }
  const ResourceRequest& request(TaskId t) const { return shapes_.get(spec(t).request); }
  const ShapeTable& shapes() const { return shapes_; }
  FailurePolicy policy(TaskId t) const { return spec(t).policy; }
  std::uint32_t retries(TaskId t) const { return spec(t).retries; }
  double timeout_s(TaskId t) const { return spec(t).timeout_s; }
  double time_limit_s(TaskId t) const { return spec(t).time_limit_s; }
  std::int32_t priority(TaskId t) const { return spec(t).priority; }
  GroupId group(TaskId t) const { return spec(t).group; }
  std::vector<std::pair<std::string_view, AccessMode>> accesses(TaskId t) const;

  template <class F>
  void for_each_successor(TaskId t, F&& f) const {
    for (std::uint32_t e = rec(t).succ_head; e != kNil; e = succ_[e].next) f(TaskId(succ_[e].task));
  }
  template <class F>
  void for_each_predecessor(TaskId t, F&& f) const {
    for (std::uint32_t e = rec(t).pred_head; e != kNil; e = pred_[e].next) f(TaskId(pred_[e].task));
  }

  // --- state changes --------------------------------------------------------------------------------
  // Moves `t` by `event` through the table of states.h; on an illegal transition returns an error
  // naming the task and changes nothing.
  Status apply(TaskId t, TaskEvent event);
  // From now on every transition apply() makes is appended to `log` (null: none), so that an owner that
  // records the run (compssd's journal) sees each one, cascades included, without scanning the graph. A
  // task's first state, pending, is not a transition: its submission is.
  void set_change_log(std::vector<StateChange>* log) { change_log_ = log; }
  void set_cause(TaskId t, FailureCause c) { recm(t).cause = c; }
  // After `t` is done (or failed-ignored): successors whose last unfinished predecessor it was move
  // to ready and are appended to `ready`.
  void release_successors(TaskId t, std::vector<TaskId>& ready);

  // --- the whole graph ------------------------------------------------------------------------------
  std::uint64_t count(TaskState s) const { return counts_[static_cast<int>(s)]; }
  bool all_final() const;
  TaskId first_unfinished() const;   // lowest id not final (none if all are); advances lazily
  std::size_t memory_bytes() const;  // capacity of the graph's containers, arena chunks included

  // --- groups -----------------------------------------------------------------------------------------
  GroupId find_group(std::string_view name) const;
  std::string_view group_name(GroupId g) const { return group_names_.view(g.value()); }
  std::size_t group_count() const { return groups_.size(); }
  const std::vector<TaskId>& group_members(GroupId g) const { return groups_[g.value()].members; }
  std::uint32_t group_count_in(GroupId g, TaskState s) const { return groups_[g.value()].counts[static_cast<int>(s)]; }

 private:
  struct TaskRec {  // 28 bytes
    std::uint32_t spec;
    std::int32_t index;
    std::uint32_t pending;     // unfinished predecessors
    std::uint32_t succ_head;   // into succ_
    std::uint32_t pred_head;   // into pred_
    std::uint32_t access_off;  // into accesses_; spec.access_count entries
    TaskState state;
    FailureCause cause;
    std::uint8_t flags;
    std::uint8_t failures;  // attempts that failed by the task's own fault
  };
  struct SpecRec {  // 36 bytes
    StrRef command;
    std::uint32_t name;
    std::uint32_t request;
    GroupId group;
    std::int32_t priority;
    float timeout_s;
    float time_limit_s;
    std::uint16_t access_count;
    FailurePolicy policy;
    std::uint8_t retries : 7;
    std::uint8_t array : 1;
  };
  struct Edge {
    std::uint32_t task;
    std::uint32_t next;
  };
  struct FileRec {
    std::uint32_t last_writer = kNil;
    std::uint32_t readers = kNil;  // into readers_: readers since the last writer
  };
  struct Group {
    std::vector<TaskId> members;
    std::array<std::uint32_t, kStateCount> counts{};
  };

  const TaskRec& rec(TaskId t) const { return tasks_[t.value()]; }
  TaskRec& recm(TaskId t) { return tasks_[t.value()]; }
  const SpecRec& spec(TaskId t) const { return specs_[tasks_[t.value()].spec]; }

  std::uint32_t store_spec(const TaskSpec& spec, std::uint32_t default_retries, bool array);
  std::uint32_t store_accesses(const TaskSpec& spec, bool substitute, std::int64_t index);
  TaskId link(std::uint32_t spec_id, std::int32_t index, std::uint32_t access_off, const std::vector<TaskId>& after);
  void gather(std::uint32_t self, std::uint32_t access_off, std::uint16_t count, const std::vector<TaskId>& after);
  void add_reader(FileRec& f, std::uint32_t task);
  void clear_readers(FileRec& f);
  void count_state(TaskId t, TaskState s, int delta);

  std::vector<TaskRec> tasks_;
  std::vector<SpecRec> specs_;
  std::vector<std::uint32_t> accesses_;  // file id << 2 | mode
  std::vector<Edge> succ_, pred_;
  std::vector<FileRec> files_;
  std::vector<Edge> readers_;  // reader lists; freed nodes chained from free_reader_
  std::uint32_t free_reader_ = kNil;
  StringArena strings_;  // commands
  Interner paths_, names_, group_names_;
  ShapeTable shapes_;
  std::vector<Group> groups_;
  std::array<std::uint64_t, kStateCount> counts_{};
  mutable std::uint32_t first_unfinished_ = 0;
  std::vector<std::uint32_t> scratch_;  // predecessors of the task being added
  std::vector<StateChange>* change_log_ = nullptr;
};

}  // namespace compss::scheduler
