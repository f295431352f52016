// arena.cc - chunked string arena and open-addressing interner.
#include "scheduler/arena.h"

#include <cstring>
#include <functional>

namespace compss::scheduler {

// Each string is stored as a 4-byte length followed by its bytes, so a StrRef stays 8 bytes.
StrRef StringArena::store(std::string_view s) {
  const std::size_t need = sizeof(std::uint32_t) + s.size();
  if (chunks_.empty() || chunks_.back().size - chunks_.back().used < need) {
    Chunk c;
    c.size = need > kChunk ? need : kChunk;
    c.data = std::make_unique<char[]>(c.size);
    chunks_.push_back(std::move(c));
  }
  Chunk& c = chunks_.back();
  StrRef ref{static_cast<std::uint32_t>(chunks_.size() - 1), static_cast<std::uint32_t>(c.used)};
  auto len = static_cast<std::uint32_t>(s.size());
  std::memcpy(c.data.get() + c.used, &len, sizeof len);
  if (!s.empty()) std::memcpy(c.data.get() + c.used + sizeof len, s.data(), s.size());
  c.used += need;
  return ref;
}

std::string_view StringArena::view(StrRef ref) const {
  const char* p = chunks_[ref.chunk].data.get() + ref.offset;
  std::uint32_t len;
  std::memcpy(&len, p, sizeof len);
  return {p + sizeof len, len};
}

std::size_t StringArena::bytes_reserved() const {
  std::size_t n = 0;
  for (const Chunk& c : chunks_) n += c.size;
  return n;
}

namespace {
std::uint32_t hash_of(std::string_view s) {
  std::size_t h = std::hash<std::string_view>{}(s);
  return static_cast<std::uint32_t>(h ^ (h >> 32));
}
}  // namespace

// Returns the id found, or kNotFound with *slot set to the empty slot where it would go.
std::uint32_t Interner::probe(std::string_view s, std::uint32_t hash, std::size_t* slot) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const std::uint64_t v = slots_[i];
    if (v == 0) {
      *slot = i;
      return kNotFound;
    }
    if (static_cast<std::uint32_t>(v >> 32) != hash) continue;
    const std::uint32_t id = static_cast<std::uint32_t>(v) - 1;
    if (arena_.view(refs_[id]) == s) return id;
  }
}

std::uint32_t Interner::find(std::string_view s) const {
  if (slots_.empty()) return kNotFound;
  std::size_t slot;
  return probe(s, hash_of(s), &slot);
}

std::uint32_t Interner::intern(std::string_view s) {
  if ((refs_.size() + 1) * 2 > slots_.size()) grow();
  const std::uint32_t hash = hash_of(s);
  std::size_t slot;
  std::uint32_t id = probe(s, hash, &slot);
  if (id != kNotFound) return id;
  id = static_cast<std::uint32_t>(refs_.size());
  refs_.push_back(arena_.store(s));
  slots_[slot] = std::uint64_t{hash} << 32 | (id + 1);
  return id;
}

void Interner::grow() {
  const std::size_t n = slots_.empty() ? 16 : slots_.size() * 2;
  std::vector<std::uint64_t> old(n, 0);
  old.swap(slots_);
  const std::size_t mask = n - 1;
  for (std::uint64_t v : old) {
    if (v == 0) continue;
    std::size_t i = (v >> 32) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = v;
  }
}

std::size_t Interner::bytes_reserved() const {
  return arena_.bytes_reserved() + refs_.capacity() * sizeof(StrRef) + slots_.capacity() * sizeof(std::uint64_t);
}

}  // namespace compss::scheduler
