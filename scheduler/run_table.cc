// run_table.cc - slots of attempts in flight.
#include "scheduler/run_table.h"

namespace compss::scheduler {

std::uint32_t RunTable::add(TaskId task, const Placement& placement, double now) {
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  RunSlot& s = slots_[slot];
  s.task = task;
  s.placement = placement;  // copy-assignment reuses the slot's buffers
  s.placed_at = now;
  s.started_at = -1;
  s.in_use = true;
  ++active_;
  return slot;
}

void RunTable::remove(std::uint32_t slot) {
  RunSlot& s = slots_[slot];
  if (!s.in_use) return;
  s.in_use = false;
  s.task = TaskId();
  free_.push_back(slot);
  --active_;
}

}  // namespace compss::scheduler
