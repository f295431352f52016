// node_table.h - the daemon's one record of the job's nodes, its grow requests and what happened to them.
//
// Every fact about a node of the job lives here, once: each stay of a node in the job (a NodeLife: where it
// came from, its state, cores, when it was granted, joined, drained, given back, and why), each grow request
// (a GrowRequest with one phase), and the run's events as structured records ({t, kind, node, task, request,
// cause}). The Runtime (agents registering and leaving, tasks run), the elasticity side (requests, grants,
// releases) and the `status` reply all read and write this table; the scheduler is told what it needs
// (nodes coming, join latency) from it at each decision pass, never through callbacks.
//
//   NodeTable t;
//   NodeLife& l = t.node_registered("n1", NodeId(0), 2, 0.0);   // the job's own node: a new life, live
//   GrowRequest& q = t.add_request(1.0);                          // a grow request, phase submitting
//   t.event(1.0, EventKind::kRequested, "", q.seq, "queue has work");
//
// Lifecycle: one per run, owned by the Runtime, which outlives everything that holds a reference to it.
// Failure behaviour: lookups return nullptr for what is not there; nothing throws.
// Thread-safety: none; the daemon's event loop thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/allocation.h"
#include "common/util/ids.h"

namespace compss::daemon {

enum class NodeState : std::uint8_t {
  kStarting,   // granted, its agent not registered yet
  kLive,       // its agent registered; takes tasks
  kDraining,   // takes no new task; given back once idle
  kStopping,   // its agent was told to stop; given back when it left
  kReleasing,  // being given back to SLURM
  kReleased,   // given back to SLURM
  kLost,       // its agent is gone (the node stays in the job)
  kEnded,      // its agent stopped at the end of the run
};
const char* to_string(NodeState s);  // "starting", "live", ...
// True while the life holds the node (not released, lost or ended).
bool holds(NodeState s);

// One stay of one node in the job (a node given back and granted again has two).
struct NodeLife {
  std::string name;
  NodeId id;                      // the runtime's, once its agent registered
  std::uint32_t request = 0;      // the grow request it came from; 0: one of the job's own nodes
  std::uint32_t helper_job = 0;   // helper mode: the SLURM job holding it; 0: the job itself
  NodeState state = NodeState::kStarting;
  std::uint32_t cores = 0;        // cores its agent offers
  std::string cpus;               // SLURM's ids of the CPUs the job holds there ("1", "0-1"); "" when unknown
  double granted_at = -1, joined_at = -1, drained_at = -1, release_at = -1, left_at = -1;
  double quarantined_at = -1;     // when the scheduler quarantined it (states.md section 5); < 0: never
  std::string why;                // why it was drained / quarantined / released / lost / failed
  std::uint64_t tasks_run = 0;    // assignments sent to it
  double retry_at = 0;            // when a failed give-back may be tried again
  bool busy = false;              // a SLURM call about it is in flight
  bool shrink_due = false;        // merge mode: to leave the job with the next shrink call
};

// Quarantined and still in the run (live or draining): the scheduler gives it no new task.
bool is_quarantined(const NodeLife& l);
// The state a person reads: "quarantined" while is_quarantined(), else to_string(l.state).
const char* state_word(const NodeLife& l);

// One line for the run summary: "n3  released  2 cores (cpus 0-1)  grow request 2 (helper job 12)  granted 1.0 s
// joined 1.4 s  ...  7 task runs  (idle 30 s)".
std::string life_line(const NodeLife& l);

enum class RequestPhase : std::uint8_t {
  kSubmitting,  // being sent to SLURM
  kPending,     // SLURM has it, no node yet
  kGranted,     // SLURM granted it; merge mode: its nodes are not the job's yet (merge to do)
  kJoining,     // its nodes are the job's (or the helper's, helper mode); their agents are starting
  kJoined,      // an agent on its nodes registered
  kWithdrawn,   // cancelled before its nodes came
  kFailed,      // SLURM refused it, or its nodes never became usable
};
const char* to_string(RequestPhase p);

struct GrowRequest {
  std::uint32_t seq = 0;        // 1, 2, ... in the order asked
  RequestId id;                 // the connector's, once submitted
  RequestPhase phase = RequestPhase::kSubmitting;
  std::uint32_t nodes_asked = 1;
  bool withdraw = false;        // to be withdrawn (decided; SLURM not told yet or not confirmed)
  bool busy = false;            // a connector call about it is in flight
  double asked_at = 0, last_call = -1e300;
  double pending_since = -1;    // first seen pending in SLURM (a request granted at once never is)
  double waited_s = 0;          // pending_since -> granted: SLURM's queue wait
  double expected_wait_s = 0;   // SLURM's forecast when it was asked for (0: at once, or not asked)
  std::string pending_reason;   // SLURM's, while pending
  std::uint32_t helper_job = 0; // the helper job SLURM created for it
  std::vector<std::string> nodes;
  Allocation alloc;             // what SLURM gave it on each node (CPU ids, memory), once granted

  // Its nodes may still come and no life stands for them yet: submitting, pending, or granted but not
  // merged. The one test of "an open request"; withdrawal in progress does not close it.
  bool is_open() const;
  // Open and not being withdrawn: nodes the run can expect from it.
  bool coming() const { return is_open() && !withdraw; }
};

enum class EventKind : std::uint8_t {
  kNote,            // the run: ready, driver ended, signals, elasticity set-up
  kGrowWanted,      // the scheduler wants `count` more nodes
  kWithdrawWanted,  // the scheduler wants `count` requests withdrawn
  kDrain,           // a node takes no new task
  kUndrain,         // a draining node takes tasks again
  kReleaseWanted,   // the scheduler gives an idle drained node up
  kQuarantine,      // tasks of several names failed on a node: it takes no new task
  kTaskFailed,      // a task failed for good
  kRequested,       // a grow request was made
  kGranted,         // SLURM granted a request
  kMergeFailed,     // a granted request could not be merged yet
  kRequestFailed,   // SLURM refused a request, or its nodes never became usable
  kWithdrawing,     // a request is being withdrawn
  kWithdrawn,       // a request was withdrawn
  kJoined,          // a node's agent registered
  kNodeReady,       // a grown node is ready: the join latency sample
  kAgentFailed,     // the agent of a granted node did not start or register
  kReleasing,       // a node's agent was told to stop so that the node can be given back
  kReleased,        // nodes given back to SLURM
  kGiveBackFailed,  // giving a node back failed (tried again)
  kLost,            // a node's agent is gone
  kMismatch,        // SLURM's node list differs from this table's
  kGrowDeclined,    // SLURM's forecast says the nodes would come too late: nothing asked for
};
const char* to_string(EventKind k);  // "note", "grow-wanted", ...

struct Event {
  double t = 0;               // seconds since the run began
  EventKind kind = EventKind::kNote;
  std::string node;           // the node it is about, or ""
  std::optional<std::uint64_t> task;
  std::uint32_t request = 0;  // the grow request it is about, or 0
  std::uint32_t count = 0;    // nodes / requests, where the kind has a count
  std::string cause;          // why, or what happened, for a person
};
// The event as one sentence: "grow request 2 granted n3 after 0.41 s (helper job 12, merged into job 11)".
std::string describe(const Event& e);

class NodeTable {
 public:
  explicit NodeTable(std::size_t max_events = 200) : max_events_(max_events) {}

  // --- nodes --------------------------------------------------------------------------------------------
  // A node was granted by `request` (> 0): a new life, starting, holding SLURM CPU ids `cpus`.
  NodeLife& node_granted(const std::string& name, std::uint32_t request, std::uint32_t helper_job, double now,
                         std::string cpus = {});
  // The SLURM CPU ids the job holds on its own nodes (from slurmctld at start-up); a life opened when an
  // agent of one of them registers records them.
  void set_own_cpus(std::map<std::string, std::string> cpus) { own_cpus_ = std::move(cpus); }
  // A node's agent registered as `id`. Completes the starting life of that name if there is one (a grant:
  // its request becomes joined and request -> now is a join latency sample), else opens a new live life
  // (one of the job's own nodes, or an agent that came back by itself).
  NodeLife& node_registered(const std::string& name, NodeId id, std::uint32_t cores, double now);
  NodeLife* life_of(NodeId id);                  // the life that registered as `id` (O(1))
  const NodeLife* life_of(NodeId id) const;
  NodeLife* latest(std::string_view name);       // the latest life of that name
  const NodeLife* latest(std::string_view name) const;
  NodeLife& life(std::size_t i) { return lives_[i]; }
  std::size_t index_of(const NodeLife& l) const { return static_cast<std::size_t>(&l - lives_.data()); }
  const std::vector<NodeLife>& lives() const { return lives_; }
  // Lives that hold their node now (holds()), and of those the ones that came from grow requests.
  std::uint32_t nodes_held() const;
  // Starting lives: granted nodes whose agents have not registered.
  std::uint32_t nodes_starting() const;
  // The job's own nodes whose agent was lost and has not come back: SLURM still counts them in the job
  // (they are never released), so max-nodes counts them too.
  std::uint32_t own_nodes_lost() const;

  // --- grow requests ------------------------------------------------------------------------------------
  GrowRequest& add_request(double now);
  GrowRequest* request(std::uint32_t seq);       // by seq (1, 2, ...)
  std::vector<GrowRequest>& requests() { return requests_; }
  const std::vector<GrowRequest>& requests() const { return requests_; }
  std::uint32_t requests_open() const;           // is_open()
  std::uint32_t requests_coming() const;         // coming()
  // Nodes the run can expect: open requests not being withdrawn, granted nodes still starting, and nodes
  // of a grow decision whose forecast is being asked for (no request exists yet).
  std::uint32_t nodes_coming() const { return requests_coming() + nodes_starting() + nodes_planned_; }
  void set_nodes_planned(std::uint32_t n) { nodes_planned_ = n; }
  // SLURM said more nodes would come too late to pay off: the policy grows no further before this time.
  void set_grow_hold(double until) { grow_hold_until_ = until; }
  double grow_hold_until() const { return grow_hold_until_; }

  // --- join latency -------------------------------------------------------------------------------------
  // A grown node became ready this long after its request, the time SLURM kept the request pending not
  // counted (the forecast accounts for that): what a request SLURM starts at once costs.
  void join_sample(double seconds);
  double join_latency_s() const { return join_avg_; }  // moving average; < 0 before the first sample
  const std::vector<double>& join_samples() const { return join_samples_; }

  // --- events -------------------------------------------------------------------------------------------
  // Records an event: kept for `status` (the last max_events) and, but for task failures, in full for the
  // summary; returns it so the caller can log describe(e).
  const Event& event(Event e);
  const Event& event(double t, EventKind kind, std::string node, std::string cause);
  const std::deque<Event>& recent() const { return recent_; }
  const std::vector<Event>& history() const { return history_; }

 private:
  std::vector<NodeLife> lives_;
  std::map<std::string, std::string> own_cpus_;
  std::vector<std::uint32_t> by_id_;  // NodeId value -> index in lives_
  std::vector<GrowRequest> requests_;
  std::uint32_t nodes_planned_ = 0;
  double grow_hold_until_ = -1;
  std::deque<Event> recent_;
  std::vector<Event> history_;
  std::size_t max_events_;
  std::vector<double> join_samples_;
  double join_avg_ = -1;
};

}  // namespace compss::daemon
