// fields.h - reading a message's fields from a decoded MessagePack map (internal to common/proto).
//
// A Reader wraps one map and a shared Problem. Each call reads one field into a struct member, checks
// its type and range, and on the first failure records a message naming the field with its path
// ("field 'tasks[3].cpus' must be an unsigned integer"); later calls then do nothing, so a decoder reads
// every field in a row and checks ok() once. An absent (or nil) optional field leaves the member as it
// was, which is the protocol's default. Never throws.
//
// Thread-safety: a Reader and its Problem belong to one decode call.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/proto/ids.h"
#include "common/proto/words.h"

namespace compss::proto::detail {

using json = nlohmann::json;

enum class Need { kOptional, kRequired };
inline constexpr Need kOptional = Need::kOptional;
inline constexpr Need kRequired = Need::kRequired;

struct Problem {
  std::optional<std::string> text;  // the first failure, without the message type
  bool failed() const { return text.has_value(); }
  void set(std::string s) {
    if (!text) text = std::move(s);
  }
};

// A user-supplied string made safe and short for an error message.
std::string excerpt(std::string_view s);

class Reader {
 public:
  static constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();
  static constexpr std::uint32_t kU32Max = std::numeric_limits<std::uint32_t>::max();

  // `obj` is a map; `path` is the prefix of its fields in errors ("", "tasks[3].").
  Reader(const json& obj, Problem& problem, std::string path = {});

  bool ok() const { return !problem_.failed(); }
  void fail(std::string_view key, std::string_view what);  // "field '<path><key>' <what>"
  void fail_rule(std::string text);                         // a rule that spans several fields
  bool has(std::string_view key) const;                     // present and not nil

  void u64(std::string_view key, std::uint64_t& out, Need need = kOptional, std::uint64_t lo = 0,
           std::uint64_t hi = kU64Max);
  void u32(std::string_view key, std::uint32_t& out, Need need = kOptional, std::uint32_t lo = 0,
           std::uint32_t hi = kU32Max);
  void opt_u32(std::string_view key, std::optional<std::uint32_t>& out);
  void i32(std::string_view key, std::int32_t& out, Need need = kOptional);
  void opt_i32(std::string_view key, std::optional<std::int32_t>& out);
  void seconds(std::string_view key, double& out);  // optional, finite, >= 0
  void boolean(std::string_view key, bool& out, Need need = kOptional);
  void str(std::string_view key, std::string& out, Need need = kOptional, bool non_empty = false);
  void opt_str(std::string_view key, std::optional<std::string>& out);  // non-empty when present
  void str_if_string(std::string_view key, std::string& out) const;     // never fails
  void str_list(std::string_view key, std::vector<std::string>& out, Need need = kOptional,
                bool non_empty = false);
  void env_list(std::string_view key, std::vector<std::string>& out);  // optional, KEY=VALUE items
  void name_list(std::string_view key, std::vector<std::string>& out);  // optional, variable names
  void u32_list(std::string_view key, std::vector<std::uint32_t>& out, Need need = kOptional,
                bool non_empty = false);
  void u64_list(std::string_view key, std::vector<std::uint64_t>& out);  // optional
  void ids(std::string_view key, IdList& out, Need need = kOptional, bool non_empty = false);

  template <class E>
  void word(std::string_view key, E& out, Need need = kOptional) {
    const json* v = find(key, need);
    if (!v) return;
    if (!v->is_string()) return fail(key, "must be a string");
    const auto& s = v->get_ref<const json::string_t&>();
    if (auto e = parse_word<E>(s))
      out = *e;
    else
      fail(key, "must be " + word_choices<E>() + ", got " + excerpt(s));
  }

  // A nested map read by `read(Reader&, T&)`.
  template <class T, class F>
  void object(std::string_view key, T& out, Need need, F read) {
    const json* v = find(key, need);
    if (!v) return;
    if (!v->is_object()) return fail(key, "must be a map");
    Reader sub(*v, problem_, path_ + std::string(key) + ".");
    read(sub, out);
  }

  template <class T, class F>
  void opt_object(std::string_view key, std::optional<T>& out, F read) {
    if (!has(key)) return;
    T value{};
    object(key, value, kRequired, read);
    if (ok()) out = std::move(value);
  }

  // An array of maps, each read by `read(Reader&, T&)` into a default-constructed T.
  template <class T, class F>
  void list(std::string_view key, std::vector<T>& out, Need need, bool non_empty, F read) {
    const json* v = array(key, need, non_empty);
    if (!v) return;
    std::vector<T> items;
    items.reserve(v->size());
    std::size_t i = 0;
    for (const json& item : *v) {
      std::string at = std::string(key) + "[" + std::to_string(i++) + "]";
      if (!item.is_object()) return fail(at, "must be a map");
      Reader sub(item, problem_, path_ + at + ".");
      read(sub, items.emplace_back());
      if (!ok()) return;
    }
    out = std::move(items);
  }

 private:
  const json* find(std::string_view key, Need need);  // nullptr: absent, nil, or already failed
  const json* array(std::string_view key, Need need, bool non_empty);
  bool item_u64(const json& v, std::string_view at, std::uint64_t& out);

  const json& obj_;
  Problem& problem_;
  std::string path_;
};

}  // namespace compss::proto::detail
