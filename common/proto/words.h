// words.h - the closed word lists of the protocol (spec section 5) as enums, with their wire words.
//
// Each enum's values are numbered 0..N-1 in the order of its Words<E>::list, so the word of a value is
// list[value]. `word(e)` gives the wire word, `parse_word<E>(w)` the value or nullopt, `word_choices<E>()`
// the accepted words for an error message ("'client' or 'agent'").
//
// Thread-safety: constant tables and pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace compss::proto {

enum class Role { kClient, kAgent };
enum class ErrorCode {
  kVersion, kAuth, kHandshake, kBadFrame, kBadMessage, kUnexpected, kInvalid, kNotFound, kShuttingDown,
  kInternal
};
enum class OnFailure { kRetry, kCancelSuccessors, kFail, kIgnore };
enum class TaskState { kPending, kReady, kScheduled, kRunning, kDone, kFailed, kCancelled };
enum class NodeState { kJoining, kUp, kDraining, kStopping, kReleasing, kReleased, kLost, kEnded };
enum class Outcome { kRunning, kSucceeded, kFailed };
enum class FinishCause { kExited, kSignaled, kTimeout, kKilled, kLaunchError, kOom };
enum class OutputMode { kStream, kFile, kDiscard };

template <class E>
struct Words;

template <>
struct Words<Role> {
  static constexpr std::array<std::string_view, 2> list{"client", "agent"};
};
template <>
struct Words<ErrorCode> {
  static constexpr std::array<std::string_view, 10> list{
      "version", "auth", "handshake", "bad-frame", "bad-message", "unexpected", "invalid", "not-found",
      "shutting-down", "internal"};
};
template <>
struct Words<OnFailure> {
  static constexpr std::array<std::string_view, 4> list{"retry", "cancel-successors", "fail", "ignore"};
};
template <>
struct Words<TaskState> {
  static constexpr std::array<std::string_view, 7> list{"pending", "ready",  "scheduled", "running",
                                                        "done",    "failed", "cancelled"};
};
template <>
struct Words<NodeState> {
  static constexpr std::array<std::string_view, 8> list{"joining",  "up",       "draining", "stopping",
                                                        "releasing", "released", "lost",     "ended"};
};
template <>
struct Words<Outcome> {
  static constexpr std::array<std::string_view, 3> list{"running", "succeeded", "failed"};
};
template <>
struct Words<FinishCause> {
  static constexpr std::array<std::string_view, 6> list{"exited", "signaled",     "timeout",
                                                        "killed", "launch-error", "oom"};
};
template <>
struct Words<OutputMode> {
  static constexpr std::array<std::string_view, 3> list{"stream", "file", "discard"};
};

template <class E>
constexpr std::string_view word(E e) {
  return Words<E>::list[static_cast<std::size_t>(e)];
}

template <class E>
constexpr std::optional<E> parse_word(std::string_view w) {
  for (std::size_t i = 0; i < Words<E>::list.size(); ++i)
    if (Words<E>::list[i] == w) return static_cast<E>(i);
  return std::nullopt;
}

template <class E>
std::string word_choices() {
  const auto& list = Words<E>::list;
  std::string s;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i > 0) s += (i + 1 == list.size()) ? " or " : ", ";
    s.append("'").append(list[i]).append("'");
  }
  return s;
}

}  // namespace compss::proto
