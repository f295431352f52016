#include "common/util/runtime_options.h"

#include <array>
#include <vector>

#include "common/util/parse.h"

namespace compss {
namespace {

constexpr std::string_view kKnownKeys =
    "max-nodes, min-nodes, elastic, idle, policy, resume, trace, graph, config, crash-limit";
constexpr std::uint64_t kMaxNodes = 100000;

constexpr std::array<std::pair<std::string_view, ElasticMode>, 4> kElastic{{
    {"auto", ElasticMode::kAuto}, {"merge", ElasticMode::kMerge}, {"helper", ElasticMode::kHelper},
    {"off", ElasticMode::kOff}}};
constexpr std::array<std::pair<std::string_view, PolicyName>, 3> kPolicies{{
    {"fifo", PolicyName::kFifo}, {"priority", PolicyName::kPriority}, {"critical-path", PolicyName::kCriticalPath}}};

template <class T, std::size_t N>
Result<T> pick(const std::array<std::pair<std::string_view, T>, N>& table, std::string_view key,
               std::string_view value) {
  std::string accepted;
  for (const auto& [name, v] : table) {
    if (name == value) return v;
    if (!accepted.empty()) accepted += "|";
    accepted += name;
  }
  return fail("--compss: bad ", key, " '", value, "' (accepted: ", accepted, ")");
}

Status need_value(std::string_view key, const std::string& value, std::string_view example) {
  if (value.empty()) return fail("--compss: ", key, " needs a value (e.g. ", key, "=", example, ")");
  return {};
}

Status need_flag(std::string_view key, const std::string& value) {
  if (!value.empty()) return fail("--compss: ", key, " takes no value (write just '", key, "')");
  return {};
}

Result<std::uint32_t> node_count(std::string_view key, const std::string& value) {
  if (auto s = need_value(key, value, "4"); !s) return s.error();
  auto n = parse_uint(value, key, 1, kMaxNodes);
  if (!n) return fail("--compss: ", n.error().message);
  return static_cast<std::uint32_t>(*n);
}

Status apply(RuntimeOptions& o, const std::string& key, const std::string& value) {
  if (key == "max-nodes" || key == "min-nodes") {
    auto n = node_count(key, value);
    if (!n) return n.error();
    (key == "max-nodes" ? o.max_nodes : o.min_nodes) = *n;
  } else if (key == "elastic") {
    auto m = pick(kElastic, key, value);
    if (!m) return m.error();
    o.elastic = *m;
    o.elastic_set = true;
  } else if (key == "policy") {
    if (value == "locality")
      return fail("--compss: policy=locality is not built in this version yet (accepted: fifo|priority|critical-path)");
    auto p = pick(kPolicies, key, value);
    if (!p) return p.error();
    o.policy = *p;
    o.policy_set = true;
  } else if (key == "idle") {
    if (auto s = need_value(key, value, "60s"); !s) return s;
    auto d = parse_duration(value);
    if (!d) return fail("--compss: idle: ", d.error().message);
    o.idle_s = *d;
  } else if (key == "resume" || key == "config") {
    if (auto s = need_value(key, value, key == "resume" ? ".compss/1234" : "compss.yaml"); !s) return s;
    (key == "resume" ? o.resume_dir : o.config_file) = value;
  } else if (key == "crash-limit") {
    if (auto s = need_value(key, value, "5"); !s) return s;
    auto n = parse_uint(value, key, 0, 100);
    if (!n) return fail("--compss: ", n.error().message);
    o.crash_limit = static_cast<std::uint32_t>(*n);
  } else if (key == "trace" || key == "graph") {
    if (auto s = need_flag(key, value); !s) return s;
    return fail("--compss: ", key, " is not built in this version yet: it would write no ",
                key == "trace" ? "trace" : "task graph", " (remove it)");
  } else {
    return fail("--compss: unknown key '", key, "' (known: ", kKnownKeys, ")");
  }
  return {};
}

}  // namespace

Result<RuntimeOptions> parse_runtime_options(std::string_view value) {
  auto kv = parse_kv_list(value);
  if (!kv) return fail("--compss: ", kv.error().message);
  RuntimeOptions o;
  for (const auto& [key, val] : *kv) {
    if (auto s = apply(o, key, val); !s) return s.error();
  }
  if (o.min_nodes && o.max_nodes && *o.min_nodes > *o.max_nodes)
    return fail("--compss: min-nodes=", std::to_string(*o.min_nodes), " is larger than max-nodes=",
                std::to_string(*o.max_nodes));
  if (o.elastic == ElasticMode::kOff && o.max_nodes && o.min_nodes && *o.max_nodes != *o.min_nodes)
    return fail("--compss: elastic=off cannot grow or shrink, but min-nodes and max-nodes differ");
  return o;
}

std::string_view to_string(ElasticMode m) {
  for (const auto& [name, v] : kElastic)
    if (v == m) return name;
  return "auto";
}

std::string_view to_string(PolicyName p) {
  for (const auto& [name, v] : kPolicies)
    if (v == p) return name;
  return "fifo";
}

std::string to_string(const RuntimeOptions& o) {
  std::vector<std::string> items;
  auto add = [&items](std::string_view k, std::string_view v) {
    items.push_back(v.empty() ? std::string(k) : std::string(k) + "=" + std::string(v));
  };
  if (o.max_nodes) add("max-nodes", std::to_string(*o.max_nodes));
  if (o.min_nodes) add("min-nodes", std::to_string(*o.min_nodes));
  // Only keys that were given: the plugin hands compssd this text, and a key written here although the
  // user did not give it would override the site's compss.yaml (elastic and policy once always did).
  if (o.elastic_set) add("elastic", to_string(o.elastic));
  if (o.idle_s) add("idle", std::to_string(*o.idle_s));
  if (o.policy_set) add("policy", to_string(o.policy));
  if (!o.resume_dir.empty()) add("resume", o.resume_dir);
  if (!o.config_file.empty()) add("config", o.config_file);
  if (o.crash_limit) add("crash-limit", std::to_string(*o.crash_limit));
  return join(items, ",");
}

}  // namespace compss
