// msgpack_dom.h - MessagePack bytes -> nlohmann::json tree, bounded (internal to common/proto).
//
// Builds the tree through nlohmann's SAX interface instead of from_msgpack so that it can refuse, before
// any damage is done, what from_msgpack would accept: nesting deeper than kMaxDepth (from_msgpack recurses
// once per level, so a 16 MiB frame of nested one-element arrays would overflow the stack), more than
// kMaxValues values (a tree node costs 16 bytes and more for one byte of nil, so a frame of nils would
// otherwise become a tree 16 to 32 times its size), keys repeated within one map, and trailing bytes. Never throws: every failure is an Error whose text says what and where.
//
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <nlohmann/json.hpp>

#include "common/util/result.h"

namespace compss::proto::detail {

inline constexpr std::size_t kMaxDepth = 32;         // maps and arrays nested in one payload
inline constexpr std::size_t kMaxValues = 1u << 22;  // keys, items and scalars in one payload

Result<nlohmann::json> parse_msgpack(std::span<const std::uint8_t> bytes);

}  // namespace compss::proto::detail
