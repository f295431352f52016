// bench_parts.cc - the registry of compss-bench parts, in the order they run.
#include <cstdio>

#include "tools/bench.h"

namespace compss::tools {

const std::vector<BenchPart>& bench_parts() {
  static const std::vector<BenchPart> parts = {
      {"sched", "scheduler core: lifecycles/s and bytes per task, 10^4..10^6 tasks on 1..1024 nodes", bench_sched},
      {"sim", "elasticity at scale: montage-like x100, static vs elastic on 4096 and 64 simulated nodes", bench_sim},
  };
  return parts;
}

void report(const std::string& name, double value, const std::string& unit) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", value);
  std::string v(buf);
  while (!v.empty() && v.back() == '0') v.pop_back();
  if (!v.empty() && v.back() == '.') v.pop_back();
  std::printf("bench %s %s %s\n", name.c_str(), v.c_str(), unit.c_str());
  std::fflush(stdout);
}

}  // namespace compss::tools
