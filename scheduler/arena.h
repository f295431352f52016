// arena.h - compact string storage for the scheduler: a chunked byte arena and an interner.
//
// StringArena stores strings back to back in 1 MiB chunks and hands out an 8-byte StrRef; a stored
// string never moves, so views stay valid for the arena's life. Nothing is freed before the arena.
// Interner gives each distinct string a dense 32-bit id (file paths -> file ids, task names, group
// names) with an open-addressing table: about 24-40 bytes per distinct string besides its bytes.
//
//   Interner files;
//   std::uint32_t a = files.intern("out/1.nc");   // 0
//   files.intern("out/1.nc") == a;                // same id
//   files.view(a) == "out/1.nc";
//
// Failure behaviour: none (allocation failure ends the process, as everywhere in the scheduler).
// Thread-safety: none; one owner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace compss::scheduler {

struct StrRef {
  std::uint32_t chunk = 0;
  std::uint32_t offset = 0;
};

class StringArena {
 public:
  StrRef store(std::string_view s);
  std::string_view view(StrRef ref) const;
  std::size_t bytes_reserved() const;  // chunk bytes held

 private:
  static constexpr std::size_t kChunk = std::size_t{1} << 20;
  struct Chunk {
    std::unique_ptr<char[]> data;
    std::size_t size = 0;
    std::size_t used = 0;
  };
  std::vector<Chunk> chunks_;
};

class Interner {
 public:
  static constexpr std::uint32_t kNotFound = 0xffffffffu;

  std::uint32_t intern(std::string_view s);      // the id of `s`, adding it when new
  std::uint32_t find(std::string_view s) const;  // kNotFound when absent
  std::string_view view(std::uint32_t id) const { return arena_.view(refs_[id]); }
  std::size_t size() const { return refs_.size(); }
  std::size_t bytes_reserved() const;

 private:
  std::uint32_t probe(std::string_view s, std::uint32_t hash, std::size_t* slot) const;
  void grow();

  StringArena arena_;
  std::vector<StrRef> refs_;
  // hash << 32 | (id + 1); 0 = empty; size a power of two. The hash sits beside the id so a probe
  // past other strings touches one cache line, not one per string.
  std::vector<std::uint64_t> slots_;
};

}  // namespace compss::scheduler
