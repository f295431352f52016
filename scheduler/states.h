// states.h - the task state machine of doc/spec/states.md: which event moves a task from which state
// to which, and which are illegal.
//
//   pending -> ready -> scheduled -> running -> done | failed | cancelled
//   (plus requeue to ready, and cancellation from any non-final state)
//
// next_state() is the only place the table lives; the graph applies every transition through it, so
// an illegal one is an error value (never undefined behaviour) and leaves the task unchanged.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>

#include "common/util/result.h"
#include "scheduler/task.h"

namespace compss::scheduler {

enum class TaskEvent : std::uint8_t {
  kDepsMet,    // the last unfinished predecessor finished (or the task had none)
  kPlaced,     // decide() chose a placement and emitted a start decision
  kStarted,    // the daemon reports the process started
  kSucceeded,  // the attempt exited 0
  kFailed,     // the attempt failed and the failure policy makes it final
  kRequeued,   // the attempt failed with a retry left, or its node was lost: back to ready
  kCancelled,  // cancel request, cancelled predecessor, or run stopped
};
inline constexpr int kEventCount = 7;

const char* to_string(TaskEvent e);  // "deps-met", "placed", ...

// The state `event` leads to from `from`; an error naming both when the table forbids it
// ("illegal transition: event 'started' in state 'pending'").
Result<TaskState> next_state(TaskState from, TaskEvent event);

}  // namespace compss::scheduler
