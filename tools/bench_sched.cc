// bench_sched.cc - compss-bench part "sched": the pure scheduler's full task lifecycle (submit,
// resolve dependencies, place, start, finish, release successors) for chains, fan-out/fan-in blocks
// and random DAGs of 10^4..10^6 tasks on 1, 64 and 1024 simulated nodes of 32 cores.
//
// Memory per task is the heap growth while the graph is submitted (glibc mallinfo2: in-use bytes of
// the main arena plus mmapped blocks, so vector capacity counts), divided by the task count; the
// scheduler's own count of its containers (Scheduler::memory_bytes) is printed beside it.
// Baseline, in the same run: inserting the same tasks (output path -> 40-character command) into a
// std::unordered_map<std::string, std::string>, the plainest way to hold them.
#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <unordered_map>

#include "scheduler/scheduler.h"
#include "tools/bench.h"
#include "tools/workflow.h"

namespace compss::tools {
namespace {

using namespace compss::scheduler;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kCoresPerNode = 32;

std::size_t heap_bytes() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// CPU time of this thread: the benchmark is single-threaded, and the machines it runs on are often
// shared (a parallel build beside it), so rates are per CPU-second; wall-clock rates are shown too.
double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Figures {
  double submit_per_s = 0;
  double lifecycles_per_s = 0;
  double wall_lifecycles_per_s = 0;
  double heap_bytes_per_task = 0;
  double own_bytes_per_task = 0;
  bool ok = false;
};

NodeDesc node(std::uint32_t i) {
  NodeDesc d;
  d.name = "n" + std::to_string(i + 1);
  for (std::uint32_t c = 0; c < kCoresPerNode; ++c) d.cores.push_back(c);
  return d;
}

// Submits the whole graph, then runs it: decide, report every start, finish every running task, repeat.
Figures run_once(const std::string& shape, std::uint64_t tasks, std::uint32_t nodes) {
  Figures f;
  ShapeOptions so;
  so.shape = shape;
  so.tasks = tasks;
  auto src = make_shape(so);
  if (!src) {
    std::fprintf(stderr, "sched: %s\n", src.error().message.c_str());
    return f;
  }
  Scheduler s;
  for (std::uint32_t i = 0; i < nodes; ++i) s.node_joined(node(i), 0);
  TaskSpec spec;
  double duration;
  const std::size_t heap0 = heap_bytes();
  const auto t0 = Clock::now();
  const double c0 = cpu_seconds();
  std::uint64_t n = 0;
  while ((*src)->next(spec, duration)) {
    if (!s.submit(spec)) return f;
    ++n;
  }
  const double submit_s = cpu_seconds() - c0;
  f.heap_bytes_per_task = static_cast<double>(heap_bytes() - heap0) / static_cast<double>(n);
  f.own_bytes_per_task = static_cast<double>(s.memory_bytes()) / static_cast<double>(n);

  std::vector<Decision> out;
  std::vector<TaskId> running;
  double now = 0;
  while (true) {
    out.clear();
    s.decide_into(now, out);
    for (const Decision& d : out) {
      if (const auto* st = std::get_if<StartTask>(&d)) {
        (void)s.task_started(st->task, now);
        running.push_back(st->task);
      }
    }
    if (running.empty()) break;
    now += 1;
    for (TaskId t : running) (void)s.task_finished(t, TaskExit::ok(), now);
    running.clear();
  }
  const double total_s = cpu_seconds() - c0;
  f.wall_lifecycles_per_s = static_cast<double>(n) / seconds_since(t0);
  f.ok = s.count(TaskState::kDone) == n && s.outcome() == Outcome::kSuccess;
  if (!f.ok) std::fprintf(stderr, "sched: %s run did not finish every task\n", shape.c_str());
  f.submit_per_s = static_cast<double>(n) / submit_s;
  f.lifecycles_per_s = static_cast<double>(n) / total_s;
  return f;
}

struct Baseline {
  double inserts_per_s = 0;
  double bytes_per_task = 0;
};

Baseline map_baseline(std::uint64_t tasks) {
  ShapeOptions so;
  so.shape = "random";
  so.tasks = tasks;
  auto src = make_shape(so);
  TaskSpec spec;
  double duration;
  Baseline b;
  const std::size_t heap0 = heap_bytes();
  {
    std::unordered_map<std::string, std::string> map;
    const double c0 = cpu_seconds();
    while ((*src)->next(spec, duration)) map.emplace(spec.accesses[1].path, spec.command);
    b.inserts_per_s = static_cast<double>(tasks) / (cpu_seconds() - c0);
    b.bytes_per_task = static_cast<double>(heap_bytes() - heap0) / static_cast<double>(tasks);
  }
  return b;
}

}  // namespace

int bench_sched(const BenchOptions& opt) {
  std::vector<std::uint64_t> sizes =
      opt.quick ? std::vector<std::uint64_t>{10000, 100000} : std::vector<std::uint64_t>{10000, 100000, 1000000};
  std::vector<std::uint32_t> node_counts = {1, 64, 1024};
  std::vector<std::string> shapes = {"chain", "fan", "random"};
  // `-- SHAPE NODES TASKS` runs one configuration (for profiling).
  if (opt.args.size() == 3) {
    shapes = {opt.args[0]};
    node_counts = {static_cast<std::uint32_t>(std::stoul(opt.args[1]))};
    sizes = {std::stoull(opt.args[2])};
  }
  const std::uint64_t top = sizes.back();

  std::printf("rates per CPU-second of the benchmark thread; 'wall' per elapsed second\n");
  std::printf("%-7s %6s %9s %12s %14s %14s %12s %11s\n", "shape", "nodes", "tasks", "submit/s", "lifecycles/s",
              "wall lc/s", "heap B/task", "own B/task");
  double worst_rate = 1e300, worst_bytes = 0;
  bool ok = true;
  for (const std::string& shape : shapes) {
    for (std::uint32_t nodes : node_counts) {
      for (std::uint64_t n : sizes) {
        Figures f = run_once(shape, n, nodes);
        ok = ok && f.ok;
        std::printf("%-7s %6u %9llu %12.0f %14.0f %14.0f %12.1f %11.1f\n", shape.c_str(), nodes,
                    static_cast<unsigned long long>(n), f.submit_per_s, f.lifecycles_per_s, f.wall_lifecycles_per_s,
                    f.heap_bytes_per_task, f.own_bytes_per_task);
        std::fflush(stdout);
        if (n == top && nodes == node_counts.back()) {
          worst_rate = std::min(worst_rate, f.lifecycles_per_s);
          worst_bytes = std::max(worst_bytes, f.heap_bytes_per_task);
          report("sched_tasks_per_s_" + shape, f.lifecycles_per_s, "tasks/s");
          report("sched_bytes_per_task_" + shape, f.heap_bytes_per_task, "bytes");
        }
      }
    }
  }
  if (opt.args.size() == 3) return ok ? 0 : 1;  // one configuration: no headline
  const Baseline b = map_baseline(top);
  std::printf("(headline: %llu tasks, %u nodes, the slowest and the largest of the shapes)\n",
              static_cast<unsigned long long>(top), node_counts.back());
  report("sched_tasks_per_s", worst_rate, "tasks/s");
  report("sched_bytes_per_task", worst_bytes, "bytes");
  report("sched_baseline_map_insert_per_s", b.inserts_per_s, "inserts/s");
  report("sched_baseline_map_bytes_per_task", b.bytes_per_task, "bytes");
  return ok ? 0 : 1;
}

}  // namespace compss::tools
