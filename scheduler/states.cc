// states.cc - the transition table of doc/spec/states.md, section 2.
#include "scheduler/states.h"

#include <array>

namespace compss::scheduler {
namespace {

using S = TaskState;
constexpr S kIllegal = static_cast<S>(0xff);

// kTable[state][event]: the next state, or X (illegal). Rows follow TaskState, columns TaskEvent.
constexpr S X = kIllegal, Rd = S::kReady, Sc = S::kScheduled, Ru = S::kRunning, Dn = S::kDone, Fl = S::kFailed,
            Cn = S::kCancelled;
// clang-format off
constexpr std::array<std::array<S, kEventCount>, kStateCount> kTable = {{
    //              deps-met placed started succeeded failed requeued cancelled
    /* pending   */ {Rd,     X,     X,      X,        X,     X,       Cn},
    /* ready     */ {X,      Sc,    X,      X,        X,     X,       Cn},
    /* scheduled */ {X,      X,     Ru,     X,        X,     Rd,      Cn},
    /* running   */ {X,      X,     X,      Dn,       Fl,    Rd,      Cn},
    /* done      */ {X,      X,     X,      X,        X,     X,       X},
    /* failed    */ {X,      X,     X,      X,        X,     X,       X},
    /* cancelled */ {X,      X,     X,      X,        X,     X,       X},
}};
// clang-format on

}  // namespace

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
