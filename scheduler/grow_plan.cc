// The grow plan: re-sizing a grow decision with SLURM's start forecast (grow_plan.h).
#include "scheduler/grow_plan.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace compss::scheduler {

std::string elastic_num(double v) {
  if (!std::isfinite(v)) return "inf";
  char buf[64];
  const int digits = v < 10 && v != std::floor(v) ? 1 : 0;
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, digits);
  return std::string(buf, r.ptr);
}

std::uint32_t nodes_worth(const GrowNeed& need, std::uint32_t count, double delay_s) {
  const double arrival = std::max(std::max(delay_s, 0.0) + std::max(need.join_latency_s, 0.0), 1e-3);
  const double cores = static_cast<double>(std::max<std::uint64_t>(need.cores, 1));
  const double cpn = static_cast<double>(std::max<std::uint32_t>(need.cores_per_node, 1));
  std::uint64_t worth = 0;
  if (need.work_core_s / cores > arrival) {
    const double busy = need.work_core_s / arrival - static_cast<double>(need.cores);
    worth = busy > 0 ? static_cast<std::uint64_t>(std::ceil(busy / cpn)) : 0;
    worth = std::min<std::uint64_t>(worth, need.width_nodes);
  }
  worth = std::max<std::uint64_t>(worth, need.required);
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(worth, count));
}

namespace {

std::string nodes_text(std::uint32_t n) {
  return n == 1 ? "1 node" : std::to_string(n) + " nodes";
}

// "SLURM expects 64 nodes in 12 s; 38000 core-seconds of work last 150 s on the 256 cores there are"
std::string forecast_text(const GrowNeed& need, std::uint32_t asked, double delay_s) {
  const double cores = static_cast<double>(std::max<std::uint64_t>(need.cores, 1));
  return "SLURM expects " + nodes_text(asked) + " in " + elastic_num(std::max(delay_s, 0.0)) + " s; " +
         elastic_num(need.work_core_s) + " core-seconds of work last " + elastic_num(need.work_core_s / cores) +
         " s on the " + std::to_string(need.cores) + " cores there are and coming";
}

}  // namespace

GrowPlan plan_grow(const GrowNeed& need, std::uint32_t count, const Forecast& forecast, std::uint32_t max_queries) {
  GrowPlan p;
  std::uint32_t n = count;
  while (n > 0 && p.queries < max_queries) {
    const std::optional<double> d = forecast(n);
    ++p.queries;
    if (!d) {
      p.count = n;
      p.why = "no forecast from SLURM for " + nodes_text(n) + ": asking as sized";
      return p;
    }
    p.delay_s = d;
    const std::uint32_t worth = nodes_worth(need, n, *d);
    if (worth > 0) {
      // A request of fewer nodes starts no later than the one forecast.
      p.count = worth;
      p.why = forecast_text(need, n, *d) + (worth < n ? ": " + std::to_string(worth) + " of them pay off" : "");
      return p;
    }
    p.why = forecast_text(need, n, *d) + ": too late to pay off";
    n /= 2;  // a smaller request may start sooner
  }
  p.count = 0;
  p.hold_s = std::clamp(p.delay_s.value_or(0) / 2, 5.0, 60.0);
  if (p.why.empty()) p.why = "no nodes to ask for";
  return p;
}

}  // namespace compss::scheduler
