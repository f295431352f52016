// ready_queue.h - the ready tasks in the order the placement policy wants them tried.
//
// A binary heap of 64-bit keys: the high half orders by the policy, the low half is the TaskId, so
// ties go to the task submitted first and popping needs no indirection.
//   fifo:          submission order (the TaskId alone)
//   priority:      higher priority first, then submission order
//   critical-path: longer remaining path (the task's bottom level, seconds) first, then submission order
// Entries are removed lazily: the scheduler skips popped tasks that are no longer ready, and a task
// has at most one entry (TaskGraph::kQueued).
//
// Failure behaviour: none. Thread-safety: none; one owner.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/util/ids.h"
#include "common/util/result.h"

namespace compss::scheduler {

enum class PlacementPolicy : std::uint8_t { kFifo, kPriority, kCriticalPath };

const char* to_string(PlacementPolicy p);  // "fifo", "priority", "critical-path"
Result<PlacementPolicy> parse_placement_policy(std::string_view s);

// The heap key of a task under `policy`; smaller keys are tried first.
std::uint64_t ready_key(PlacementPolicy policy, TaskId t, std::int32_t priority, float bottom_level);

class ReadyQueue {
 public:
  void push(std::uint64_t key);
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  TaskId top() const { return TaskId(static_cast<std::uint32_t>(heap_.front())); }
  std::uint64_t top_key() const { return heap_.front(); }
  void pop();
  // Recomputes every key with key_of(TaskId) -> uint64 and restores the heap (after the policy's
  // inputs, e.g. bottom levels, changed).
  template <class KeyOf>
  void rekey(KeyOf&& key_of) {
    for (std::uint64_t& k : heap_) k = key_of(TaskId(static_cast<std::uint32_t>(k)));
    heapify();
  }
  // The entries, in no particular order (for reports and sampling).
  const std::vector<std::uint64_t>& entries() const { return heap_; }
  std::size_t memory_bytes() const { return heap_.capacity() * sizeof(std::uint64_t); }

 private:
  void heapify();
  std::vector<std::uint64_t> heap_;
};

}  // namespace compss::scheduler
