#include "common/util/parse.h"

#include <cctype>
#include <set>
#include <string>

namespace compss {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  if (s.empty()) return out;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool list_has(std::string_view comma_list, std::string_view item) {
  for (auto part : split(comma_list, ','))
    if (trim(part) == item) return true;
  return false;
}

namespace {

// Reads leading digits into `v`; returns the number of digits, 0 on none or overflow.
size_t read_digits(std::string_view s, std::uint64_t& v) {
  v = 0;
  size_t i = 0;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
    unsigned d = static_cast<unsigned>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return 0;
    v = v * 10 + d;
  }
  return i;
}

}  // namespace

Result<std::uint64_t> parse_uint(std::string_view s, std::string_view what, std::uint64_t lo, std::uint64_t hi) {
  std::uint64_t v = 0;
  size_t n = read_digits(s, v);
  if (s.empty() || n != s.size())
    return fail("bad ", what, " '", s, "': expected a whole number");
  if (v < lo || v > hi)
    return fail("bad ", what, " '", s, "': must be between ", std::to_string(lo), " and ", std::to_string(hi));
  return v;
}

Result<std::uint64_t> parse_size(std::string_view s) {
  auto bad = [&] {
    return fail("bad size '", s, "': expected a number with an optional unit K, M, G or T (e.g. 512M, 4G)");
  };
  std::uint64_t v = 0;
  size_t n = read_digits(s, v);
  if (n == 0) return bad();
  std::string_view unit = s.substr(n);
  if (!unit.empty() && (unit.back() == 'b' || unit.back() == 'B') && unit.size() == 2) unit.remove_suffix(1);
  unsigned shift = 0;
  if (unit.size() > 1) return bad();
  if (unit.size() == 1) {
    switch (std::toupper(static_cast<unsigned char>(unit[0]))) {
      case 'K': shift = 10; break;
      case 'M': shift = 20; break;
      case 'G': shift = 30; break;
      case 'T': shift = 40; break;
      case 'B': shift = 0; break;
      default: return bad();
    }
  }
  if (shift && v > (UINT64_MAX >> shift)) return fail("bad size '", s, "': too large");
  return v << shift;
}

Result<std::uint64_t> parse_duration(std::string_view s) {
  auto bad = [&] {
    return fail("bad duration '", s, "': expected seconds (90), a unit (90s, 5m, 2h, 1d, 1h30m) or [D-]HH:MM:SS");
  };
  // Far beyond any job (a century), and far from wrapping around 64 bits.
  constexpr std::uint64_t kMaxDuration = 100ull * 365 * 86400;
  auto too_long = [&] { return fail("bad duration '", s, "': longer than 100 years"); };
  if (s.empty()) return bad();
  if (s.find(':') != std::string_view::npos) {
    std::uint64_t days = 0;
    std::string_view rest = s;
    if (auto dash = s.find('-'); dash != std::string_view::npos) {
      auto d = parse_uint(s.substr(0, dash), "days");
      if (!d) return bad();
      days = *d;
      rest = s.substr(dash + 1);
    }
    auto parts = split(rest, ':');
    if (parts.size() < 2 || parts.size() > 3) return bad();
    std::uint64_t total = 0;
    for (auto p : parts) {
      auto v = parse_uint(p, "time field");
      if (!v) return bad();
      if (*v > kMaxDuration || total > (kMaxDuration - *v) / 60) return too_long();
      total = total * 60 + *v;
    }
    if (days > (kMaxDuration - total) / 86400) return too_long();
    return total + days * 86400;
  }
  std::uint64_t total = 0;
  std::string_view rest = s;
  while (!rest.empty()) {
    std::uint64_t v = 0;
    size_t n = read_digits(rest, v);
    if (n == 0) return bad();
    rest.remove_prefix(n);
    std::uint64_t mult = 1;
    if (!rest.empty()) {
      switch (rest[0]) {
        case 's': mult = 1; break;
        case 'm': mult = 60; break;
        case 'h': mult = 3600; break;
        case 'd': mult = 86400; break;
        default: return bad();
      }
      rest.remove_prefix(1);
    } else if (total != 0) {
      return bad();  // "1h30" is ambiguous
    }
    if (v > (kMaxDuration - total) / mult) return too_long();
    total += v * mult;
  }
  return total;
}

Result<std::vector<std::pair<std::string, std::string>>> parse_kv_list(std::string_view s) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto field : split(s, ',')) {
    field = trim(field);
    if (field.empty()) return fail("empty field in '", s, "'");
    auto eq = field.find('=');
    std::string key(trim(field.substr(0, eq)));
    std::string val = eq == std::string_view::npos ? std::string() : std::string(trim(field.substr(eq + 1)));
    if (key.empty()) return fail("missing key before '=' in '", field, "'");
    for (const auto& kv : out)
      if (kv.first == key) return fail("key '", key, "' given twice");
    out.emplace_back(std::move(key), std::move(val));
  }
  return out;
}

std::string format_cpu_list(const std::vector<std::uint32_t>& ids) {
  std::set<std::uint32_t> sorted(ids.begin(), ids.end());
  std::string out;
  for (auto it = sorted.begin(); it != sorted.end();) {
    std::uint32_t first = *it, last = *it;
    for (++it; it != sorted.end() && *it == last + 1; ++it) last = *it;
    if (!out.empty()) out += ',';
    out += std::to_string(first);
    if (last != first) out += "-" + std::to_string(last);
  }
  return out;
}

Result<std::vector<std::uint32_t>> parse_cpu_list(std::string_view s) {
  constexpr std::uint64_t kMax = 1u << 20;  // far beyond any node; keeps "0-4000000000" from filling memory
  std::set<std::uint32_t> ids;
  for (std::string_view item : split(s, ',')) {
    item = trim(item);
    const auto dash = item.find('-');
    const std::string_view lo_s = item.substr(0, dash);
    const std::string_view hi_s = dash == std::string_view::npos ? lo_s : item.substr(dash + 1);
    auto lo = parse_uint(lo_s, "CPU id", 0, kMax);
    auto hi = parse_uint(hi_s, "CPU id", 0, kMax);
    if (!lo || !hi || *hi < *lo)
      return fail("bad CPU list '", std::string(s), "': entry '", std::string(item),
                  "' is not a number or a range a-b with a <= b");
    for (std::uint64_t c = *lo; c <= *hi; ++c) ids.insert(static_cast<std::uint32_t>(c));
  }
  return std::vector<std::uint32_t>(ids.begin(), ids.end());
}

}  // namespace compss
