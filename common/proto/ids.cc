// ids.cc - see ids.h.
#include "common/proto/ids.h"

#include <limits>
#include <string>

namespace compss::proto {

IdList compact(const std::vector<std::uint64_t>& ids) {
  IdList out;
  for (std::uint64_t id : ids) {
    if (!out.empty() && out.back().last != std::numeric_limits<std::uint64_t>::max() && out.back().last + 1 == id)
      out.back().last = id;
    else
      out.push_back(IdRange{id, id});
  }
  return out;
}

std::uint64_t count(const IdList& ids) {
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t total = 0;
  for (const IdRange& r : ids) {
    if (r.last < r.first) continue;  // not a range; the decoder never yields one
    std::uint64_t span = r.last - r.first;
    if (span == kMax || total > kMax - span - 1) return kMax;
    total += span + 1;
  }
  return total;
}

Result<std::vector<std::uint64_t>> expand(const IdList& ids, std::uint64_t limit) {
  std::uint64_t n = count(ids);
  if (n > limit)
    return fail("the id list names ", std::to_string(n), " tasks, more than the limit of ", std::to_string(limit));
  std::vector<std::uint64_t> out;
  out.reserve(n);
  for (const IdRange& r : ids) {
    if (r.last < r.first) continue;
    for (std::uint64_t id = r.first;; ++id) {
      out.push_back(id);
      if (id == r.last) break;
    }
  }
  return out;
}

}  // namespace compss::proto
