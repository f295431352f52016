// elastic.h - compssd's elasticity: carries the scheduler's grow / withdraw / drain / release decisions out
// through the connector, starts agents on the nodes that come, and keeps each node's life for the summary
// and `compss nodes`.
//
//   Elastic e(connector, worker, cfg, hooks);       // cfg: the job, the mode chosen at start-up and why
//   runtime_cfg.on_elastic = [&](const Decision& d) { e.on_decision(d, now()); };
//   on agent register / agent gone:   e.node_joined(name, id, now) / e.node_left(name, end_of_run, now)
//   every tick:                       e.tick(now)     (polls pending requests about once a second)
//   at the end:                       e.shutdown(now) (withdraws what is pending, ends helper jobs)
//
// Grow: GrowNodes{k} makes k requests of one node each (request_nodes, then an immediate poll, then in
// merge mode the merge, all in one worker job so a quick grant costs one loop round trip). A granted node
// gets an agent (hooks.start_agent); when it registers, request -> registered is a join latency sample and
// the moving average goes to the scheduler (hooks.set_join_latency). A request pending longer than
// pending_limit_s is withdrawn and the scheduler told (hooks.grow_failed); WithdrawGrow withdraws the newest
// pending requests (the scheduler counted them already). Shrink: ReleaseNode stops the node's agent
// (hooks.stop_agent), waits for its connection to close (at most stop_wait_s), then shrinks the job
// (merge) or, once every node of a helper job is back, ends that helper (helper mode). The batch host is
// never given back. After every merge and shrink the job's node list, as slurmctld reports it, is compared
// with the nodes this daemon believes the job has; a difference is logged and reported as an event.
//
// Lifecycle: construct once the connector has probed the cluster; feed it from the event loop; shutdown()
// queues the last calls, then the owner stops the worker. It must outlive the worker's continuations.
// Failure behaviour: a failed SLURM call (after the connector's own retries) is logged and reported as an
// event; the step is tried again on a later tick (polls, merges, shrinks, withdrawals) or given up and the
// scheduler told (a failed request). Nothing here ends the run.
// Thread-safety: none; everything on the event loop's thread. Connector calls happen on the worker.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/util/ids.h"
#include "common/util/result.h"
#include "connector/connector.h"
#include "daemon/elastic_worker.h"
#include "scheduler/decision.h"

namespace compss::daemon {

struct ElasticConfig {
  connector::SlurmJobId job;
  connector::GrowMode mode = connector::GrowMode::kMerge;
  std::string mode_reason;                 // why this mode, in words
  std::vector<std::string> initial_nodes;  // the job's nodes at start-up
  std::string batch_host;                  // never released
  std::uint32_t min_nodes = 1, max_nodes = 1;
  double idle_release_s = 60;
  double poll_interval_s = 1;              // a pending request is polled this often
  double pending_limit_s = 60;             // then withdrawn
  double join_limit_s = 60;                // granted -> agent registered, else the node is given back
  double stop_wait_s = 10;                 // agent told to stop -> its connection closed
  double retry_after_s = 5;                // a failed shrink / withdraw / release is tried again after this
  double check_every_s = 60;               // the job's node list is compared with the books this often
  connector::RequestOptions request_options;
};

struct ElasticHooks {
  std::function<double()> now;                                      // seconds since the run began
  std::function<void(double now, const std::string& text)> event;   // `compss status` events and the log
  std::function<void(double seconds)> set_join_latency;
  std::function<void(std::uint32_t count)> grow_failed;
  // Sends `stop` to the node's agent and forgets the node; false when it has no agent.
  std::function<bool(NodeId node, const std::string& why, double now)> stop_agent;
  // Starts an agent on `node`: inside the job (merge) or inside helper job `helper` (helper mode).
  std::function<Status(const std::string& node, std::optional<connector::SlurmJobId> helper)> start_agent;
};

// One stay of one node in the job (a node given back and granted again has two).
struct NodeLife {
  enum class State { kStarting, kLive, kDraining, kStopping, kReleasing, kReleased, kLost, kFailed };
  std::string name;
  NodeId id;                       // the runtime's, once its agent registered
  std::uint32_t request = 0;       // the grow request it came from; 0: the job's own node
  connector::SlurmJobId helper;    // helper mode: the helper job holding it
  State state = State::kStarting;
  double granted_at = -1, joined_at = -1, drained_at = -1, release_at = -1, released_at = -1;
  std::string why;                 // why it was drained / released / failed
};
const char* to_string(NodeLife::State s);  // "starting", "live", ...

struct ElasticCounts {
  std::uint32_t requests = 0, granted = 0, withdrawn = 0, failed = 0, released = 0;
  double join_latency_avg_s = -1;  // moving average; < 0 until a node joined
  std::vector<double> join_latencies_s;
  // Requests granted at once: the connector's calls from request to grant (and merge), without the
  // daemon's policy, agent start or registration: the bare SLURM round trip of the same growth.
  std::vector<double> bare_grow_s;
};

class Elastic {
 public:
  Elastic(connector::Connector& c, Worker& w, ElasticConfig cfg, ElasticHooks hooks);

  void on_decision(const scheduler::Decision& d, double now);
  // `compss resize +N`: N requests now, bounded by max-nodes; an error says why none could be made.
  Status grow_by_hand(std::uint32_t count, double now);
  void node_joined(const std::string& name, NodeId id, double now);
  // The node's agent connection closed; `end_of_run`: because the run is over.
  void node_left(const std::string& name, bool end_of_run, double now);
  void tick(double now);
  void shutdown(double now);

  const ElasticConfig& config() const { return cfg_; }
  std::vector<NodeLife> nodes() const;
  const ElasticCounts& counts() const { return counts_; }
  std::uint32_t requests_in_flight() const;  // submitted, neither joined nor given up
  std::uint32_t nodes_held() const;          // nodes the job holds or is starting (lives not yet ended)
  std::uint32_t requests_waiting() const;    // requests whose nodes have not come yet
  std::string summary() const;               // the run summary's elasticity lines
  std::vector<std::string> node_lines() const;  // one line per node life, for `compss nodes`

 private:
  struct Request {
    enum class Phase { kSubmitting, kPending, kGranted, kJoined, kWithdrawn, kFailed };
    std::uint32_t seq = 0;
    RequestId id;                 // the connector's, once submitted
    Phase phase = Phase::kSubmitting;
    double asked_at = 0, last_call = -1e300;
    bool busy = false;            // a connector call for it is in flight
    bool withdraw = false;        // to be withdrawn (by the scheduler's decision or the pending limit)
    bool merged = false;          // merge mode: the granted nodes are the job's
    std::string pending_reason;
    connector::SlurmJobId helper;
    std::vector<std::string> nodes;
  };
  struct PollOutcome;
  struct LifeBook {
    NodeLife life;
    double retry_at = 0;  // when a failed give-back may be tried again
    bool busy = false;    // a connector call for it is in flight
  };

  // elastic.cc: growing
  void grow(std::uint32_t count, const std::string& why, double now);
  void poll(std::size_t r, bool submit);
  void on_polled(std::size_t r, PollOutcome&& o);
  void on_granted(Request& q, double now);
  void withdraw_newest(std::uint32_t count, const std::string& why, double now);
  void withdraw(std::size_t r, const std::string& why);
  void record_join(LifeBook& b, double now);
  // elastic_shrink.cc: giving nodes back, checking the job's node set
  void drained(NodeId id, bool draining, const std::string& why, double now);
  void release(NodeId id, const std::string& why, double now);
  void give_back(std::size_t life, double now);
  void shrink(std::size_t life);
  void end_helper(connector::SlurmJobId helper);
  void check_node_set(const std::vector<std::string>& job_nodes, const std::string& after, double now);
  std::vector<std::string> expected_nodes() const;
  void tick_nodes(double now);
  void check_job(double now);
  LifeBook* life_of(NodeId id);
  LifeBook* life_named(const std::string& name);  // the latest life of that name
  void event(double now, const std::string& text);

  connector::Connector& c_;
  Worker& worker_;
  ElasticConfig cfg_;
  ElasticHooks hooks_;
  std::vector<Request> requests_;
  std::vector<LifeBook> lives_;
  std::vector<std::string> events_;    // elasticity events with times, for the summary
  ElasticCounts counts_;
  bool shut_down_ = false;
  double last_check_ = 0;
  bool checking_ = false;
  // Set by shutdown(); worker jobs read it to undo what they obtained after the loop stopped listening.
  std::shared_ptr<std::atomic<bool>> closing_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace compss::daemon
