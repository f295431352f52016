// resources_bits.h - word bitmaps for the resource pool (internal to scheduler/resources*.cc).
//
// A Bits is a vector of 64-bit words; bit i stands for item i (a core index, a node id, a bucket).
// Free functions only, no state. Thread-safety: plain data.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

namespace compss::scheduler::bits {

using Words = std::vector<std::uint64_t>;

inline constexpr std::uint32_t kNone = 0xffffffffu;

inline std::size_t words_for(std::size_t n) {
  return (n + 63) / 64;
}

inline bool test(const Words& w, std::uint32_t i) {
  return (w[i >> 6] >> (i & 63)) & 1u;
}
inline void set(Words& w, std::uint32_t i) {
  w[i >> 6] |= std::uint64_t{1} << (i & 63);
}
inline void clear(Words& w, std::uint32_t i) {
  w[i >> 6] &= ~(std::uint64_t{1} << (i & 63));
}

// Lowest set bit at or above `from`, or kNone.
inline std::uint32_t next(const Words& w, std::uint32_t from) {
  std::size_t i = from >> 6;
  if (i >= w.size()) return kNone;
  std::uint64_t word = w[i] & (~std::uint64_t{0} << (from & 63));
  while (word == 0) {
    if (++i >= w.size()) return kNone;
    word = w[i];
  }
  return static_cast<std::uint32_t>(i * 64 + static_cast<std::size_t>(std::countr_zero(word)));
}

inline std::uint32_t count(const Words& w) {
  std::uint32_t n = 0;
  for (std::uint64_t word : w) n += static_cast<std::uint32_t>(std::popcount(word));
  return n;
}

// Bits set in both.
inline std::uint32_t count_and(const Words& a, const Words& b) {
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    n += static_cast<std::uint32_t>(std::popcount(a[i] & b[i]));
  return n;
}

}  // namespace compss::scheduler::bits
