// states.cc - names of events and the error text of illegal transitions (the table is in states.h).
#include "scheduler/states.h"

namespace compss::scheduler {

const char* to_string(TaskEvent e) {
  switch (e) {
    case TaskEvent::kDepsMet:
      return "deps-met";
    case TaskEvent::kPlaced:
      return "placed";
    case TaskEvent::kStarted:
      return "started";
    case TaskEvent::kSucceeded:
      return "succeeded";
    case TaskEvent::kFailed:
      return "failed";
    case TaskEvent::kRequeued:
      return "requeued";
    case TaskEvent::kCancelled:
      return "cancelled";
    case TaskEvent::kCached:
      return "cached";
  }
  return "?";
}

Result<TaskState> next_state(TaskState from, TaskEvent event) {
  if (static_cast<int>(from) >= kStateCount || static_cast<int>(event) >= kEventCount) {
    return fail("invalid state or event");
  }
  const TaskState to = transition(from, event);
  if (to == kNoTransition) {
    return fail("illegal transition: event '", to_string(event), "' in state '", to_string(from), "'");
  }
  return to;
}

}  // namespace compss::scheduler
