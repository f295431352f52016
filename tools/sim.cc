// sim.cc - the event loop of the workflow simulator (sim.h).
#include "tools/sim.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <queue>
#include <unordered_map>
#include <vector>

#include "scheduler/scheduler.h"

namespace compss::tools {
namespace {

using namespace compss::scheduler;

constexpr double kNever = std::numeric_limits<double>::infinity();

struct Event {
  double at;
  bool join;         // a node joins; otherwise a task finishes
  std::uint32_t id;  // the task, or the join's serial
  bool operator>(const Event& o) const { return at > o.at; }
};

class Simulation {
 public:
  explicit Simulation(const SimConfig& cfg) : cfg_(cfg), sched_(config_of(cfg)) {
    sched_.set_join_latency(cfg.join_latency_s);
  }

  Result<SimResult> run(TaskSource& source) {
    if (Status s = submit_all(source); !s) return s.error();
    const std::uint32_t initial = cfg_.elastic ? std::max<std::uint32_t>(cfg_.min_nodes, 1) : cfg_.nodes;
    for (std::uint32_t i = 0; i < initial; ++i) join(0);
    bounds();
    double now = 0;
    std::vector<Decision> out;
    while (true) {
      out.clear();
      sched_.decide_into(now, out);
      ++result_.decisions;
      for (const Decision& d : out) carry_out(d, now);
      if (sched_.outcome() != Outcome::kRunning) break;
      double next = events_.empty() ? kNever : events_.top().at;
      if (cfg_.elastic) next = std::min(next, now + cfg_.tick_s);
      if (next == kNever) return fail("the workflow cannot finish: ", stuck_reason());
      now = std::max(now, next);
      while (!events_.empty() && events_.top().at <= now) {
        const Event e = events_.top();
        events_.pop();
        if (e.join) {
          auto pending = std::find(pending_joins_.begin(), pending_joins_.end(), e.id);
          if (pending != pending_joins_.end()) pending_joins_.erase(pending);
          if (!cancelled_joins_.erase(e.id)) join(now);
        } else {
          (void)sched_.task_finished(TaskId(e.id), TaskExit::ok(), now);
          result_.makespan_s = std::max(result_.makespan_s, now);
          ++result_.done;
        }
      }
    }
    for (const auto& [node, since] : joined_at_) result_.node_seconds += result_.makespan_s - since;
    const double capacity = result_.node_seconds * cfg_.cores;
    result_.utilisation = capacity > 0 ? result_.busy_core_seconds / capacity : 0;
    return result_;
  }

 private:
  static SchedulerConfig config_of(const SimConfig& c) {
    SchedulerConfig s;
    s.policy = c.policy;
    s.elastic = c.elastic;
    s.min_nodes = c.elastic ? std::max<std::uint32_t>(c.min_nodes, 1) : c.nodes;
    s.max_nodes = c.nodes;
    s.max_in_flight = c.max_in_flight;
    s.idle_release_s = c.idle_release_s;
    s.join_latency_s = c.join_latency_s;
    s.elastic_period_s = c.tick_s;
    return s;
  }

  Status submit_all(TaskSource& source) {
    TaskSpec spec;
    double duration = 0;
    while (source.next(spec, duration)) {
      Result<TaskId> t = sched_.submit(spec);
      if (!t) return fail("task ", std::to_string(durations_.size()), ": ", t.error().message);
      durations_.push_back(duration);
      cores_.push_back(static_cast<double>(cores_of(spec.request)));
    }
    result_.tasks = durations_.size();
    return ok_status();
  }

  // Critical path by durations (edges go from smaller to larger ids) and total work.
  void bounds() {
    const TaskGraph& g = sched_.graph();
    std::vector<double> longest(durations_.size(), 0);
    for (std::size_t i = durations_.size(); i-- > 0;) {
      double tail = 0;
      g.for_each_successor(TaskId(static_cast<std::uint32_t>(i)),
                           [&](TaskId s) { tail = std::max(tail, longest[s.value()]); });
      longest[i] = durations_[i] + tail;
      result_.critical_path_s = std::max(result_.critical_path_s, longest[i]);
      result_.total_work_core_s += durations_[i] * cores_[i];
    }
    const double cores = static_cast<double>(cfg_.nodes) * cfg_.cores;
    result_.lower_bound_s = std::max(result_.critical_path_s, result_.total_work_core_s / cores);
  }

  void join(double now) {
    NodeDesc d;
    d.name = "n" + std::to_string(++named_);
    for (std::uint32_t c = 0; c < cfg_.cores; ++c) d.cores.push_back(c);
    const NodeId n = sched_.node_joined(std::move(d), now);
    joined_at_[n.value()] = now;
    result_.peak_nodes = std::max<std::uint32_t>(result_.peak_nodes, static_cast<std::uint32_t>(joined_at_.size()));
  }

  void carry_out(const Decision& d, double now) {
    if (const auto* s = std::get_if<StartTask>(&d)) {
      (void)sched_.task_started(s->task, now);
      const double dur = durations_[s->task.value()];
      events_.push({now + dur, false, s->task.value()});
      result_.busy_core_seconds += dur * cores_[s->task.value()];
    } else if (const auto* k = std::get_if<KillTask>(&d)) {
      events_.push({now, false, k->task.value()});
    } else if (const auto* g = std::get_if<GrowNodes>(&d)) {
      for (std::uint32_t i = 0; i < g->count; ++i) {
        pending_joins_.push_back(next_join_);
        events_.push({now + cfg_.join_latency_s, true, next_join_++});
      }
      result_.grows += g->count;
    } else if (const auto* w = std::get_if<WithdrawGrow>(&d)) {
      for (std::uint32_t i = 0; i < w->count && !pending_joins_.empty(); ++i) {
        cancelled_joins_[pending_joins_.back()] = true;
        pending_joins_.pop_back();
      }
    } else if (const auto* r = std::get_if<ReleaseNode>(&d)) {
      auto it = joined_at_.find(r->node.value());
      if (it != joined_at_.end()) {
        result_.node_seconds += now - it->second;
        joined_at_.erase(it);
      }
      ++result_.releases;
    }
  }

  std::string stuck_reason() const {
    for (std::uint32_t i = 0; i < sched_.graph().size(); ++i) {
      if (sched_.graph().state(TaskId(i)) == TaskState::kReady) {
        auto e = sched_.explain(TaskId(i));
        if (e) return e->to_string();
      }
    }
    return "no task can run";
  }

  SimConfig cfg_;
  Scheduler sched_;
  std::vector<double> durations_, cores_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::unordered_map<std::uint32_t, double> joined_at_;  // live nodes
  std::vector<std::uint32_t> pending_joins_;
  std::unordered_map<std::uint32_t, bool> cancelled_joins_;
  std::uint32_t next_join_ = 0, named_ = 0;
  SimResult result_;
};

}  // namespace

Result<SimResult> run_simulation(const SimConfig& cfg, TaskSource& source) {
  if (cfg.nodes == 0 || cfg.cores == 0) return fail("the simulation needs at least one node of one core");
  Simulation sim(cfg);
  return sim.run(source);
}

}  // namespace compss::tools
