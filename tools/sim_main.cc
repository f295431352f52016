// compss-sim - replays a workflow on simulated nodes through the real scheduler, statically and
// elastically, and prints makespan, utilisation, node-seconds and the lower bound. See compss-sim.md.
//
//   compss-sim --shape ensemble --tasks 2000 --nodes 16 --cores 8 --join-latency 30
//   compss-sim --workflow wf.txt --nodes 4
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tools/sim.h"
#include "tools/workflow.h"

namespace po = boost::program_options;
using namespace compss::tools;

namespace {

struct Options {
  ShapeOptions shape;
  std::string workflow;
  std::string mode = "both";
  std::string policy = "critical-path";
  SimConfig sim;
};

compss::Result<std::unique_ptr<TaskSource>> source_of(const Options& o) {
  if (o.workflow.empty()) return make_shape(o.shape);
  std::ifstream in(o.workflow);
  if (!in) return compss::fail("cannot read workflow file '", o.workflow, "'");
  std::stringstream text;
  text << in.rdbuf();
  return load_workflow(text.str(), o.workflow);
}

void print_row(const char* run, const SimResult& r, double wall_s) {
  std::printf("%-8s %12.1f %14.1f %11.3f %14.1f %7.3f %6u %8u %6u %8.2f\n", run, r.makespan_s, r.node_seconds,
              r.utilisation, r.lower_bound_s, r.lower_bound_s > 0 ? r.makespan_s / r.lower_bound_s : 0.0, r.grows,
              r.releases, r.peak_nodes, wall_s);
}

void print_lines(const char* run, const SimResult& r) {
  std::printf("sim %s_makespan_s %.1f\n", run, r.makespan_s);
  std::printf("sim %s_node_seconds %.1f\n", run, r.node_seconds);
  std::printf("sim %s_utilisation %.3f\n", run, r.utilisation);
}

int simulate(const Options& o, bool elastic, const char* run, std::vector<std::pair<const char*, SimResult>>& done) {
  auto src = source_of(o);
  if (!src) {
    std::fprintf(stderr, "compss-sim: %s\n", src.error().message.c_str());
    return 2;
  }
  SimConfig cfg = o.sim;
  cfg.elastic = elastic;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run_simulation(cfg, **src);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!r) {
    std::fprintf(stderr, "compss-sim: %s run: %s\n", run, r.error().message.c_str());
    return 1;
  }
  print_row(run, *r, wall);
  done.emplace_back(run, *r);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  po::options_description desc("compss-sim options");
  desc.add_options()("help,h", "this help")("shape", po::value(&o.shape.shape)->default_value("random"),
                                            (std::string("generated workflow: ") + shape_names()).c_str())(
      "tasks", po::value(&o.shape.tasks)->default_value(1000), "tasks of the generated workflow")(
      "seed", po::value(&o.shape.seed)->default_value(1), "random seed of the generated workflow")(
      "width", po::value(&o.shape.width)->default_value(100), "fan: parallel tasks per block")(
      "task-cpus", po::value(&o.shape.cpus)->default_value(1), "cores per generated task")(
      "workflow", po::value(&o.workflow), "workflow file instead of a shape (see compss-sim.md)")(
      "nodes", po::value(&o.sim.nodes)->default_value(4), "nodes (static run); the most nodes (elastic run)")(
      "min-nodes", po::value(&o.sim.min_nodes)->default_value(1), "nodes the elastic run starts with")(
      "cores", po::value(&o.sim.cores)->default_value(32), "cores per node")(
      "join-latency", po::value(&o.sim.join_latency_s)->default_value(30), "seconds from grow to node ready")(
      "idle", po::value(&o.sim.idle_release_s)->default_value(static_cast<double>(compss::kDefaultIdleReleaseS)),
      "release a node idle this many seconds")(
      "max-outstanding", po::value(&o.sim.max_in_flight)->default_value(16), "grow requests in flight at once")(
      "policy", po::value(&o.policy)->default_value("critical-path"), "fifo, priority or critical-path")(
      "mode", po::value(&o.mode)->default_value("both"), "static, elastic or both");
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return 0;
    }
  } catch (const po::error& e) {
    std::fprintf(stderr, "compss-sim: %s (see --help)\n", e.what());
    return 2;
  }
  auto policy = compss::scheduler::parse_placement_policy(o.policy);
  if (!policy) {
    std::fprintf(stderr, "compss-sim: %s\n", policy.error().message.c_str());
    return 2;
  }
  o.sim.policy = *policy;
  if (o.mode != "static" && o.mode != "elastic" && o.mode != "both") {
    std::fprintf(stderr, "compss-sim: --mode must be static, elastic or both\n");
    return 2;
  }
  std::printf("workflow: %s; %u nodes x %u cores; join latency %.0f s; policy %s\n",
              o.workflow.empty() ? (o.shape.shape + ", " + std::to_string(o.shape.tasks) + " tasks, seed " +
                                    std::to_string(o.shape.seed))
                                       .c_str()
                                 : o.workflow.c_str(),
              o.sim.nodes, o.sim.cores, o.sim.join_latency_s, o.policy.c_str());
  std::printf("%-8s %12s %14s %11s %14s %7s %6s %8s %6s %8s\n", "run", "makespan_s", "node_seconds", "utilisation",
              "lower_bound_s", "ratio", "grows", "releases", "peak", "wall_s");
  int rc = 0;
  std::vector<std::pair<const char*, SimResult>> done;
  if (o.mode != "elastic") rc = std::max(rc, simulate(o, false, "static", done));
  if (o.mode != "static") rc = std::max(rc, simulate(o, true, "elastic", done));
  for (const auto& [run, r] : done) print_lines(run, r);
  return rc;
}
