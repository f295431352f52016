// ready_queue.cc - policy keys and the min-heap of ready tasks.
#include "scheduler/ready_queue.h"

#include <algorithm>
#include <cstring>
#include <functional>

namespace compss::scheduler {

const char* to_string(PlacementPolicy p) {
  switch (p) {
    case PlacementPolicy::kFifo:
      return "fifo";
    case PlacementPolicy::kPriority:
      return "priority";
    case PlacementPolicy::kCriticalPath:
      return "critical-path";
  }
  return "?";
}

Result<PlacementPolicy> parse_placement_policy(std::string_view s) {
  if (s == "fifo") return PlacementPolicy::kFifo;
  if (s == "priority") return PlacementPolicy::kPriority;
  if (s == "critical-path") return PlacementPolicy::kCriticalPath;
  return fail("unknown placement policy '", s, "': expected fifo, priority or critical-path");
}

std::uint64_t ready_key(PlacementPolicy policy, TaskId t, std::int32_t priority, float bottom_level) {
  std::uint64_t high = 0;
  switch (policy) {
    case PlacementPolicy::kFifo:
      break;
    case PlacementPolicy::kPriority:
      // Maps priority INT32_MAX..INT32_MIN onto 0..2^32-1: higher priority, smaller key.
      high = static_cast<std::uint64_t>(std::int64_t{0x7fffffff} - priority);
      break;
    case PlacementPolicy::kCriticalPath: {
      // Non-negative floats order like their bit patterns; invert so a longer path is a smaller key.
      float bl = bottom_level > 0 ? bottom_level : 0.0f;
      std::uint32_t bits;
      std::memcpy(&bits, &bl, sizeof bits);
      high = 0xffffffffu - bits;
      break;
    }
  }
  return high << 32 | t.value();
}

void ReadyQueue::push(std::uint64_t key) {
  heap_.push_back(key);
  std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
}

void ReadyQueue::pop() {
  std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
  heap_.pop_back();
}

void ReadyQueue::heapify() {
  std::make_heap(heap_.begin(), heap_.end(), std::greater<>());
}

}  // namespace compss::scheduler
