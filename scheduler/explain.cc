// explain.cc - text of explanations.
#include "scheduler/explain.h"

namespace compss::scheduler {

const char* to_string(Explanation::Why why) {
  using W = Explanation::Why;
  switch (why) {
    case W::kWaitingForTasks:
      return "waiting-for-tasks";
    case W::kNoNodes:
      return "no-nodes";
    case W::kNoRoomNow:
      return "no-room-now";
    case W::kNeverFits:
      return "never-fits";
    case W::kNodeCountAtMax:
      return "node-count-at-max";
    case W::kGrowRequested:
      return "grow-requested";
    case W::kDraining:
      return "draining";
    case W::kBlockedByReservation:
      return "blocked-by-reservation";
    case W::kHoldsReservation:
      return "holds-reservation";
    case W::kWaitingForSameNode:
      return "waiting-for-same-node";
    case W::kQueuedBehind:
      return "queued-behind";
    case W::kRunStopped:
      return "run-stopped";
    case W::kScheduled:
      return "scheduled";
    case W::kRunning:
      return "running";
    case W::kKillRequested:
      return "kill-requested";
    case W::kFinished:
      return "finished";
  }
  return "?";
}

bool Explanation::has(Why why) const {
  for (const Reason& r : reasons) {
    if (r.why == why) return true;
  }
  return false;
}

std::string Explanation::to_string() const {
  std::string s = "task " + task.str();
  if (!name.empty()) s += " (" + name + ")";
  s += " is ";
  s += scheduler::to_string(state);
  const char* sep = ": ";
  for (const Reason& r : reasons) {
    s += sep;
    s += r.text;
    sep = "; ";
  }
  return s;
}

}  // namespace compss::scheduler
