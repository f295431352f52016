// sim.cc - the event loop of the workflow simulator (sim.h).
#include "tools/sim.h"

#include <algorithm>
#include <limits>
#include <queue>
#include <unordered_map>
#include <vector>

#include "scheduler/grow_plan.h"
#include "scheduler/scheduler.h"
#include "tools/grow_requests.h"

namespace compss::tools {
namespace {

using namespace compss::scheduler;

constexpr double kNever = std::numeric_limits<double>::infinity();
constexpr std::uint64_t kQueueSeedMix = 0x9e3779b97f4a7c15ULL;  // the queue's draws apart from the shape's

struct Event {
  double at;
  bool join;         // a grow request's nodes join; otherwise a task finishes
  std::uint32_t id;  // the task, or the grow request
  bool operator>(const Event& o) const { return at > o.at; }
};

class Simulation {
 public:
  explicit Simulation(const SimConfig& cfg)
      : cfg_(cfg),
        sched_(config_of(cfg)),
        requests_(QueueModel(cfg.queue, cfg.seed ^ kQueueSeedMix), cfg.request_nodes, cfg.boot_s) {
    // With the forecast on, SLURM's delay is the forecast's business; the policy sees only the boot.
    sched_.set_join_latency(cfg.forecast ? cfg.boot_s : cfg.queue.mean() + cfg.boot_s);
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
      sched_.set_nodes_coming(requests_.nodes_pending());
      sched_.decide_into(now, out);
      ++result_.decisions;
      const std::uint32_t released = result_.releases;
      for (const Decision& d : out) carry_out(d, now);
      if (result_.releases > released && tracing()) {
        trace(now, "released " + std::to_string(result_.releases - released) + " nodes, " +
                       std::to_string(joined_at_.size()) + " live");
      }
      if (sched_.outcome() != Outcome::kRunning) break;
      double next = events_.empty() ? kNever : events_.top().at;
      if (cfg_.elastic) next = std::min(next, now + cfg_.tick_s);
      if (next == kNever) return fail("the workflow cannot finish: ", stuck_reason());
      now = std::max(now, next);
      while (!events_.empty() && events_.top().at <= now) {
        const Event e = events_.top();
        events_.pop();
        handle(e, now);
      }
    }
    for (const auto& [node, since] : joined_at_) result_.node_seconds += result_.makespan_s - since;
    const double capacity = result_.node_seconds * cfg_.cores;
    result_.utilisation = capacity > 0 ? result_.busy_core_seconds / capacity : 0;
    result_.grow_rpcs = requests_.requests_made();
    return result_;
  }

 private:
  static SchedulerConfig config_of(const SimConfig& c) {
    SchedulerConfig s;
    s.policy = c.policy;
    s.elastic = c.elastic;
    s.min_nodes = c.elastic ? std::max<std::uint32_t>(c.min_nodes, 1) : c.nodes;
    s.max_nodes = c.nodes;
    s.max_in_flight = c.max_in_flight > 0 ? c.max_in_flight : c.nodes;
    s.idle_release_s = c.idle_release_s;
    s.join_latency_s = c.forecast ? c.boot_s : c.queue.mean() + c.boot_s;
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

  void handle(const Event& e, double now) {
    if (e.join) {
      const std::uint32_t nodes = requests_.arrived(e.id);
      for (std::uint32_t n = nodes; n > 0; --n) join(now);
      if (nodes > 0 && tracing()) {
        trace(now, "request " + std::to_string(e.id) + ": " + std::to_string(nodes) + " nodes joined, " +
                       std::to_string(joined_at_.size()) + " live");
      }
      return;
    }
    (void)sched_.task_finished(TaskId(e.id), TaskExit::ok(), now);
    result_.makespan_s = std::max(result_.makespan_s, now);
    ++result_.done;
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
      grow(*g, now);
    } else if (const auto* w = std::get_if<WithdrawGrow>(&d)) {
      const std::uint32_t n = requests_.withdraw(w->count);
      result_.withdrawn += n;
      if (tracing())
        trace(now, "withdraw " + std::to_string(w->count) + " (" + w->why + "): " + std::to_string(n) +
                     " nodes withdrawn, " + std::to_string(requests_.nodes_pending()) + " still coming");
    } else if (const auto* r = std::get_if<ReleaseNode>(&d)) {
      auto it = joined_at_.find(r->node.value());
      if (it != joined_at_.end()) {
        result_.node_seconds += now - it->second;
        joined_at_.erase(it);
      }
      ++result_.releases;
    }
  }

  // The grow decision re-sized with the forecast (when on), then asked for in requests.
  void grow(const GrowNodes& g, double now) {
    if (tracing()) trace(now, "grow " + std::to_string(g.count) + ": " + g.why);
    std::uint32_t count = g.count;
    if (cfg_.forecast) {
      const GrowPlan plan = plan_grow(g.need, g.count, [&](std::uint32_t n) -> std::optional<double> {
        return requests_.forecast(n);
      });
      if (tracing()) trace(now, "  plan " + std::to_string(plan.count) + ": " + plan.why);
      if (plan.count == 0) {
        const double until = now + plan.hold_s;
        sched_.set_grow_hold(until);
        ++result_.grows_declined;
        if (tracing()) trace(now, "  declined: no growth beyond what is required until t=" + elastic_num(until));
        return;
      }
      count = plan.count;
    }
    made_.clear();
    requests_.ask(count, now, made_);
    for (const GrowRequest& r : made_) events_.push({r.ready_at, true, r.id});
    result_.grows += count;
    if (tracing())
      trace(now, "  asked " + std::to_string(count) + " nodes in " + std::to_string(made_.size()) +
                   " requests; first ready at t=" + elastic_num(made_.front().ready_at));
  }

  bool tracing() const { return static_cast<bool>(cfg_.trace); }
  void trace(double now, const std::string& line) const {
    if (cfg_.trace) cfg_.trace(now, line);
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
  GrowRequests requests_;
  std::vector<GrowRequest> made_;  // scratch of grow()
  std::vector<double> durations_, cores_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::unordered_map<std::uint32_t, double> joined_at_;  // live nodes
  std::uint32_t named_ = 0;
  SimResult result_;
};

}  // namespace

Result<SimResult> run_simulation(const SimConfig& cfg, TaskSource& source) {
  if (cfg.nodes == 0 || cfg.cores == 0) return fail("the simulation needs at least one node of one core");
  if (cfg.request_nodes == 0) return fail("--request-nodes must be at least 1");
  if (cfg.queue.kind == QueueSpec::Kind::kTrace && cfg.queue.trace.empty()) {
    return fail("--queue trace: the trace has no start delay");
  }
  Simulation sim(cfg);
  return sim.run(source);
}

}  // namespace compss::tools
