// bench_sim.cc - compss-bench part "sim": the elasticity policy at scale, in the simulator (sim.h).
//
// The montage-like graph (workflow.h) x100 (x10 with --quick) on 32-core nodes: static on 4096 nodes
// against elastic from 16 up to 4096, and static on 64 against elastic from 4 to 64. Idle release 60 s,
// critical-path placement, every grow request started 30 s after it is made, nodes ready at once,
// requests of at most 64 nodes, the start forecast on. The static run is each elastic run's baseline.
// A third 64-node row carries decisions out as the simulator did before multi-node requests (one node
// per request, at most 16 in flight, no forecast), for comparison.
// Targets (printed, not asserted): at 4096 nodes elastic/static makespan <= 1.3 and node-seconds <= 0.2;
// at 64 nodes no worse than before.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "tools/bench.h"
#include "tools/sim.h"
#include "tools/workflow.h"

namespace compss::tools {
namespace {

struct Run {
  const char* label;
  bool elastic;
  std::uint32_t nodes, min_nodes;
  bool single_requests = false;  // as before: 1-node requests, 16 in flight, no forecast
};

SimConfig config_of(const Run& run) {
  SimConfig c;
  c.elastic = run.elastic;
  c.nodes = run.nodes;
  c.min_nodes = run.min_nodes;
  c.cores = 32;
  c.idle_release_s = 60;
  c.policy = scheduler::PlacementPolicy::kCriticalPath;
  c.queue.kind = QueueSpec::Kind::kFixed;
  c.queue.fixed_s = 30;
  c.boot_s = 0;
  c.request_nodes = run.single_requests ? 1 : 64;
  c.max_in_flight = run.single_requests ? 16 : run.nodes;
  c.forecast = !run.single_requests;
  return c;
}

bool simulate(const Run& run, std::uint32_t instances, SimResult& r, double& wall_s) {
  ShapeOptions so;
  so.shape = "montage";
  so.instances = instances;
  auto src = make_shape(so);
  if (!src) {
    std::fprintf(stderr, "sim: %s\n", src.error().message.c_str());
    return false;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto res = run_simulation(config_of(run), **src);
  wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!res || res->done != res->tasks) {
    std::fprintf(stderr, "sim: %s: %s\n", run.label, res ? "not every task finished" : res.error().message.c_str());
    return false;
  }
  r = *res;
  std::printf("%-34s %6u %10.1f %13.1f %8.3f %6u %5u %8u %6u %7.2f\n", run.label, run.nodes, r.makespan_s,
              r.node_seconds, r.utilisation, r.grows, r.grow_rpcs, r.grows_declined, r.peak_nodes, wall_s);
  std::fflush(stdout);
  return true;
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

void report_pair(const std::string& prefix, const SimResult& s, const SimResult& e) {
  report(prefix + "_static_makespan_s", s.makespan_s, "s");
  report(prefix + "_elastic_makespan_s", e.makespan_s, "s");
  report(prefix + "_static_node_seconds", s.node_seconds, "node-s");
  report(prefix + "_elastic_node_seconds", e.node_seconds, "node-s");
  report(prefix + "_elastic_makespan_ratio", e.makespan_s / s.makespan_s, "ratio");
  report(prefix + "_elastic_node_seconds_ratio", e.node_seconds / s.node_seconds, "ratio");
}

}  // namespace

int bench_sim(const BenchOptions& opt) {
  const std::uint32_t instances = opt.quick ? 10 : 100;
  std::printf(
      "montage-like x%u (%llu tasks), 32-core nodes, idle release 60 s, critical-path, queue fixed:30, "
      "boot 0, requests of <= 64 nodes, forecast on\n",
      instances, static_cast<unsigned long long>(kMontageTasks * instances));
  std::printf(
      "targets: 4096 nodes: elastic/static makespan <= 1.3, node-seconds <= 0.2; 64 nodes: no worse "
      "than before (1-node requests, 16 in flight)\n");
  std::printf("%-34s %6s %10s %13s %8s %6s %5s %8s %6s %7s\n", "run", "nodes", "makespan_s", "node_seconds", "util",
              "grows", "rpcs", "declined", "peak", "wall_s");
  const Run runs[] = {
      {"static", false, 4096, 4096},
      {"elastic 16..4096", true, 4096, 16},
      {"static", false, 64, 64},
      {"elastic 4..64", true, 64, 4},
      {"elastic 4..64, as before (1-node)", true, 64, 4, true},
  };
  SimResult r[5];
  double wall[5];
  for (int i = 0; i < 5; ++i) {
    if (!simulate(runs[i], instances, r[i], wall[i])) return 1;
  }
  report_pair("sim", r[0], r[1]);
  report_pair("sim64", r[2], r[3]);
  report("sim64_before_elastic_makespan_s", r[4].makespan_s, "s");
  report("sim64_before_elastic_node_seconds", r[4].node_seconds, "node-s");
  report("sim_wall_s", wall[1], "s");
  report("sim_peak_rss_mb", peak_rss_mb(), "MB");
  return 0;
}

}  // namespace compss::tools
