// ids.h - strong id types: a TaskId cannot be passed where a NodeId is expected.
//
// An Id is a 32-bit number with a tag type. Value 0xffffffff is "none" (Id{} is none).
// Ids are dense indices where their owner allocates them in order (the scheduler does), so they can
// index vectors directly: `tasks_[id.value()]`.
//
// Thread-safety: plain values.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>

namespace compss {

template <class Tag>
class Id {
 public:
  using Rep = std::uint32_t;
  static constexpr Rep kNone = std::numeric_limits<Rep>::max();

  constexpr Id() = default;
  constexpr explicit Id(Rep v) : v_(v) {}

  constexpr Rep value() const { return v_; }
  constexpr bool valid() const { return v_ != kNone; }
  constexpr explicit operator bool() const { return valid(); }

  friend constexpr auto operator<=>(Id, Id) = default;

  std::string str() const { return valid() ? std::to_string(v_) : std::string("none"); }

 private:
  Rep v_ = kNone;
};

struct TaskTag {};
struct NodeTag {};
struct GroupTag {};
struct RequestTag {};

using TaskId = Id<TaskTag>;        // a task of the job's graph
using NodeId = Id<NodeTag>;        // a node as the runtime numbers it (not SLURM's name)
using GroupId = Id<GroupTag>;      // a task group (wait on / cancel together)
using RequestId = Id<RequestTag>;  // a grow request sent to SLURM

}  // namespace compss

template <class Tag>
struct std::hash<compss::Id<Tag>> {
  std::size_t operator()(compss::Id<Tag> id) const noexcept { return std::hash<std::uint32_t>{}(id.value()); }
};
