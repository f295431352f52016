// world.h - scheduler worlds for the tests, built from short text.
//
// Tasks, either as a graph or as tasks with items, separated by ';' (or ',' in the graph form):
//
//   World w("a -> b, a -> c, b -> d, c -> d");             tasks a..d with `after` edges
//   World w("w: out x; r1: in x; r2: in x; w2: inout x");  tasks with file accesses
//   World w("big: cpus 8, prio 5; s1: cpus 1, kind small, policy cancel-successors, retries 0");
//
// Task items: in F, out F, inout F, after NAME, cpus N, gpus N, nodes N, ranks N, rpn N, prio N,
// policy retry|cancel-successors|fail|ignore, retries N, timeout S, time S (--time), group G, kind K (the task's name
// for estimates; default: its label), array A-B (one submission; labels NAME[i] for each index).
// Nodes: world_nodes.h text, default "1 x {cpus: 4}"; they join at time 0.
//
// The World drives the Scheduler like a daemon would: step() decides at `now` and returns the
// decisions as text ("start a on n1", "kill b (timeout)", "grow 2", "quarantine n2", ...); start() and
// finish() report back. Bad text throws std::invalid_argument (the test then fails loudly).
// Test-only code.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler/scheduler.h"

namespace compss::test {

class World {
 public:
  explicit World(std::string_view tasks = "", std::string_view nodes = "1 x {cpus: 4}",
                 scheduler::SchedulerConfig cfg = {});

  void add(std::string_view tasks);           // more tasks, same syntax
  TaskId id(const std::string& label) const;  // throws for an unknown label
  std::string label(TaskId t) const;
  scheduler::TaskState state(const std::string& label) const { return sched.graph().state(id(label)); }
  std::string node_of(const std::string& label) const;  // first node's name while scheduled/running
  NodeId node(const std::string& name) const;           // a live node by name

  // decide(now); decisions as text, in order. Starts are reported started at once unless told not to.
  std::vector<std::string> step(bool report_started = true);
  std::vector<std::string> started_in(const std::vector<std::string>& decisions) const;  // labels started
  void finish(const std::string& label, scheduler::TaskExit exit = scheduler::TaskExit::ok());
  // Steps, finishing every running task after each step (in id order), until nothing changes.
  // Returns the labels in the order they started.
  std::vector<std::string> run_all();

  scheduler::Scheduler sched;
  double now = 0;
  std::vector<scheduler::Decision> last;  // the decisions of the last step()

 private:
  struct Parsed {
    std::string label;
    scheduler::TaskSpec spec;
    bool array = false;
    std::int64_t first = 0, last = 0;
  };
  void submit(std::string_view text, Parsed& p);
  void add_graph(std::string_view text);
  void parse_item(std::string_view text, std::string_view item, Parsed& p) const;
  std::string describe(const scheduler::Decision& d) const;
  std::map<std::string, TaskId> ids_;
  std::vector<std::string> labels_;
};

// An elastic job of 1..4 nodes that asks for at most 4 at a time, nodes joining in 5 s and given back
// after 10 s idle, deciding at every step; tasks with no estimate count 60 s.
inline scheduler::SchedulerConfig elastic_config() {
  scheduler::SchedulerConfig c;
  c.elastic = true;
  c.min_nodes = 1;
  c.max_nodes = 4;
  c.max_in_flight = 4;
  c.join_latency_s = 5;
  c.idle_release_s = 10;
  c.elastic_period_s = 0;
  c.default_estimate_s = 60;
  return c;
}

// Whether `decisions` (as step() returns them) hold `line`.
inline bool has(const std::vector<std::string>& decisions, const std::string& line) {
  return std::find(decisions.begin(), decisions.end(), line) != decisions.end();
}

}  // namespace compss::test
