// explain.h - why a task is where it is: the answer of `compss explain ID`.
//
// Scheduler::explain() fills an Explanation with one or more reasons, most important first, each a
// kind (for programs), the tasks or node it concerns, and a sentence for people:
//   task 12 (train) is ready: no node has 2 GPUs free (4 nodes have 1); node count at max (8 of 8)
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/util/ids.h"
#include "scheduler/task.h"

namespace compss::scheduler {

struct Explanation {
  enum class Why : std::uint8_t {
    kWaitingForTasks,       // pending: `tasks` are the unfinished predecessors
    kNoNodes,               // no live node at all
    kNoRoomNow,             // the resource pool's reason it does not fit now (text)
    kNeverFits,             // no node shape could ever hold it (text)
    kNodeCountAtMax,        // it does not fit and the job cannot grow further
    kGrowRequested,         // it does not fit; nodes were asked for and are on their way
    kDraining,              // nodes that could hold it are draining
    kQuarantined,           // `count` nodes are quarantined (states.md 5); `text` names them and says
                            // whether only they could hold it
    kBlockedByReservation,  // it would delay the reservation of `tasks[0]`
    kHoldsReservation,      // it holds the reservation; `text` says when it should start
    kWaitingForSameNode,    // a retry waits for room on `node`, where it failed
    kQueuedBehind,          // it fits, but `count` ready tasks come before it in policy order
    kRunStopped,            // a task with on_failure=fail failed: nothing new starts
    kJobTimeLimit,          // held: its declared length does not fit before the job's end (text: the figures)
    kScheduled,             // a start was decided on `node`; the daemon has not reported it yet
    kRunning,               // running on `node`
    kKillRequested,         // running, and a kill was decided
    kFinished,              // final: `text` says how
  };
  struct Reason {
    Why why;
    std::string text;
    std::vector<TaskId> tasks;
    NodeId node;
    std::uint64_t count = 0;
  };

  TaskId task;
  std::string name;
  TaskState state = TaskState::kPending;
  FailureCause cause = FailureCause::kNone;
  std::vector<Reason> reasons;

  bool has(Why why) const;
  std::string to_string() const;  // "task 12 (train) is ready: reason; reason"
};

const char* to_string(Explanation::Why why);  // "waiting-for-tasks", ...

}  // namespace compss::scheduler
