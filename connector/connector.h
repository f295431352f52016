// connector.h - the daemon's only way to talk to slurmctld: grow, merge, shrink, release.
//
// Two implementations: SlurmConnector (libslurm, slurm_connector.h) and FakeConnector (a simulated
// cluster for unit tests of the logic around it, fake_connector.h). Both send every controller call
// through one RpcGate (token bucket + retries, rpc_gate.h), so a run never floods slurmctld.
//
// The calls are SYNCHRONOUS: each blocks until slurmctld answers or the retry deadline passes (30 s
// by default; see config.h). The daemon calls the connector from a worker thread, never from its
// event loop. Nothing in it waits for SLURM to schedule anything: request_nodes() submits and returns,
// the daemon polls with poll_request().
//
// Sizing a request:             forecast (when would SLURM start it?) -> request_nodes of that many
// Grow sequence (merge mode):   request_nodes -> poll_request ... Granted -> merge -> (agents start)
// Grow sequence (helper mode):  request_nodes -> poll_request ... Granted -> (agents start in helper job)
// Shrink (merge mode):          drain the node, then shrink(job, {node})
// Shrink (helper mode):         drain the helper's nodes, then release_helper(helper)
// Give up a pending request:    withdraw(request)
//
// Failure behaviour: every call returns Result/Status; errors name what was attempted and SLURM's
// message ("cannot merge helper job 812 into job 811: ..."). A failed call leaves SLURM as it was,
// except where its comment says otherwise (merge is two updates; see there).
// Thread-safety: safe to use from one thread at a time (implementations serialise calls with a mutex,
// so a second thread waits); stats() may be called from any thread at any time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/util/ids.h"
#include "common/util/result.h"
#include "connector/rpc_gate.h"
#include "connector/types.h"

namespace compss::connector {

class Connector {
 public:
  virtual ~Connector() = default;

  // The controller's version and configuration, and the growth mode they allow (one RPC).
  virtual Result<ClusterFacts> probe() = 0;

  // A job as slurmctld sees it now (one RPC).
  virtual Result<JobFacts> job(SlurmJobId job) = 0;

  // Every node of the cluster, with its CPUs and partitions (two RPCs: nodes, partitions).
  virtual Result<std::vector<NodeFacts>> nodes() = 0;

  // Asks SLURM for `count` more nodes for `job` and returns at once (one or two RPCs).
  // merge: a helper job with dependency=expand:<job>, exactly `count` nodes, no steps. SLURM does not
  //   make an expand-helper exclusive, whatever it asks: options.exclude (the nodes the job holds or
  //   awaits) and options.min_cpus (a whole node's CPUs) are what keep it off the job's own nodes and
  //   make it take whole nodes.
  // helper: a plain exclusive allocation of `count` nodes with the job's user and partition.
  virtual Result<RequestId> request_nodes(SlurmJobId job, std::uint32_t count, GrowMode mode,
                                          const RequestOptions& options) = 0;

  // When SLURM would start a request of `count` nodes of this shape if it were made now (its will-run
  // test; nothing is submitted). Two RPCs: the job, then will_run. An error when SLURM cannot say (no
  // time limit on what holds the nodes, a shape that can never run).
  virtual Result<StartForecast> forecast(SlurmJobId job, std::uint32_t count, GrowMode mode,
                                         const RequestOptions& options) = 0;

  // Where a request stands (one RPC while pending; none once merged or withdrawn). A grant says what
  // the helper holds on each node (Granted::alloc).
  virtual Result<RequestStatus> poll_request(RequestId request) = 0;

  // Merge mode: moves the granted helper's nodes into `job` and returns the job's new node list,
  // checked to hold the old nodes plus the helper's. Two updates: helper to 0 nodes (SLURM moves the
  // nodes and ends the helper), then the job to all its nodes. If the second fails, the nodes are
  // already the job's but its node count is stale: the error says so, and calling merge() again on
  // the same request retries only the second update.
  virtual Result<std::vector<std::string>> merge(SlurmJobId job, RequestId request) = 0;

  // Cancels a request that has not been merged (the helper job is killed whether pending or granted).
  // Withdrawing a request whose helper already ended is not an error.
  virtual Status withdraw(RequestId request) = 0;

  // Merge mode: gives `nodes` back to SLURM by shrinking the job to the rest; returns the new node list.
  // Refuses to remove every node, a node the job does not have, or the node running the batch script.
  virtual Result<std::vector<std::string>> shrink(SlurmJobId job, const std::vector<std::string>& nodes) = 0;

  // Helper mode: ends a helper job and frees its nodes. Releasing an ended helper is not an error.
  virtual Status release_helper(SlurmJobId helper) = 0;

  // Calls made so far, per kind (for the run summary).
  virtual RpcStats stats() const = 0;
};

// "compss-grow-811" for prefix "compss-grow-" and job 811.
std::string helper_job_name(const std::string& prefix, SlurmJobId job);

}  // namespace compss::connector
