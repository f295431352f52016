#include "spank-plugin/submit_check.h"

namespace compss::spank {
namespace {

Status within_site_limit(std::string_view key, const std::optional<std::uint32_t>& n, const PlugstackArgs& site) {
  if (!n || site.max_nodes == 0 || *n <= site.max_nodes) return {};
  return fail("--compss: ", key, "=", std::to_string(*n), " is above this site's limit of ",
              std::to_string(site.max_nodes), " nodes (accepted: 1..", std::to_string(site.max_nodes), ")");
}

// Growing by merging needs controller settings (see the README's "For sysadmins" section); the rule and its
// message are compssd's own, so what sbatch refuses is exactly what the runtime would fail on.
Status merge_possible(const ControllerFacts& ctl) {
  if (!ctl.known) return {};
  if (auto s = check_merge(ctl.conf); !s) return fail("--compss: ", s.error().message);
  return {};
}

}  // namespace

Result<RuntimeOptions> check_submission(std::string_view value, const PlugstackArgs& site, const ControllerFacts& ctl) {
  auto parsed = parse_runtime_options(value);
  if (!parsed) return parsed.error();
  RuntimeOptions o = std::move(*parsed);
  if (auto s = within_site_limit("max-nodes", o.max_nodes, site); !s) return s.error();
  if (auto s = within_site_limit("min-nodes", o.min_nodes, site); !s) return s.error();
  if (o.elastic == ElasticMode::kMerge) {
    if (auto s = merge_possible(ctl); !s) return s.error();
  }
  if (!o.max_nodes && site.max_nodes != 0) o.max_nodes = site.max_nodes;
  if (o.min_nodes && o.max_nodes && *o.min_nodes > *o.max_nodes)
    return fail("--compss: min-nodes=", std::to_string(*o.min_nodes), " is larger than the site's max-nodes=",
                std::to_string(*o.max_nodes));
  if (o.config_file.empty()) o.config_file = site.config_file;
  return o;
}

}  // namespace compss::spank
