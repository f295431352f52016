// compss-sim - replays a workflow on simulated nodes through the real scheduler, statically and
// elastically, and prints makespan, utilisation, node-seconds and the lower bound. See compss-sim.md.
//
//   compss-sim --shape ensemble --tasks 2000 --nodes 16 --cores 8 --join-latency 30
//   compss-sim --shape montage --instances 10 --nodes 256 --queue lognormal:60:0.8 --boot 20
//   compss-sim --wfcommons trace.json --print-workflow > wf.txt
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
#include "tools/wfcommons.h"
#include "tools/workflow.h"

namespace po = boost::program_options;
using namespace compss::tools;

namespace {

struct Options {
  ShapeOptions shape;
  std::string workflow, wfcommons;
  bool print_workflow = false, trace_elastic = false;
  std::string mode = "both";
  std::string policy = "critical-path";
  std::string queue, forecast = "on";
  double join_latency_s = 30;
  SimConfig sim;
};

compss::Result<std::string> read_file(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) return compss::fail("cannot read ", what, " '", path, "'");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

compss::Result<std::unique_ptr<TaskSource>> source_of(const Options& o) {
  if (!o.wfcommons.empty()) {
    auto text = read_file(o.wfcommons, "WfCommons trace");
    if (!text) return text.error();
    auto wf = parse_wfcommons(*text, o.wfcommons);
    if (!wf) return wf.error();
    return wfcommons_source(std::move(wf).value(), o.shape.instances);
  }
  if (o.workflow.empty()) return make_shape(o.shape);
  auto text = read_file(o.workflow, "workflow file");
  if (!text) return text.error();
  return load_workflow(*text, o.workflow);
}

int print_workflow(const Options& o) {
  auto text = read_file(o.wfcommons, "WfCommons trace");
  if (!text) {
    std::fprintf(stderr, "compss-sim: %s\n", text.error().message.c_str());
    return 2;
  }
  auto wf = parse_wfcommons(*text, o.wfcommons);
  auto out = wf ? workflow_file_text(*wf, o.shape.instances) : compss::Result<std::string>(wf.error());
  if (!out) {
    std::fprintf(stderr, "compss-sim: %s\n", out.error().message.c_str());
    return 1;
  }
  std::printf("# converted from %s by compss-sim --wfcommons (%zu tasks x %u)\n%s", o.wfcommons.c_str(),
              wf->tasks.size(), o.shape.instances, out->c_str());
  return 0;
}

void print_row(const char* run, const SimResult& r, double wall_s) {
  std::printf("%-8s %12.1f %14.1f %11.3f %14.1f %7.3f %6u %5u %8u %9u %8u %6u %8.2f\n", run, r.makespan_s,
              r.node_seconds, r.utilisation, r.lower_bound_s, r.lower_bound_s > 0 ? r.makespan_s / r.lower_bound_s : 0.0,
              r.grows, r.grow_rpcs, r.grows_declined, r.withdrawn, r.releases, r.peak_nodes, wall_s);
}

void print_lines(const char* run, const SimResult& r) {
  std::printf("sim %s_makespan_s %.1f\n", run, r.makespan_s);
  std::printf("sim %s_node_seconds %.1f\n", run, r.node_seconds);
  std::printf("sim %s_utilisation %.3f\n", run, r.utilisation);
  std::printf("sim %s_grow_rpcs %u\n", run, r.grow_rpcs);
}

int simulate(const Options& o, bool elastic, const char* run, std::vector<std::pair<const char*, SimResult>>& done) {
  auto src = source_of(o);
  if (!src) {
    std::fprintf(stderr, "compss-sim: %s\n", src.error().message.c_str());
    return 2;
  }
  SimConfig cfg = o.sim;
  cfg.elastic = elastic;
  if (o.trace_elastic) {
    cfg.trace = [](double now, std::string_view line) {
      std::printf("elastic t=%.1f %.*s\n", now, static_cast<int>(line.size()), line.data());
    };
  }
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

// Checks the options against each other and fills what follows from them; an error message or "".
std::string settle(Options& o, const po::variables_map& vm) {
  auto policy = compss::scheduler::parse_placement_policy(o.policy);
  if (!policy) return policy.error().message;
  o.sim.policy = *policy;
  if (o.mode != "static" && o.mode != "elastic" && o.mode != "both") return "--mode must be static, elastic or both";
  if (o.forecast != "on" && o.forecast != "off") return "--forecast must be on or off";
  o.sim.forecast = o.forecast == "on";
  if (!o.workflow.empty() && !o.wfcommons.empty()) return "--workflow and --wfcommons exclude each other";
  if (o.print_workflow && o.wfcommons.empty()) return "--print-workflow needs --wfcommons FILE";
  const bool montage = o.workflow.empty() && o.wfcommons.empty() && o.shape.shape == "montage";
  if (vm.count("tasks") && !vm["tasks"].defaulted() && (montage || !o.wfcommons.empty())) {
    return "--tasks does not apply to the montage shape or a WfCommons trace: use --instances";
  }
  if (o.shape.instances == 0) return "--instances must be at least 1";
  if (o.shape.instances != 1 && !montage && o.wfcommons.empty()) {
    return "--instances applies to --shape montage and --wfcommons only";
  }
  if (o.sim.request_nodes == 0) return "--request-nodes must be at least 1";
  if (!(o.sim.boot_s >= 0)) return "--boot must be seconds >= 0";
  if (!(o.join_latency_s >= 0)) return "--join-latency must be seconds >= 0";
  auto queue = parse_queue_spec(o.queue, o.join_latency_s);
  if (!queue) return queue.error().message;
  o.sim.queue = std::move(queue).value();
  o.sim.seed = o.shape.seed;
  if (!vm.count("max-in-flight")) o.sim.max_in_flight = o.sim.nodes;
  if (o.sim.max_in_flight == 0) return "--max-in-flight must be at least 1 (nodes)";
  return "";
}

std::string workflow_title(const Options& o) {
  if (!o.wfcommons.empty()) return o.wfcommons + " x " + std::to_string(o.shape.instances);
  if (!o.workflow.empty()) return o.workflow;
  if (o.shape.shape == "montage") {
    return "montage x " + std::to_string(o.shape.instances) + ", seed " + std::to_string(o.shape.seed);
  }
  return o.shape.shape + ", " + std::to_string(o.shape.tasks) + " tasks, seed " + std::to_string(o.shape.seed);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  po::options_description desc("compss-sim options");
  auto add = desc.add_options();
  add("help,h", "this help");
  add("shape", po::value(&o.shape.shape)->default_value("random"),
      (std::string("generated workflow: ") + shape_names()).c_str());
  add("tasks", po::value(&o.shape.tasks)->default_value(1000), "tasks of the generated workflow (not montage)");
  add("instances", po::value(&o.shape.instances)->default_value(1),
      "independent copies of the montage shape or of the WfCommons trace");
  add("seed", po::value(&o.shape.seed)->default_value(1), "random seed of the generated workflow and the queue");
  add("width", po::value(&o.shape.width)->default_value(100), "fan: parallel tasks per block");
  add("task-cpus", po::value(&o.shape.cpus)->default_value(1), "cores per generated task");
  add("workflow", po::value(&o.workflow), "workflow file instead of a shape (see compss-sim.md)");
  add("wfcommons", po::value(&o.wfcommons), "WfCommons trace (JSON) instead of a shape");
  add("print-workflow", po::bool_switch(&o.print_workflow),
      "with --wfcommons: write the converted workflow as a workflow file and exit");
  add("nodes", po::value(&o.sim.nodes)->default_value(4), "nodes (static run); the most nodes (elastic run)");
  add("min-nodes", po::value(&o.sim.min_nodes)->default_value(1), "nodes the elastic run starts with");
  add("cores", po::value(&o.sim.cores)->default_value(32), "cores per node");
  add("join-latency", po::value(&o.join_latency_s)->default_value(30),
      "seconds: the start delay of the default queue (fixed:S)");
  add("queue", po::value(&o.queue),
      "start delay of each grow request: fixed:S, lognormal:MEAN:SIGMA or trace:FILE (default fixed:--join-latency)");
  add("boot", po::value(&o.sim.boot_s)->default_value(0), "seconds from SLURM starting a request to its nodes ready");
  add("request-nodes", po::value(&o.sim.request_nodes)->default_value(64), "the most nodes in one grow request");
  add("forecast", po::value(&o.forecast)->default_value("on"),
      "on: re-size grow decisions with a perfect start forecast; off: ask as the policy sized them");
  add("max-in-flight", po::value(&o.sim.max_in_flight), "nodes asked for and not yet joined, at most (default --nodes)");
  add("idle", po::value(&o.sim.idle_release_s)->default_value(static_cast<double>(compss::kDefaultIdleReleaseS)),
      "release a node idle this many seconds");
  add("policy", po::value(&o.policy)->default_value("critical-path"), "fifo, priority or critical-path");
  add("mode", po::value(&o.mode)->default_value("both"), "static, elastic or both");
  add("trace-elastic", po::bool_switch(&o.trace_elastic),
      "print every grow decision, its plan, declines, withdrawals, joins and releases");
  po::variables_map vm;
  try {
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
  if (std::string err = settle(o, vm); !err.empty()) {
    std::fprintf(stderr, "compss-sim: %s\n", err.c_str());
    return 2;
  }
  if (o.print_workflow) return print_workflow(o);
  std::printf("workflow: %s; %u nodes x %u cores; queue %s, boot %g s; requests of <= %u nodes; forecast %s; "
              "policy %s\n",
              workflow_title(o).c_str(), o.sim.nodes, o.sim.cores, o.sim.queue.to_string().c_str(), o.sim.boot_s,
              o.sim.request_nodes, o.forecast.c_str(), o.policy.c_str());
  std::printf("%-8s %12s %14s %11s %14s %7s %6s %5s %8s %9s %8s %6s %8s\n", "run", "makespan_s", "node_seconds",
              "utilisation", "lower_bound_s", "ratio", "grows", "rpcs", "declined", "withdrawn", "releases", "peak",
              "wall_s");
  int rc = 0;
  std::vector<std::pair<const char*, SimResult>> done;
  if (o.mode != "elastic") rc = std::max(rc, simulate(o, false, "static", done));
  if (o.mode != "static") rc = std::max(rc, simulate(o, true, "elastic", done));
  for (const auto& [run, r] : done) print_lines(run, r);
  return rc;
}
