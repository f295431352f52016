// elastic.h - compssd's elasticity: carries the scheduler's grow / withdraw / drain / release decisions out
// through the connector and starts agents on the nodes that come. Every request and node life it handles
// is a record of the daemon's NodeTable (node_table.h); this class keeps no copy of them.
//
//   Elastic e(connector, worker, cfg, runtime.nodes(), host);   // cfg: the job, the mode and why
//   runtime.attach_elasticity(&e);                              // decisions, node_left, resize +N
//   every tick:   e.tick(now)       (polls pending requests about once a second)
//   at the end:   e.shutdown(now)   (withdraws what is pending, ends helper jobs)
//
// Grow: GrowNodes{k, need} first asks SLURM when k nodes would start (Connector::forecast, on the worker;
// forecast off: skipped) and re-sizes k with the answer (scheduler/grow_plan.h): nothing is asked for when
// even one node would come too late, and growth is then held for half the forecast wait (5..60 s). The
// nodes are asked for in requests of at most request_nodes nodes, one helper job each (request_nodes and
// an immediate poll in one worker job, then in merge mode the merge in a second, so a quick grant costs
// two loop round trips). Each
// request excludes every node the job holds or awaits and asks for a whole node's CPUs
// (request_options.min_cpus); a grant is checked on the event loop against the table before it is
// merged, and one on a node the job holds anyway is given back (withdrawn), never counted as a node. The new node's agent offers exactly the CPUs
// SLURM granted there (Granted::alloc -> ElasticHost::start_agent). A granted node
// gets a starting life and an agent (host.start_agent); when the agent registers, the Runtime marks the
// life live and the table takes the join latency sample. A request pending longer than pending_limit_s (plus
// the wait SLURM forecast for it) is
// withdrawn; WithdrawGrow withdraws the newest open requests. The scheduler learns the nodes coming from
// the table before each decision pass. Shrink: ReleaseNode stops the node's agent (host.stop_agent), waits
// for its connection to close (at most stop_wait_s), then shrinks the job (merge: every node due to leave
// in one call, those that become due meanwhile in the next) or, once every node of a helper job is back,
// ends that helper (helper mode). The batch host is never given back. After every merge
// and shrink the job's node list, as slurmctld reports it, is compared with the table; a difference is
// reported as an event.
//
// Lifecycle: construct once the connector has probed the cluster; feed it from the event loop; shutdown()
// queues the last calls, then the owner stops the worker. It must outlive the worker's continuations.
// Failure behaviour: a failed SLURM call (after the connector's own retries) is reported as an event; the
// step is tried again on a later tick (polls, merges, shrinks, withdrawals) or the request marked failed.
// Nothing here ends the run.
// Thread-safety: none; everything on the event loop's thread. Connector calls happen on the worker.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/util/ids.h"
#include "common/util/result.h"
#include "common/util/runtime_options.h"
#include "connector/connector.h"
#include "daemon/elastic_worker.h"
#include "daemon/elasticity.h"
#include "daemon/node_table.h"
#include "scheduler/decision.h"

namespace compss::daemon {

struct ElasticConfig {
  connector::SlurmJobId job;
  connector::GrowMode mode = connector::GrowMode::kMerge;
  std::string mode_reason;                 // why this mode, in words
  std::vector<std::string> initial_nodes;  // the job's nodes at start-up
  std::string batch_host;                  // never released
  std::uint32_t min_nodes = 1, max_nodes = 1;
  double idle_release_s = kDefaultIdleReleaseS;
  double poll_interval_s = 1;              // a pending request is polled this often
  double pending_limit_s = 60;             // then withdrawn
  double join_limit_s = 60;                // granted -> agent registered, else the node is given back
  double stop_wait_s = 10;                 // agent told to stop -> its connection closed
  double retry_after_s = 5;                // a failed shrink / withdraw / release is tried again after this
  double check_every_s = 60;               // the job's node list is compared with the books this often
  std::uint32_t request_nodes = 64;        // the most nodes one grow request (one helper job) asks for
  bool forecast = true;                    // ask SLURM when the nodes would start before asking for them
  connector::RequestOptions request_options;
};

struct ElasticCounts {
  // Requests granted at once: the connector's calls from request to grant (and merge), without the
  // daemon's policy, agent start or registration: the bare SLURM round trip of the same growth.
  std::vector<double> bare_grow_s;
};

class Elastic : public Elasticity {
 public:
  // `table` and `host` outlive this object.
  Elastic(connector::Connector& c, Worker& w, ElasticConfig cfg, NodeTable& table, ElasticHost& host);

  void on_decision(const scheduler::Decision& d, double now) override;
  Status grow_by_hand(std::uint32_t count, double now) override;
  void node_left(NodeLife& life, bool end_of_run, double now) override;
  void tick(double now);
  void shutdown(double now);

  const ElasticConfig& config() const { return cfg_; }
  const ElasticCounts& counts() const { return counts_; }
  std::string summary() const;               // the run summary's elasticity lines

 private:
  struct PollOutcome;

  // elastic.cc: growing
  void plan(const scheduler::GrowNodes& g, double now);
  // `expected_wait_s`: SLURM's forecast for the nodes; a request may stay pending that much longer.
  void grow(std::uint32_t count, const std::string& why, double now, double expected_wait_s = 0);
  void poll(std::size_t r, bool submit);
  void on_polled(std::size_t r, PollOutcome&& o);
  GrowRequest& begin_call(std::size_t r);
  void merge(std::size_t r, double bare_s);
  void on_granted(std::size_t r, double now);
  void withdraw_newest(std::uint32_t count, const std::string& why, double now);
  void withdraw(std::size_t r);
  std::uint32_t room() const;  // nodes that may still be asked for under max-nodes
  // The job's own nodes, the nodes its lives hold and the nodes of requests not yet joined: what a new
  // grow request must not be given.
  std::vector<std::string> nodes_held_or_coming(std::uint32_t except_request = 0) const;
  // elastic_shrink.cc: giving nodes back, checking the job's node set
  void release(NodeId id, const std::string& why, double now);
  void give_back(std::size_t life, double now);
  void flush_shrinks();
  void end_helper(std::uint32_t helper_job);
  void check_node_set(const std::vector<std::string>& job_nodes, const std::string& after, double now);
  std::vector<std::string> expected_nodes() const;
  void tick_nodes(double now);
  void check_job(double now);
  void event(double now, EventKind kind, const std::string& node, std::uint32_t request, std::string cause,
             std::uint32_t count = 0);

  connector::Connector& c_;
  Worker& worker_;
  ElasticConfig cfg_;
  NodeTable& table_;
  ElasticHost& host_;
  ElasticCounts counts_;
  bool shut_down_ = false;
  bool planning_ = false;
  bool shrinking_ = false;  // a shrink call is in flight (merge mode)  // a forecast is being asked for; decisions meanwhile are dropped
  double last_check_ = 0;
  bool checking_ = false;
  // Set by shutdown(); worker jobs read it to undo what they obtained after the loop stopped listening.
  std::shared_ptr<std::atomic<bool>> closing_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace compss::daemon
