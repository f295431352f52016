#include "scheduler/resources_index.h"

#include <algorithm>
#include <cassert>

namespace compss::scheduler {

void NodeBuckets::add_capacity(std::uint32_t nodes, std::uint32_t max_free) {
  auto words = static_cast<std::uint32_t>(bits::words_for(nodes));
  if (words > node_words_) {
    node_words_ = words;
    for (Bucket& b : buckets_) b.nodes.resize(words, 0);
  }
  if (max_free + 1 > buckets_.size()) {
    buckets_.resize(max_free + 1);
    for (Bucket& b : buckets_) b.nodes.resize(node_words_, 0);
    nonempty_.resize(bits::words_for(buckets_.size()), 0);
  }
}

void NodeBuckets::insert(std::uint32_t node, std::uint32_t free) {
  if (free == 0) return;  // full nodes are never searched
  Bucket& b = buckets_[free];
  assert(!bits::test(b.nodes, node));
  bits::set(b.nodes, node);
  if (b.size++ == 0) {
    bits::set(nonempty_, free);
    b.low_word = node >> 6;
  } else {
    b.low_word = std::min(b.low_word, node >> 6);
  }
}

void NodeBuckets::erase(std::uint32_t node, std::uint32_t free) {
  if (free == 0) return;
  Bucket& b = buckets_[free];
  assert(bits::test(b.nodes, node));
  bits::clear(b.nodes, node);
  if (--b.size == 0) {
    bits::clear(nonempty_, free);
    return;
  }
  // Keep low_word exact so node_in() never scans empty leading words.
  while (b.nodes[b.low_word] == 0) ++b.low_word;
}

std::uint32_t NodeBuckets::node_in(std::uint32_t k, std::uint32_t from) const {
  const Bucket& b = buckets_[k];
  return bits::next(b.nodes, std::max(from, b.low_word * 64));
}

}  // namespace compss::scheduler
