// scheduler.h - the Scheduler facade: events in, decisions out. The brain of compssd, in pure C++.
//
// It owns the task graph, the resource pool, the ready queue, the running attempts and the elasticity
// policy. The daemon tells it what happened (submissions, nodes joining or lost, tasks started or
// finished, cancel requests), passing the current time in seconds since the run started, and calls
// decide(now) to get what to do (start, kill, grow, drain, release, quarantine); it carries the decisions
// out and reports back. States and failure semantics: doc/spec/states.md.
//
//   Scheduler s(SchedulerConfig{});
//   s.node_joined(desc, 0);
//   TaskId t = *s.submit(spec);
//   for (auto& d : s.decide(0)) ...                      // StartTask{t, placement}
//   s.task_started(t, 0.1); s.task_finished(t, TaskExit::ok(), 5.0);
//
// Lifecycle: construct with a config; events and decide() in any order with non-decreasing `now`.
// Failure behaviour: events that make no sense (unknown task, illegal transition, unknown node) return
// an error and change nothing. Nothing throws.
// Cost: submit + decide + start + finish of a one-core task is O(log ready) (see tools/compss-bench).
// Thread-safety: none; the daemon calls it from one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/util/ids.h"
#include "common/util/result.h"
#include "common/util/runtime_options.h"
#include "scheduler/backfill.h"
#include "scheduler/decision.h"
#include "scheduler/elastic.h"
#include "scheduler/estimates.h"
#include "scheduler/explain.h"
#include "scheduler/graph.h"
#include "scheduler/ready_queue.h"
#include "scheduler/resources.h"
#include "scheduler/run_table.h"

namespace compss::scheduler {

// A node on which tasks of this many different names failed (task error, out of memory, timeout), with
// no task succeeding there in between, is quarantined for the rest of the run (doc/spec/states.md,
// section 5). Fixed: one failing name is the task's problem, two may be chance, three on one node that
// runs nothing well is the node's.
inline constexpr std::uint32_t kQuarantineAfterNames = 3;

struct SchedulerConfig {
  PlacementPolicy policy = PlacementPolicy::kFifo;
  std::uint32_t default_retries = 1;  // for tasks that do not set retries
  bool elastic = false;               // consult the ElasticPolicy (grow / drain / release)
  std::uint32_t min_nodes = 1, max_nodes = 1;
  std::uint32_t max_in_flight = 1;        // nodes asked for and not yet joined, at most
  double idle_release_s = kDefaultIdleReleaseS;  // drain and release a node idle this long
  double join_latency_s = 30;             // until the daemon measures one (set_join_latency)
  double elastic_period_s = 2;            // the ElasticPolicy is consulted at most this often
  std::uint32_t new_node_cores = 0;       // the cores a granted node brings; 0: as most live nodes have
  double default_estimate_s = 60;         // duration of a task no task of its name has finished, no timeout
  double reservation_after_s = 60;        // a blocked head task gets a reservation after waiting this long
  std::uint32_t backfill_window = 256;    // ready tasks tried per decide() beyond those that start
  std::uint32_t crash_limit = 5;  // re-runs of one task after the nodes it ran on were lost; then it fails
  double job_end_margin_s = 10;   // a task with a declared length must end this long before the job does
  bool grown_nodes_join_job = true;  // merge mode; false in helper mode (ElasticInput::grown_nodes_join_job)
};

enum class Outcome : std::uint8_t { kRunning, kSuccess, kFailure };
const char* to_string(Outcome o);

// The state of a set of tasks, for `compss wait`.
struct WaitStatus {
  bool all_final = true;
  std::uint64_t total = 0, done = 0, failed = 0, ignored = 0, cancelled = 0;
  bool succeeded() const { return all_final && failed == ignored && cancelled == 0; }
};

class Scheduler {
 public:
  explicit Scheduler(SchedulerConfig cfg = {});

  // --- work -------------------------------------------------------------------------------------------
  // Adds a task; rejected (nothing added) when invalid or when no node shape could ever hold it.
  Result<TaskId> submit(const TaskSpec& spec);
  // Tasks for indices first, first+step, ..., <= last, one stored spec (graph.h).
  Result<TaskRange> submit_array(const TaskSpec& spec, std::int64_t first, std::int64_t last, std::int64_t step = 1);
  // Cancels a task and, transitively, its successors. A running one gets a Kill decision and stays
  // running until its exit is reported. Error for an unknown or already final task.
  Status cancel(TaskId t);
  Status cancel_group(GroupId g);  // every unfinished member; error for an unknown group
  // A resumed run's journal shows `t` done already (doc/spec/journal.md): it becomes done without
  // running (event `cached`, flag TaskGraph::kCached) and its successors are released. Only a ready task
  // may be cached (its predecessors are done); anything else is an error and changes nothing.
  Status complete_cached(TaskId t);
  // A restarted daemon's journal has `t` failed for good (doc/spec/journal.md, section 6): the ready task
  // becomes failed without running (event `failed`, cause task-error). Under `ignore` its successors are
  // released at once, as when it failed; the other policies' effects (cancelled successors, the run
  // failed or stopped) wait for settle_restored_failures(), called once every task the journal had done
  // is restored, so that none of those is cancelled first. Error, changing nothing, unless `t` is ready.
  Status restore_failed(TaskId t);
  void settle_restored_failures();
  // A restarted daemon found `t` still running where an agent reports it (doc/spec/journal.md, section
  // 6): the ready task becomes running on `where` (one node's cores and GPUs, as the agent bound them)
  // without a StartTask decision, its attempt counted as started at `now`. No cores: it ended there
  // already (its finish follows) and takes nothing. An error, changing nothing, when `t` is not ready,
  // the node is not live, or any of the slot's ids is unknown there or in use.
  Status adopt(TaskId t, const NodeSlot& where, double now);

  // --- nodes ------------------------------------------------------------------------------------------
  // `releasable`: the elasticity policy may give it back (it came whole from a grow request); the
  // first node to join is never released either way.
  NodeId node_joined(NodeDesc desc, double now, bool releasable = true);
  // Its attempts are requeued without spending retries. Error for an unknown or already gone node.
  Status node_lost(NodeId node, double now);
  Status drain(NodeId node, bool draining = true);  // by hand (compss resize -N) or by the daemon
  void set_join_latency(double seconds) { join_latency_s_ = seconds; }
  // Nodes asked for and not yet joined. Whoever owns the grow requests (compssd's node table) sets it
  // before each decide(); between settings the scheduler counts its own grow and withdraw decisions and
  // the nodes that join, so a caller that keeps no requests (the simulator) may leave it alone.
  void set_nodes_coming(std::uint32_t n) { nodes_coming_ = n; }
  // SLURM said more nodes would come too late to pay off: no growth beyond what is required before
  // `until` (seconds, the clock of decide()).
  void set_grow_hold(double until) { grow_hold_until_ = until; }
  // Nodes the job holds that the scheduler cannot use (an own node whose agent was lost): counted against
  // max-nodes, since SLURM still counts them in the job.
  void set_nodes_held_unusable(std::uint32_t n) { nodes_unusable_ = n; }

  // --- the job's end (scheduler_job_end.cc) -----------------------------------------------------------
  // When the job ends (its time limit), in the run's seconds; nullopt: not known or no limit. A task that
  // declares how long it may run (declared_run_s) starts only if it would end job_end_margin_s before
  // that; otherwise it stays ready but held (flag TaskGraph::kHeld, explain reason job-time-limit), out of
  // the ready queue and of the work the elasticity policy sees. Tasks that declare nothing start as before:
  // their length is not known. An end moved later (scontrol update of the time limit) or cleared puts the
  // held tasks back in the queue; the next decide() looks at them again.
  void set_job_end(std::optional<double> end);
  const std::optional<double>& job_end() const { return job_end_; }
  std::uint64_t held_count() const { return held_count_; }
  TaskId last_held() const { return held_.empty() ? TaskId() : held_.back(); }  // the task held most recently
  // The longest a run of `t` may take as its submitter declared it: the smaller of its timeout and its
  // time limit (--timeout, --time) where set; 0: nothing declared.
  double declared_run_s(TaskId t) const;

  // --- reports from the daemon --------------------------------------------------------------------
  Status task_started(TaskId t, double now);
  Status task_finished(TaskId t, TaskExit exit, double now);

  // --- decisions ----------------------------------------------------------------------------------
  // Kills and quarantines since the last call, kills for timeouts at `now`, starts, then elasticity.
  std::vector<Decision> decide(double now);
  void decide_into(double now, std::vector<Decision>& out);  // appends; lets a loop reuse its vector

  // --- recording ----------------------------------------------------------------------------------
  // Every state change from now on is appended to `log` (null: none); TaskGraph::set_change_log().
  void record_changes(std::vector<StateChange>* log) { graph_.set_change_log(log); }

  // --- queries ------------------------------------------------------------------------------------
  Result<Explanation> explain(TaskId t) const;
  std::uint64_t cached_count() const { return cached_; }  // tasks done by complete_cached()
  Outcome outcome() const;
  bool stopped() const { return stopped_; }
  std::uint64_t count(TaskState s) const { return graph_.count(s); }
  WaitStatus wait_status(std::span<const TaskId> tasks) const;
  WaitStatus group_status(GroupId g) const;
  GroupId find_group(std::string_view name) const { return graph_.find_group(name); }
  const Placement* placement(TaskId t) const;  // while scheduled or running
  // Where a placement puts a task, exactly: "n1 (cores 0,1)", "n1 (cores 2, GPUs 1)", and per rank for
  // several: "n1 (ranks 0-1: cores 0 | 1), n2 (ranks 2-3: cores 0 | 1)" (scheduler_explain.cc).
  std::string binding_text(const Placement& p) const;
  double estimate(TaskId t) const { return estimates_.of(graph_.name_id(t)); }
  const std::optional<Reservation>& reservation() const { return reservation_; }
  const TaskGraph& graph() const { return graph_; }
  const ResourcePool& pool() const { return pool_; }
  const SchedulerConfig& config() const { return cfg_; }
  std::uint32_t nodes_coming() const { return nodes_coming_; }
  std::size_t memory_bytes() const;  // the containers' capacity: graph, queue, per-task arrays

 private:
  struct NodeBook {
    double joined_at = 0;
    double idle_since = 0;
    bool releasable = true;
    std::uint32_t attempts = 0;               // slots of running attempts on it
    std::vector<std::uint32_t> failed_names;  // distinct task names that failed here since the last success
    bool quarantined = false;
  };
  struct RetryInfo {
    NodeId home;  // where it failed first
    bool elsewhere = false;
  };
  struct Timeout {
    double deadline;
    std::uint32_t task;
    double started;
    bool operator>(const Timeout& o) const { return deadline > o.deadline; }
  };

  // scheduler.cc
  Status check_fits(const ResourceRequest& req);
  void grow_per_task();
  void on_submitted(TaskId t);
  void on_ready(TaskId t);
  void on_unready(TaskId t);
  NodeBook& book(NodeId n);
  // scheduler_run.cc
  void occupy(TaskId t, const Placement& p, double now);
  NodeId vacate(TaskId t, double now);
  void finish_killed(TaskId t, NodeId node, double now);
  void release_successors(TaskId t);
  void fail_attempt(TaskId t, FailureCause cause, NodeId node, double now);
  void fail_final(TaskId t, FailureCause cause);
  void fail_for_good(TaskId t, FailureCause cause);
  void apply_failure_policy(TaskId t);
  void forget_retry(TaskId t);
  void cancel_task(TaskId t, FailureCause cause);
  void request_kill(TaskId t, KillReason reason, FailureCause cause);
  void cancel_successors(TaskId t);
  void stop_run();
  void note_node_failure(NodeId node, TaskId t);
  void quarantine(NodeId node);
  // scheduler_place.cc
  void check_timeouts(double now);
  void refresh_priorities();
  void place_ready(double now, std::vector<Decision>& out);
  enum class Fit : std::uint8_t { kPlaced, kNoRoom, kNoRoomConstrained };
  Fit try_place(TaskId t, double now, Placement& p);
  bool held_back_by_reservation(TaskId t, double now) const;
  void update_reservation(double now);
  std::vector<NodeLoad> node_loads(double now) const;
  std::uint64_t key_of(TaskId t) const;
  bool stranded(const ResourceRequest& req) const;
  // scheduler_elastic.cc
  void run_elastic(double now, std::vector<Decision>& out);
  ElasticInput elastic_input(double now) const;
  struct WorkGuess {
    std::unordered_map<std::uint32_t, double> ran_for;  // name -> longest run so far, names not yet known
  };
  WorkGuess work_guess(double now) const;
  double guess(const WorkGuess& g, TaskId t) const;  // the duration the elasticity input assumes
  double ready_work_core_s(const WorkGuess& g) const;
  double unlocked_work_core_s(const WorkGuess& g) const;
  // scheduler_job_end.cc
  bool ends_too_late(TaskId t, double now) const;
  void hold(TaskId t);
  // scheduler_explain.cc
  void explain_ready(TaskId t, Explanation& e) const;
  void explain_no_room(TaskId t, Explanation& e) const;
  void explain_quarantine(const ResourceRequest& req, Explanation& e) const;

  SchedulerConfig cfg_;
  TaskGraph graph_;
  ResourcePool pool_;
  ReadyQueue ready_;
  Estimates estimates_;
  RunTable running_;
  ElasticPolicy elastic_;

  std::vector<std::uint32_t> slot_of_;          // per task: its RunTable slot while scheduled/running
  std::vector<float> bottom_level_;             // per task: remaining critical path, seconds
  std::vector<std::uint32_t> ready_per_shape_;  // per request shape: ready tasks
  std::uint32_t live_shapes_ = 0;               // shapes with ready tasks
  std::uint64_t ready_cores_ = 0;
  std::unordered_map<std::uint32_t, RetryInfo> retry_;
  std::vector<Timeout> timeouts_;  // min-heap by deadline
  std::vector<NodeBook> nodes_;
  std::vector<Decision> pending_;  // kills and quarantines for the next decide()
  std::vector<TaskId> released_;   // scratch of release_successors()
  Placement scratch_;
  ResourceRequest checked_;  // the last request check_fits() accepted
  std::uint64_t checked_version_ = 0;
  bool checked_valid_ = false;

  std::optional<Reservation> reservation_;
  TaskId blocked_head_;
  double blocked_since_ = 0;

  std::size_t cp_computed_upto_ = 0;   // graph size at the last bottom-level pass
  bool cp_dirty_ = false;              // tasks were added since
  bool cp_estimates_changed_ = false;  // an estimate moved enough to redo the pass now

  bool stopped_ = false;
  bool run_failed_ = false;
  std::uint64_t cached_ = 0;
  std::vector<TaskId> restored_failed_;  // restore_failed() tasks whose policy's effect is still to come
  NodeId first_node_;
  std::uint32_t nodes_coming_ = 0;
  double grow_hold_until_ = -1;
  std::uint32_t nodes_unusable_ = 0;
  std::vector<std::uint8_t> lost_runs_;  // per task: runs ended by a lost node (crash_limit)
  std::optional<double> job_end_;
  std::vector<TaskId> held_;       // tasks held for the job's end (stale entries dropped on release)
  std::uint64_t held_count_ = 0;   // tasks with kHeld set
  double join_latency_s_;
  double last_elastic_at_ = -1e300;
  double last_now_ = 0;                       // the `now` of the last decide(), for explain()
  std::vector<std::uint32_t> failed_shapes_;  // scratch of place_ready()
  std::vector<std::uint64_t> skipped_;        // scratch of place_ready()
};

}  // namespace compss::scheduler
