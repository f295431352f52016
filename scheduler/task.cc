// task.cc - names of the task enums, their parsers, default names and index substitution.
#include "scheduler/task.h"

namespace compss::scheduler {

const char* to_string(TaskState s) {
  switch (s) {
    case TaskState::kPending:
      return "pending";
    case TaskState::kReady:
      return "ready";
    case TaskState::kScheduled:
      return "scheduled";
    case TaskState::kRunning:
      return "running";
    case TaskState::kDone:
      return "done";
    case TaskState::kFailed:
      return "failed";
    case TaskState::kCancelled:
      return "cancelled";
  }
  return "?";
}

const char* to_string(AccessMode m) {
  switch (m) {
    case AccessMode::kIn:
      return "in";
    case AccessMode::kOut:
      return "out";
    case AccessMode::kInout:
      return "inout";
  }
  return "?";
}

const char* to_string(FailurePolicy p) {
  switch (p) {
    case FailurePolicy::kRetry:
      return "retry";
    case FailurePolicy::kCancelSuccessors:
      return "cancel-successors";
    case FailurePolicy::kFail:
      return "fail";
    case FailurePolicy::kIgnore:
      return "ignore";
  }
  return "?";
}

const char* to_string(FailureCause c) {
  switch (c) {
    case FailureCause::kNone:
      return "none";
    case FailureCause::kTaskError:
      return "task error";
    case FailureCause::kOutOfMemory:
      return "out of memory";
    case FailureCause::kTimeout:
      return "timeout";
    case FailureCause::kNodeLost:
      return "node lost";
    case FailureCause::kKilledByRequest:
      return "killed by request";
    case FailureCause::kPredecessorFailed:
      return "predecessor failed";
    case FailureCause::kRunStopped:
      return "run stopped";
    case FailureCause::kCrashLimit:
      return "crash limit (its node was lost under it too many times)";
  }
  return "?";
}

Result<FailurePolicy> parse_failure_policy(std::string_view s) {
  if (s == "retry") return FailurePolicy::kRetry;
  if (s == "cancel-successors") return FailurePolicy::kCancelSuccessors;
  if (s == "fail") return FailurePolicy::kFail;
  if (s == "ignore") return FailurePolicy::kIgnore;
  return fail("unknown failure policy '", s, "': expected retry, cancel-successors, fail or ignore");
}

Result<AccessMode> parse_access_mode(std::string_view s) {
  if (s == "in") return AccessMode::kIn;
  if (s == "out") return AccessMode::kOut;
  if (s == "inout") return AccessMode::kInout;
  return fail("unknown access mode '", s, "': expected in, out or inout");
}

std::string default_task_name(std::string_view command) {
  std::size_t begin = command.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "task";
  std::size_t end = command.find_first_of(" \t", begin);
  std::string_view word = command.substr(begin, end == std::string_view::npos ? end : end - begin);
  std::size_t slash = word.rfind('/');
  if (slash != std::string_view::npos) word.remove_prefix(slash + 1);
  return word.empty() ? std::string("task") : std::string(word);
}

std::string substitute_index(std::string_view text, std::int64_t index) {
  std::string out;
  out.reserve(text.size() + 8);
  const std::string value = std::to_string(index);
  std::size_t pos = 0;
  while (true) {
    std::size_t hit = text.find("{i}", pos);
    if (hit == std::string_view::npos) break;
    out.append(text.substr(pos, hit - pos));
    out.append(value);
    pos = hit + 3;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace compss::scheduler
