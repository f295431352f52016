// states.h - the task state machine of doc/spec/states.md: which event moves a task from which state
// to which, and which are illegal.
//
//   pending -> ready -> scheduled -> running -> done | failed | cancelled
//   (plus requeue to ready, cancellation from any non-final state, and ready -> done for a task a resumed
//   run takes from its journal without running it)
//
// The table below is the only place the transitions live; the graph applies every transition through it, so
// an illegal one is an error value (never undefined behaviour) and leaves the task unchanged.
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "common/util/result.h"
#include "scheduler/task.h"

namespace compss::scheduler {

enum class TaskEvent : std::uint8_t {
  kDepsMet,    // the last unfinished predecessor finished (or the task had none)
  kPlaced,     // decide() chose a placement and emitted a start decision
  kStarted,    // the daemon reports the process started
  kSucceeded,  // the attempt exited 0
  kFailed,     // the attempt failed and the failure policy makes it final (or, from ready, a restarted
               // daemon's journal has it failed: restore_failed())
  kRequeued,   // the attempt failed with a retry left, or its node was lost: back to ready
  kCancelled,  // cancel request, cancelled predecessor, or run stopped
  kCached,     // a resumed run found the task done already (its journal; doc/spec/journal.md): not run
};
inline constexpr int kEventCount = 8;

const char* to_string(TaskEvent e);  // "deps-met", "placed", ...

inline constexpr TaskState kNoTransition = static_cast<TaskState>(0xff);

namespace states_table {
using S = TaskState;
// kTable[state][event]: the next state, or X (illegal). Rows follow TaskState, columns TaskEvent.
inline constexpr S X = kNoTransition, Rd = S::kReady, Sc = S::kScheduled, Ru = S::kRunning, Dn = S::kDone,
                   Fl = S::kFailed, Cn = S::kCancelled;
// clang-format off
inline constexpr std::array<std::array<S, kEventCount>, kStateCount> kTable = {{
    //              deps-met placed started succeeded failed requeued cancelled cached
    /* pending   */ {Rd,     X,     X,      X,        X,     X,       Cn,       X},
    /* ready     */ {X,      Sc,    X,      X,        Fl,    X,       Cn,       Dn},
    /* scheduled */ {X,      X,     Ru,     X,        X,     Rd,      Cn,       X},
    /* running   */ {X,      X,     X,      Dn,       Fl,    Rd,      Cn,       X},
    /* done      */ {X,      X,     X,      X,        X,     X,       X,        X},
    /* failed    */ {X,      X,     X,      X,        X,     X,       X,        X},
    /* cancelled */ {X,      X,     X,      X,        X,     X,       X,        X},
}};
// clang-format on
}  // namespace states_table

// The state `event` leads to from `from`, or kNoTransition; the hot path, without error text.
constexpr TaskState transition(TaskState from, TaskEvent event) {
  return states_table::kTable[static_cast<std::size_t>(from)][static_cast<std::size_t>(event)];
}

// The state `event` leads to from `from`; an error naming both when the table forbids it
// ("illegal transition: event 'started' in state 'pending'").
Result<TaskState> next_state(TaskState from, TaskEvent event);

}  // namespace compss::scheduler
