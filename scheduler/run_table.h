// run_table.h - the attempts in flight (scheduled or running): their placement and times.
//
// Slots are reused through a free list, and a reused slot keeps its Placement's buffers, so starting
// a task does not allocate here once the table has warmed up.
//
// Lifecycle: add() when a start is decided, remove() when the attempt ends (exit, requeue, node lost).
// Failure behaviour: none; callers pass slots they got from add(). Thread-safety: none; one owner.
#pragma once

#include <cstdint>
#include <vector>

#include "common/util/ids.h"
#include "scheduler/resources.h"

namespace compss::scheduler {

struct RunSlot {
  TaskId task;
  Placement placement;
  double placed_at = 0;
  double started_at = -1;  // -1 until the daemon reports the start
  bool in_use = false;
};

class RunTable {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  std::uint32_t add(TaskId task, const Placement& placement, double now);
  void remove(std::uint32_t slot);
  RunSlot& at(std::uint32_t slot) { return slots_[slot]; }
  const RunSlot& at(std::uint32_t slot) const { return slots_[slot]; }
  std::size_t active() const { return active_; }

  template <class F>
  void for_each(F&& f) const {
    for (const RunSlot& s : slots_) {
      if (s.in_use) f(s);
    }
  }

 private:
  std::vector<RunSlot> slots_;
  std::vector<std::uint32_t> free_;
  std::size_t active_ = 0;
};

}  // namespace compss::scheduler
