// parse.h - parsers for the small values users type: counts, sizes, durations, key=value lists; and
// the inverse of split, join.
//
// Each parser returns a Result whose error names the input and what is accepted, e.g.
//   parse_size("4X")  -> "bad size '4X': expected a number with an optional unit K, M, G or T"
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/util/result.h"

namespace compss {

// Splits on `sep`; empty fields are kept ("a,,b" -> {"a", "", "b"}); "" -> {}.
std::vector<std::string_view> split(std::string_view s, char sep);
std::string_view trim(std::string_view s);

// The items with `sep` between them: join({"n1", "n2"}, ",") -> "n1,n2"; join({}, ",") -> "".
// Items are strings (anything appendable to a std::string) or integers (written in decimal):
// join(std::vector<unsigned>{0, 2}, ",") -> "0,2". Empty items are kept: join({"", "b"}, ",") -> ",b".
// A braced list is a std::vector<std::string> (the default Range).
template <class Range = std::vector<std::string>>
std::string join(const Range& items, std::string_view sep) {
  std::string s;
  bool first = true;
  for (const auto& item : items) {
    if (!first) s += sep;
    first = false;
    if constexpr (std::is_integral_v<std::decay_t<decltype(item)>>) {
      s += std::to_string(item);
    } else {
      s += item;
    }
  }
  return s;
}

// True when the comma-separated list holds `item` as one of its (trimmed) entries: SLURM's parameter
// lists are flags or key=value pairs, so "a, permit_job_expansion" holds "permit_job_expansion" and
// "permit_job_expansion=1" or "no_permit_job_expansion" do not.
bool list_has(std::string_view comma_list, std::string_view item);

// Linux cpulist notation, as /proc/<pid>/status shows Cpus_allowed_list and SLURM writes CPU ids:
// {0,1,2,5} -> "0-2,5" (sorted, duplicates dropped); {} -> "".
std::string format_cpu_list(const std::vector<std::uint32_t>& ids);
// The inverse: "0-2,5" -> {0,1,2,5}, ascending without duplicates; "" -> {}. An error names the bad entry.
Result<std::vector<std::uint32_t>> parse_cpu_list(std::string_view s);

// A decimal unsigned integer in [lo, hi]. `what` names the value in the error ("max-nodes").
Result<std::uint64_t> parse_uint(std::string_view s, std::string_view what, std::uint64_t lo = 0,
                                 std::uint64_t hi = UINT64_MAX);

// Bytes: "512", "512K", "4M", "2G", "1T" (binary units, case-insensitive, optional trailing B: "4GB").
Result<std::uint64_t> parse_size(std::string_view s);

// Seconds: "90", "90s", "5m", "2h", "1d", "1h30m", or SLURM's "[D-]HH:MM:SS" / "MM:SS".
Result<std::uint64_t> parse_duration(std::string_view s);

// "k=v,k2=v2,flag" -> {{"k","v"},{"k2","v2"},{"flag",""}}; a key may not be empty or repeated.
Result<std::vector<std::pair<std::string, std::string>>> parse_kv_list(std::string_view s);

}  // namespace compss
