// fields.cc - see fields.h.
#include "common/proto/fields.h"

#include <cmath>
#include <utility>

namespace compss::proto::detail {
namespace {

constexpr std::size_t kQuoteMax = 40;  // characters of a peer's string shown in an error

// Integers of either MessagePack family, as the unsigned value they denote.
bool as_u64(const json& v, std::uint64_t& out) {
  if (v.is_number_unsigned()) {
    out = v.get<std::uint64_t>();
    return true;
  }
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) {
    out = static_cast<std::uint64_t>(v.get<std::int64_t>());
    return true;
  }
  return false;
}

bool as_i64(const json& v, std::int64_t& out) {
  if (v.is_number_unsigned()) {
    std::uint64_t u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return false;
    out = static_cast<std::int64_t>(u);
    return true;
  }
  if (v.is_number_integer()) {
    out = v.get<std::int64_t>();
    return true;
  }
  return false;
}

std::string range_text(std::uint64_t lo, std::uint64_t hi, const std::string& got) {
  return "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + got;
}

}  // namespace

std::string excerpt(std::string_view s) {
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < kQuoteMax; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (s.size() > kQuoteMax) out += "...";
  return out + "'";
}

Reader::Reader(const json& obj, Problem& problem, std::string path)
    : obj_(obj), problem_(problem), path_(std::move(path)) {}

void Reader::fail(std::string_view key, std::string_view what) {
  if (problem_.failed()) return;
  problem_.set("field '" + path_ + std::string(key) + "' " + std::string(what));
}

void Reader::fail_rule(std::string text) { problem_.set(std::move(text)); }

bool Reader::has(std::string_view key) const {
  auto it = obj_.find(key);
  return it != obj_.end() && !it->is_null();
}

const json* Reader::find(std::string_view key, Need need) {
  if (!ok()) return nullptr;
  auto it = obj_.find(key);
  if (it == obj_.end() || (it->is_null() && need == kOptional)) {
    if (need == kRequired) problem_.set("missing required field '" + path_ + std::string(key) + "'");
    return nullptr;
  }
  return &*it;
}

const json* Reader::array(std::string_view key, Need need, bool non_empty) {
  const json* v = find(key, need);
  if (!v) return nullptr;
  if (!v->is_array()) {
    fail(key, "must be an array");
    return nullptr;
  }
  if (non_empty && v->empty()) {
    fail(key, "must not be empty");
    return nullptr;
  }
  return v;
}

bool Reader::item_u64(const json& v, std::string_view at, std::uint64_t& out) {
  if (as_u64(v, out)) return true;
  fail(at, "must be an unsigned integer");
  return false;
}

void Reader::u64(std::string_view key, std::uint64_t& out, Need need, std::uint64_t lo, std::uint64_t hi) {
  const json* v = find(key, need);
  if (!v) return;
  std::uint64_t x = 0;
  if (!item_u64(*v, key, x)) return;
  if (x < lo || x > hi) return fail(key, range_text(lo, hi, std::to_string(x)));
  out = x;
}

void Reader::u32(std::string_view key, std::uint32_t& out, Need need, std::uint32_t lo, std::uint32_t hi) {
  std::uint64_t x = out;
  u64(key, x, need, lo, hi);
  if (ok()) out = static_cast<std::uint32_t>(x);
}

void Reader::opt_u32(std::string_view key, std::optional<std::uint32_t>& out) {
  if (!has(key)) return;
  std::uint32_t x = 0;
  u32(key, x, kRequired);
  if (ok()) out = x;
}

void Reader::i32(std::string_view key, std::int32_t& out, Need need) {
  const json* v = find(key, need);
  if (!v) return;
  std::int64_t x = 0;
  constexpr std::int64_t lo = std::numeric_limits<std::int32_t>::min();
  constexpr std::int64_t hi = std::numeric_limits<std::int32_t>::max();
  if (!as_i64(*v, x) || x < lo || x > hi)
    return fail(key, "must be an integer between " + std::to_string(lo) + " and " + std::to_string(hi));
  out = static_cast<std::int32_t>(x);
}

void Reader::opt_i32(std::string_view key, std::optional<std::int32_t>& out) {
  if (!has(key)) return;
  std::int32_t x = 0;
  i32(key, x, kRequired);
  if (ok()) out = x;
}

void Reader::seconds(std::string_view key, double& out) {
  const json* v = find(key, kOptional);
  if (!v) return;
  if (!v->is_number()) return fail(key, "must be a number");
  double x = v->get<double>();
  if (!std::isfinite(x) || x < 0) return fail(key, "must be a finite number >= 0");
  out = x;
}

void Reader::boolean(std::string_view key, bool& out, Need need) {
  const json* v = find(key, need);
  if (!v) return;
  if (!v->is_boolean()) return fail(key, "must be a boolean");
  out = v->get<bool>();
}

void Reader::str(std::string_view key, std::string& out, Need need, bool non_empty) {
  const json* v = find(key, need);
  if (!v) return;
  if (!v->is_string()) return fail(key, "must be a string");
  const auto& s = v->get_ref<const json::string_t&>();
  if (non_empty && s.empty()) return fail(key, "must not be empty");
  out = s;
}

void Reader::opt_str(std::string_view key, std::optional<std::string>& out) {
  if (!has(key)) return;
  std::string s;
  str(key, s, kRequired, true);
  if (ok()) out = std::move(s);
}

void Reader::str_if_string(std::string_view key, std::string& out) const {
  auto it = obj_.find(key);
  if (it != obj_.end() && it->is_string()) out = it->get_ref<const json::string_t&>();
}

void Reader::str_list(std::string_view key, std::vector<std::string>& out, Need need, bool non_empty) {
  const json* v = array(key, need, non_empty);
  if (!v) return;
  std::vector<std::string> items;
  items.reserve(v->size());
  for (const json& item : *v) {
    if (!item.is_string())
      return fail(std::string(key) + "[" + std::to_string(items.size()) + "]", "must be a string");
    items.push_back(item.get_ref<const json::string_t&>());
  }
  out = std::move(items);
}

void Reader::env_list(std::string_view key, std::vector<std::string>& out) {
  std::vector<std::string> items;
  str_list(key, items);
  for (std::size_t i = 0; i < items.size() && ok(); ++i) {
    std::size_t eq = items[i].find('=');
    if (eq == std::string::npos || eq == 0)
      fail(std::string(key) + "[" + std::to_string(i) + "]", "must be KEY=VALUE with a non-empty key, got " +
                                                                  excerpt(items[i]));
  }
  if (ok() && has(key)) out = std::move(items);
}

void Reader::name_list(std::string_view key, std::vector<std::string>& out) {
  std::vector<std::string> items;
  str_list(key, items);
  for (std::size_t i = 0; i < items.size() && ok(); ++i)
    if (items[i].empty() || items[i].find('=') != std::string::npos)
      fail(std::string(key) + "[" + std::to_string(i) + "]", "must be a variable name (not empty, no '='), got " +
                                                                  excerpt(items[i]));
  if (ok() && has(key)) out = std::move(items);
}

void Reader::u32_list(std::string_view key, std::vector<std::uint32_t>& out, Need need, bool non_empty) {
  const json* v = array(key, need, non_empty);
  if (!v) return;
  std::vector<std::uint32_t> items;
  items.reserve(v->size());
  for (const json& item : *v) {
    std::string at = std::string(key) + "[" + std::to_string(items.size()) + "]";
    std::uint64_t x = 0;
    if (!as_u64(item, x) || x > kU32Max) return fail(at, "must be an unsigned 32-bit integer");
    items.push_back(static_cast<std::uint32_t>(x));
  }
  out = std::move(items);
}

void Reader::u64_list(std::string_view key, std::vector<std::uint64_t>& out) {
  const json* v = array(key, kOptional, false);
  if (!v) return;
  std::vector<std::uint64_t> items;
  items.reserve(v->size());
  for (const json& item : *v) {
    std::uint64_t x = 0;
    if (!item_u64(item, std::string(key) + "[" + std::to_string(items.size()) + "]", x)) return;
    items.push_back(x);
  }
  out = std::move(items);
}

void Reader::ids(std::string_view key, IdList& out, Need need, bool non_empty) {
  const json* v = array(key, need, non_empty);
  if (!v) return;
  IdList items;
  items.reserve(v->size());
  for (const json& item : *v) {
    std::string at = std::string(key) + "[" + std::to_string(items.size()) + "]";
    IdRange r;
    if (as_u64(item, r.first)) {
      r.last = r.first;
    } else if (!(item.is_array() && item.size() == 2 && as_u64(item[0], r.first) && as_u64(item[1], r.last))) {
      return fail(at, "must be an unsigned integer or a pair [first, last] of them");
    } else if (r.first > r.last) {
      return fail(at, "has first " + std::to_string(r.first) + " > last " + std::to_string(r.last));
    }
    items.push_back(r);
  }
  out = std::move(items);
}

}  // namespace compss::proto::detail
