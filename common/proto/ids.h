// ids.h - lists of task ids as the protocol carries them: single ids and inclusive ranges [first, last].
//
// A task id on the wire is a u64 (the daemon's TaskId is narrower; the daemon checks the range). An
// IdList may name a huge range, so a receiver calls count() before it expands anything, and expand()
// refuses to build more than `limit` ids.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include "common/util/result.h"

namespace compss::proto {

struct IdRange {  // every id from first to last, both included; first <= last
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  friend bool operator==(const IdRange&, const IdRange&) = default;
};

using IdList = std::vector<IdRange>;

// One range per run of consecutive ascending ids, in the order given: {3,4,5,9,1} -> [3,5] [9,9] [1,1].
IdList compact(const std::vector<std::uint64_t>& ids);

// How many ids the list names (overlaps count twice, a range with first > last counts 0); saturates.
std::uint64_t count(const IdList& ids);

// Every id in order; an error when there are more than `limit`.
Result<std::vector<std::uint64_t>> expand(const IdList& ids, std::uint64_t limit);

}  // namespace compss::proto
