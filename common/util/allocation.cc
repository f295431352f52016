#include "common/util/allocation.h"

#include "common/util/parse.h"

namespace compss {

std::string format_allocation(const Allocation& a) {
  std::string s;
  for (const auto& [node, share] : a) {
    if (!s.empty()) s += ' ';
    s += node + "=" + format_cpu_list(share.cpus);
    if (share.memory_mb) s += "/" + std::to_string(share.memory_mb);
  }
  return s;
}

Result<Allocation> parse_allocation(std::string_view s) {
  Allocation a;
  for (std::string_view entry : split(s, ' ')) {
    if (entry.empty()) continue;
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return fail(kAllocationEnv, ": entry '", std::string(entry), "' is not NODE=CPU-IDS[/MEMORY-MB]");
    const std::string node(entry.substr(0, eq));
    std::string_view rest = entry.substr(eq + 1);
    NodeShare share;
    if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
      auto mem = parse_uint(rest.substr(slash + 1), "memory (MiB)");
      if (!mem) return fail(kAllocationEnv, ": node ", node, ": ", mem.error().message);
      share.memory_mb = *mem;
      rest = rest.substr(0, slash);
    }
    auto cpus = parse_cpu_list(rest);
    if (!cpus) return fail(kAllocationEnv, ": node ", node, ": ", cpus.error().message);
    if (cpus->empty()) return fail(kAllocationEnv, ": node ", node, " has no CPU ids");
    share.cpus = std::move(*cpus);
    if (!a.emplace(node, std::move(share)).second) return fail(kAllocationEnv, ": node ", node, " is named twice");
  }
  return a;
}

}  // namespace compss
