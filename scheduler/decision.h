// decision.h - what the scheduler asks the daemon to do. Values, drained from Scheduler::decide().
//
//   for (const Decision& d : sched.decide(now))
//     if (auto* s = std::get_if<StartTask>(&d)) launch(s->task, s->placement);
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "common/util/ids.h"
#include "scheduler/grow_plan.h"
#include "scheduler/resources.h"

namespace compss::scheduler {

enum class KillReason : std::uint8_t { kCancelled, kTimeout, kPredecessorFailed, kRunStopped };
const char* to_string(KillReason r);  // "cancelled", "timeout", ...

struct StartTask {  // run the task with exactly these cores/GPUs; attempt counts from 1
  TaskId task;
  Placement placement;
  std::uint32_t attempt = 1;
};
struct KillTask {  // stop the running (or starting) task; report its exit as usual
  TaskId task;
  KillReason reason = KillReason::kCancelled;
};
struct GrowNodes {  // ask SLURM for `count` more nodes
  std::uint32_t count = 0;
  std::string why;
  GrowNeed need;  // what the count rests on: re-sized with SLURM's forecast (grow_plan.h)
};
struct WithdrawGrow {  // cancel `count` outstanding grow requests
  std::uint32_t count = 0;
  std::string why;
};
struct DrainNode {  // the scheduler places nothing new on `node`
  NodeId node;
  std::string why;
};
struct UndrainNode {  // `node` takes work again
  NodeId node;
  std::string why;
};
struct ReleaseNode {  // give the idle, drained `node` back to SLURM; the scheduler forgot it already
  NodeId node;
  std::string why;
};
struct QuarantineNode {  // tasks of several names failed on `node`: no new task goes there (states.md 5)
  NodeId node;
  std::string why;
};

using Decision =
    std::variant<StartTask, KillTask, GrowNodes, WithdrawGrow, DrainNode, UndrainNode, ReleaseNode, QuarantineNode>;

// One line for logs and tests: "start 4 attempt 1 on n1: cores 0-1", "kill 7 (timeout)", "grow 2: ...".
// Node names are not known here: nodes print as "node 3".
std::string to_string(const Decision& d);

}  // namespace compss::scheduler
