// Parsers for the test text of world_nodes.h.
#include "tests/unit/scheduler/world_nodes.h"

#include <stdexcept>
#include <string>

#include "common/util/parse.h"

namespace compss::test {

using scheduler::Gpu;
using scheduler::NodeDesc;
using scheduler::ResourceRequest;

namespace {

[[noreturn]] void bad(std::string_view text, const std::string& what) {
  throw std::invalid_argument("bad world text '" + std::string(text) + "': " + what);
}

// Splits on `sep` outside brackets and braces; trims the parts; drops empty parts.
std::vector<std::string_view> split_top(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    char c = i < s.size() ? s[i] : sep;
    if (c == '[' || c == '{') ++depth;
    if (c == ']' || c == '}') --depth;
    if (c == sep && depth == 0) {
      if (auto part = trim(s.substr(start, i - start)); !part.empty()) parts.push_back(part);
      start = i + 1;
    }
  }
  return parts;
}

std::uint64_t number(std::string_view text, std::string_view value) {
  auto r = parse_uint(value, "a count");
  if (!r) bad(text, r.error().message);
  return *r;
}

std::string_view unbracket(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  return s;
}

// "0-3" or "6", appended to `out`.
void add_range(std::string_view text, std::string_view range, std::vector<std::uint32_t>& out) {
  range = trim(range);
  auto dash = range.find('-');
  auto lo = number(text, range.substr(0, dash));
  auto hi = dash == std::string_view::npos ? lo : number(text, range.substr(dash + 1));
  if (hi < lo) bad(text, "range " + std::string(range) + " runs backwards");
  for (auto i = lo; i <= hi; ++i) out.push_back(static_cast<std::uint32_t>(i));
}

std::pair<std::string_view, std::string_view> key_value(std::string_view text, std::string_view item) {
  auto colon = item.find(':');
  if (colon == std::string_view::npos) return {trim(item), {}};
  auto key = trim(item.substr(0, colon));
  if (key.empty()) bad(text, "an item has no key");
  return {key, trim(item.substr(colon + 1))};
}

// Cores split in equal consecutive blocks, one per GPU (the remainder to the last).
void default_close(NodeDesc& d) {
  const std::size_t n = d.gpus.size();
  if (n == 0) return;
  const std::size_t block = d.cores.size() / n;
  for (std::size_t g = 0; g < n; ++g) {
    const std::size_t end = g + 1 == n ? d.cores.size() : (g + 1) * block;
    d.gpus[g].close_cores.assign(d.cores.begin() + static_cast<std::ptrdiff_t>(g * block),
                                 d.cores.begin() + static_cast<std::ptrdiff_t>(end));
  }
}

NodeDesc parse_body(std::string_view text, std::string_view body) {
  NodeDesc d;
  std::string_view close;
  std::uint64_t gpus = 0;
  for (auto item : split_top(body, ',')) {
    auto [key, value] = key_value(text, item);
    if (key == "cpus") {
      for (std::uint32_t i = 0; i < number(text, value); ++i) d.cores.push_back(i);
    } else if (key == "cores") {
      d.cores = ids(value);
    } else if (key == "mem") {
      auto r = parse_size(value);
      if (!r) bad(text, r.error().message);
      d.memory = *r;
    } else if (key == "gpus") {
      gpus = number(text, value);
    } else if (key == "close") {
      close = unbracket(value);
    } else if (key == "job") {
      d.allocation = static_cast<std::uint32_t>(number(text, value));
    } else {
      d.custom.emplace_back(std::string(key), number(text, value));
    }
  }
  for (std::uint32_t g = 0; g < gpus; ++g) d.gpus.push_back(Gpu{g, {}});
  if (close.empty()) {
    default_close(d);
    return d;
  }
  auto sets = split_top(close, ',');
  if (sets.size() != d.gpus.size())
    bad(text, "close lists " + std::to_string(sets.size()) + " sets for " + std::to_string(gpus) + " GPUs");
  for (std::size_t g = 0; g < sets.size(); ++g) {
    for (auto range : split(sets[g], '+')) add_range(text, range, d.gpus[g].close_cores);
  }
  return d;
}

}  // namespace

std::vector<std::uint32_t> ids(std::string_view text) {
  std::vector<std::uint32_t> out;
  for (auto range : split_top(unbracket(text), ',')) add_range(text, range, out);
  return out;
}

std::vector<NodeDesc> nodes(std::string_view text) {
  std::vector<NodeDesc> out;
  for (auto group : split_top(text, ';')) {
    auto open = group.find('{');
    if (open == std::string_view::npos || group.back() != '}') bad(text, "a group needs {...}");
    std::vector<std::string_view> head;
    for (auto word : split(trim(group.substr(0, open)), ' ')) {
      if (!word.empty()) head.push_back(word);
    }
    std::uint64_t count = 1;
    std::string name;
    if (head.size() >= 2 && head[1] == "x") {
      count = number(text, head[0]);
      if (head.size() == 3) name = std::string(head[2]);
      if (head.size() > 3) bad(text, "expected [COUNT x] [NAME] {...}");
    } else if (head.size() == 1) {
      name = std::string(head[0]);
    } else if (!head.empty()) {
      bad(text, "expected [COUNT x] [NAME] {...}");
    }
    NodeDesc shape = parse_body(text, group.substr(open + 1, group.size() - open - 2));
    for (std::uint64_t i = 0; i < count; ++i) {
      NodeDesc d = shape;
      if (name.empty())
        d.name = "n" + std::to_string(out.size() + 1);
      else
        d.name = count > 1 ? name + std::to_string(i + 1) : name;
      out.push_back(std::move(d));
    }
  }
  return out;
}

scheduler::ResourcePool make_pool(std::string_view text) {
  scheduler::ResourcePool pool;
  for (auto& d : nodes(text)) pool.add_node(std::move(d));
  return pool;
}

ResourceRequest request(std::string_view text) {
  ResourceRequest r;
  for (auto item : split_top(text, ',')) {
    auto [key, value] = key_value(text, item);
    auto n = [&] { return static_cast<std::uint32_t>(number(text, value)); };
    if (key == "cpus")
      r.cpus = n();
    else if (key == "gpus")
      r.gpus = n();
    else if (key == "nodes")
      r.nodes = n();
    else if (key == "ranks")
      r.ranks = n();
    else if (key == "rpn")
      r.ranks_per_node = n();
    else if (key == "mpi")
      r.mpi = true;
    else if (key == "mem") {
      auto s = parse_size(value);
      if (!s) bad(text, s.error().message);
      r.memory = *s;
    } else {
      r.custom.emplace_back(std::string(key), number(text, value));
    }
  }
  return r;
}

}  // namespace compss::test
