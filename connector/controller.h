// controller.h - the raw calls to slurmctld the connector is built on, as an interface.
//
// One method per RPC; each returns 0 on success or a SLURM error code (slurm_errno.h values, or
// errno), and on failure leaves its out-parameter as it was. SlurmController (slurm_controller.h)
// makes the real libslurm calls; FakeCluster (fake_cluster.h) simulates a cluster for unit tests.
// Everything above this line - budget, retries, request bookkeeping, merge and shrink checks - is
// shared (controller_connector.h), so the fake runs the same logic as the real thing.
//
// Thread-safety: implementations are called by one thread at a time (the connector's mutex).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "connector/mode.h"
#include "connector/types.h"

namespace compss::connector {

struct AllocSpec {
  std::string name;
  std::string dependency;   // "expand:811" or empty
  std::string partition;    // empty: the cluster's default
  std::string exclude;      // a node list, or empty
  std::uint32_t nodes = 1;  // min = max; always exclusive (SLURM ignores that for expand-helpers)
  std::uint32_t min_cpus = 0;  // per node; 0: SLURM's default
  std::optional<std::uint32_t> time_limit_min;
  std::optional<std::uint32_t> forecast_limit_min;  // the job's time left, for a will-run test only
  std::uint32_t user_id = 0;
  std::uint32_t group_id = 0;
};

struct AllocReply {
  std::uint32_t job_id = 0;
  std::string node_list;  // empty while pending
};

// When SLURM would start an allocation (its will-run test; nothing is submitted).
struct WillRunReply {
  std::int64_t start_time = 0;  // seconds since the epoch
  std::string node_list;        // the nodes it would get
  std::uint32_t cpus = 0;
};

// min_nodes value meaning NumNodes=ALL (SLURM's INFINITE).
inline constexpr std::uint32_t kAllNodes = 0xffffffffu;

class Controller {
 public:
  virtual ~Controller() = default;

  virtual int load_conf(ConfStrings* out) = 0;
  // ESLURM_INVALID_JOB_ID when slurmctld does not know the job (never existed, or purged).
  virtual int load_job(std::uint32_t job_id, JobFacts* out) = 0;
  // Every node of the cluster with its CPUs (NodeFacts::partitions left empty: slurm_load_node does not
  // fill them in).
  virtual int load_nodes(std::vector<NodeFacts>* out) = 0;
  // Every partition: its name -> the names of its nodes, expanded.
  virtual int load_partitions(std::map<std::string, std::vector<std::string>>* out) = 0;
  // Submits an exclusive allocation and returns without waiting for it to be granted.
  virtual int allocate(const AllocSpec& spec, AllocReply* out) = 0;
  // When `spec` would start if submitted now (the dependency is left out: an expand-helper's target is
  // running, so its dependency holds). ESLURM_* when SLURM cannot say (e.g. the request can never run).
  virtual int will_run(const AllocSpec& spec, WillRunReply* out) = 0;
  // 0 merges a granted expand-helper into its target job; kAllNodes is NumNodes=ALL.
  virtual int update_min_nodes(std::uint32_t job_id, std::uint32_t min_nodes) = 0;
  // NodeList=<list>: the job keeps exactly these nodes.
  virtual int update_req_nodes(std::uint32_t job_id, const std::string& node_list) = 0;
  // Ends the job. A job that is already gone counts as success.
  virtual int kill_job(std::uint32_t job_id) = 0;
  // Seconds since the epoch, as the controller's clock would say (for remaining time limits).
  virtual std::int64_t wall_seconds() = 0;
};

}  // namespace compss::connector
