// resources_index.h - nodes bucketed by their number of free cores (internal to the resource pool).
//
// Bucket k holds the nodes that have exactly k free cores, as a bitmap over node ids; a summary
// bitmap says which buckets are non-empty. "The fullest node with at least c free cores, lowest id"
// is then two bit scans, and moving a node between buckets is O(1). Each bucket remembers its lowest
// possibly non-empty word so a scan does not start over from word 0 on a large pool.
//
// Nodes with no free core are not kept (every request needs a core), which spares the busiest bucket
// the churn of a full pool. Lifecycle: owned by the pool; grows as nodes are added (add_capacity). Thread-safety: none.
#pragma once

#include <cstdint>
#include <vector>

#include "scheduler/resources_bits.h"

namespace compss::scheduler {

class NodeBuckets {
 public:
  // Room for node ids below `nodes` and free-core counts up to `max_free`.
  void add_capacity(std::uint32_t nodes, std::uint32_t max_free);

  void insert(std::uint32_t node, std::uint32_t free);
  void erase(std::uint32_t node, std::uint32_t free);

  // Lowest non-empty bucket k >= min_free, or bits::kNone.
  std::uint32_t bucket_at_least(std::uint32_t min_free) const { return bits::next(nonempty_, min_free); }
  // Lowest node id in bucket k at or above `from`, or bits::kNone.
  std::uint32_t node_in(std::uint32_t k, std::uint32_t from = 0) const;
  // First node, in (free cores, id) order among buckets >= min_free, for which accept(node) holds.
  template <class Accept>
  std::uint32_t find(std::uint32_t min_free, Accept&& accept) const {
    for (std::uint32_t k = bucket_at_least(min_free); k != bits::kNone; k = bucket_at_least(k + 1)) {
      for (std::uint32_t n = node_in(k); n != bits::kNone; n = node_in(k, n + 1)) {
        if (accept(n)) return n;
      }
    }
    return bits::kNone;
  }

 private:
  struct Bucket {
    bits::Words nodes;
    std::uint32_t size = 0;
    std::uint32_t low_word = 0;  // no node below word low_word
  };
  std::vector<Bucket> buckets_;
  bits::Words nonempty_;
  std::uint32_t node_words_ = 0;
};

}  // namespace compss::scheduler
