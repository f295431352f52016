// states.cc - the transition table of doc/spec/states.md, section 2.
#include "scheduler/states.h"

#include <array>

namespace compss::scheduler {
namespace {

using S = TaskState;
constexpr S kIllegal = static_cast<S>(0xff);

// kTable[state][event]: the next state, or kIllegal. Rows follow TaskState, columns TaskEvent.
constexpr std::array<std::array<S, kEventCount>, kStateCount> kTable = {{
    //            deps-met   placed         started      succeeded  failed     requeued   cancelled
    /*pending*/ {S::kReady, kIllegal, kIllegal, kIllegal, kIllegal, kIllegal, S::kCancelled},
    /*ready*/ {kIllegal, S::kScheduled, kIllegal, kIllegal, kIllegal, kIllegal, S::kCancelled},
    /*scheduled*/ {kIllegal, kIllegal, S::kRunning, kIllegal, kIllegal, S::kReady, S::kCancelled},
    /*running*/ {kIllegal, kIllegal, kIllegal, S::kDone, S::kFailed, S::kReady, S::kCancelled},
    /*done*/ {kIllegal, kIllegal, kIllegal, kIllegal, kIllegal, kIllegal, kIllegal},
    /*failed*/ {kIllegal, kIllegal, kIllegal, kIllegal, kIllegal, kIllegal, kIllegal},
    /*cancelled*/ {kIllegal, kIllegal, kIllegal, kIllegal, kIllegal, kIllegal, kIllegal},
}};

}  // namespace

const char* to_string(TaskEvent e) {
  switch (e) {
    case TaskEvent::kDepsMet: return "deps-met";
    case TaskEvent::kPlaced: return "placed";
    case TaskEvent::kStarted: return "started";
    case TaskEvent::kSucceeded: return "succeeded";
    case TaskEvent::kFailed: return "failed";
    case TaskEvent::kRequeued: return "requeued";
    case TaskEvent::kCancelled: return "cancelled";
  }
  return "?";
}

Result<TaskState> next_state(TaskState from, TaskEvent event) {
  auto row = static_cast<std::size_t>(from);
  auto col = static_cast<std::size_t>(event);
  if (row >= kStateCount || col >= kEventCount) return fail("invalid state or event");
  S to = kTable[row][col];
  if (to == kIllegal) {
    return fail("illegal transition: event '", to_string(event), "' in state '", to_string(from), "'");
  }
  return to;
}

}  // namespace compss::scheduler
