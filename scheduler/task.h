// task.h - what a task is, as the scheduler sees it: its spec (what the user submitted), its state,
// its failure policy, and how an attempt ended.
//
// TaskSpec is the input of Scheduler::submit(); the scheduler copies what it needs into compact
// storage (strings interned, the spec of an array stored once) and does not keep the TaskSpec.
// States and their transitions are specified in doc/spec/states.md.
//
// Failure behaviour: the parse_* functions return an error naming the accepted values.
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/ids.h"
#include "common/util/result.h"
#include "scheduler/resources.h"

namespace compss::scheduler {

enum class TaskState : std::uint8_t { kPending, kReady, kScheduled, kRunning, kDone, kFailed, kCancelled };
inline constexpr int kStateCount = 7;

enum class AccessMode : std::uint8_t { kIn, kOut, kInout };

// What happens when an attempt of the task fails (ANCHORS.md, the COMPSs table; states.md section 4).
enum class FailurePolicy : std::uint8_t { kRetry, kCancelSuccessors, kFail, kIgnore };

// Why a task failed or was cancelled; kNone while it has not.
enum class FailureCause : std::uint8_t {
  kNone,
  kTaskError,          // the command exited non-zero or was killed by a signal nobody asked for
  kOutOfMemory,        // the agent saw the task exceed its memory
  kTimeout,            // ran past its time limit; killed by the scheduler's decision
  kNodeLost,           // its node or agent died (never spends a retry)
  kKilledByRequest,    // cancel / cancel_group
  kPredecessorFailed,  // cancelled because a predecessor failed or was cancelled
  kRunStopped,         // cancelled because a task with on_failure=fail failed
  kCrashLimit,         // its node was lost under it more than crash_limit times
};

struct FileAccess {
  std::string path;  // may hold "{i}" in an array: substituted with the task's index
  AccessMode mode = AccessMode::kIn;
};

struct TaskSpec {
  std::string name;     // groups tasks for duration estimates and node quarantine; default: the command's
                        // first word without its directory
  std::string command;  // run by the agent; "{i}" is replaced by the array index when the daemon builds it
  std::vector<FileAccess> accesses;
  std::vector<TaskId> after;  // explicit predecessors; each must be a task submitted before
  ResourceRequest request;
  FailurePolicy on_failure = FailurePolicy::kRetry;
  int retries = -1;           // -1: the scheduler's default (SchedulerConfig::default_retries)
  double timeout_s = 0;       // 0: no limit
  double time_limit_s = 0;    // the longest it is expected to run (compss submit --time); 0: not said
  std::int32_t priority = 0;  // higher first under the priority policy
  std::string group;          // "" = no group
};

// How an attempt ended, as the agent reports it. Timeouts and lost nodes are not reported this way:
// the scheduler knows them (its own kill decision, node_lost()).
struct TaskExit {
  enum class Kind : std::uint8_t { kOk, kError, kOutOfMemory, kKilled };
  Kind kind = Kind::kOk;
  int code = 0;  // exit code or signal number

  static TaskExit ok() { return {}; }
  static TaskExit error(int code = 1) { return {Kind::kError, code}; }
  static TaskExit out_of_memory() { return {Kind::kOutOfMemory, 9}; }
  static TaskExit killed(int signal = 9) { return {Kind::kKilled, signal}; }
};

const char* to_string(TaskState s);      // "pending", "ready", ...
const char* to_string(AccessMode m);     // "in", "out", "inout"
const char* to_string(FailurePolicy p);  // "retry", "cancel-successors", "fail", "ignore"
const char* to_string(FailureCause c);   // "task error", "timeout", "node lost", ...

Result<FailurePolicy> parse_failure_policy(std::string_view s);
Result<AccessMode> parse_access_mode(std::string_view s);

inline bool is_final(TaskState s) {
  return s == TaskState::kDone || s == TaskState::kFailed || s == TaskState::kCancelled;
}

// The default task name for a command: its first word without the directory ("/bin/sim -x" -> "sim").
std::string default_task_name(std::string_view command);

// Replaces every "{i}" in `text` with `index` (the daemon builds array commands and paths with it).
std::string substitute_index(std::string_view text, std::int64_t index);

}  // namespace compss::scheduler
