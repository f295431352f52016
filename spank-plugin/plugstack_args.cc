#include "spank-plugin/plugstack_args.h"

#include <string_view>

#include "common/util/parse.h"
#include "common/util/result.h"

namespace compss::spank {
namespace {

constexpr std::string_view kKnown = "compssd, max_nodes, jobdir, config, ready_timeout, finish_timeout, restarts";

Status need_absolute(std::string_view key, const std::string& value) {
  if (value.empty() || value.front() != '/') return fail(key, "=", value, ": expected an absolute path");
  return {};
}

Result<std::uint32_t> seconds(std::string_view key, const std::string& value) {
  auto d = parse_duration(value);
  if (!d) return fail(key, ": ", d.error().message);
  if (*d == 0 || *d > 7 * 86400) return fail(key, "=", value, ": expected 1 s .. 7 days");
  return static_cast<std::uint32_t>(*d);
}

Status apply(PlugstackArgs& c, const std::string& key, const std::string& value) {
  if (key == "compssd" || key == "jobdir" || key == "config") {
    if (auto s = need_absolute(key, value); !s) return s;
    (key == "compssd" ? c.compssd : key == "jobdir" ? c.jobdir_root : c.config_file) = value;
  } else if (key == "max_nodes") {
    auto n = parse_uint(value, key, 1, 100000);
    if (!n) return n.error();
    c.max_nodes = static_cast<std::uint32_t>(*n);
  } else if (key == "restarts") {
    auto n = parse_uint(value, key, 0, 1000);
    if (!n) return n.error();
    c.restarts = static_cast<std::uint32_t>(*n);
  } else if (key == "ready_timeout" || key == "finish_timeout") {
    auto s = seconds(key, value);
    if (!s) return s.error();
    (key == "ready_timeout" ? c.ready_timeout_s : c.finish_timeout_s) = *s;
  } else {
    return fail("unknown plugstack argument '", key, value.empty() ? "" : "=", value, "' (known: ", kKnown, ")");
  }
  return {};
}

}  // namespace

PlugstackParse parse_plugstack_args(const std::vector<std::string>& args, const std::string& default_compssd) {
  PlugstackParse out;
  out.config.compssd = default_compssd;
  for (const auto& arg : args) {
    const auto eq = arg.find('=');
    const std::string key = arg.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    if (auto s = apply(out.config, key, value); !s) out.errors.push_back("spank_compss: " + s.error().message);
  }
  return out;
}

}  // namespace compss::spank
