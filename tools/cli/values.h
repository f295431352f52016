// values.h - parsers for the values the compss CLI's options take that common/util/parse.h has no
// parser for: task ids and id ranges, --array, --priority, --custom, --on-failure.
//
// Every error names the option (`what`) and what it accepts, e.g.
//   parse_array("5-1", "--array") -> "bad --array '5-1': FIRST must not be above LAST (FIRST-LAST[:STEP], e.g. 1-1000
//   or 0-99:10)"
// Thread-safety: pure functions.
#pragma once

#include <compss/types.hpp>
#include <cstdint>
#include <string_view>

#include "common/util/result.h"

namespace compss::cli {

// "12" or "12-20" (as `compss submit --array` prints them).
Result<client::IdRange> parse_id_range(std::string_view s, std::string_view what);

// "FIRST-LAST[:STEP]"; at most kMaxArrayIndices indices; a lone "N" is the array of the one index N.
inline constexpr std::uint64_t kMaxArrayIndices = 16777216;
Result<client::ArraySpec> parse_array(std::string_view s, std::string_view what);

Result<std::int32_t> parse_int32(std::string_view s, std::string_view what);

// "NAME=AMOUNT", AMOUNT a whole number.
Result<client::Amount> parse_amount(std::string_view s, std::string_view what);

Result<client::OnFailure> parse_on_failure(std::string_view s, std::string_view what);

}  // namespace compss::cli
