// fake_cluster.h - a simulated slurmctld behind the Controller interface, for unit tests.
//
// It keeps jobs and nodes the way slurmctld does for the calls the connector makes:
//   - allocate: an exclusive job of exactly N whole nodes; granted at once when N free nodes exist (lowest
//     names first), else PENDING (Resources). "expand:<job>" requires that job to be running, and such
//     an expand-helper is NOT exclusive, as in SLURM: it takes min_cpus CPUs (at least 1) on the first
//     nodes, outside its exclude list, that have that many free, its target's own nodes included.
//   - load_job: first runs a scheduling pass (pending jobs start when nodes are free; an expand-helper
//     whose target ended turns DependencyNeverSatisfied), then answers; unknown ids give ESLURM_INVALID_JOB_ID.
//   - update min_nodes=0 on a running expand-helper: moves its nodes into the target and completes
//     the helper; refused with ESLURM_NOT_SUPPORTED without permit_job_expansion. Without slurmdbd
//     accounting, the target can then never be updated again (ESLURM_JOB_SETTING_DB_INX), as measured
//     on SLURM 22.05 (blocker 1 of SLURM-TESTBED.md).
//   - update min_nodes=ALL: accepted on a running job; update req_nodes: the job keeps exactly those nodes
//     (each must be its own), the rest go back to the pool.
//   - kill: ends a pending or running job (CANCELLED) and frees its nodes; unknown ids are fine.
// Node names are n1..nN, every node has 2 CPUs (ids 0-1), the one partition is "debug". Each job holds a
// set of CPU ids per node (JobFacts::alloc); a node is free when no running job holds a CPU on it.
//
// For tests: start_job() creates a running job (the outer `sbatch -N<k> --exclusive`); fail_next()
// makes the next calls of one kind fail with a chosen SLURM code; set_rpc_latency() makes every call
// take time on the injected clock; calls() counts what reached the "controller".
//
// Lifecycle: build with a Clock that outlives it. Thread-safety: none (the connector serialises).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/util/result.h"
#include "connector/clock.h"
#include "connector/controller.h"
#include "connector/rpc_gate.h"

namespace compss::connector {

class FakeCluster final : public Controller {
 public:
  static ConfStrings merge_capable_conf();  // 22.05.8, permit_job_expansion, slurmdbd, task/none
  static constexpr std::uint32_t kCpusPerNode = 2;

  explicit FakeCluster(Clock& clock, int nodes = 4, ConfStrings conf = merge_capable_conf());

  // Test setup: a running exclusive job on `nodes` free nodes; its first node runs the batch script.
  Result<SlurmJobId> start_job(const std::string& name, std::uint32_t nodes, std::uint32_t time_limit_min = 60);
  // Test setup: a running job of `cpus` CPUs on node `node` (the lowest free ids), sharing the node.
  Result<SlurmJobId> start_partial_job(const std::string& name, const std::string& node, std::uint32_t cpus);
  void set_conf(ConfStrings conf) { conf_ = std::move(conf); }
  void fail_next(RpcKind kind, int code, int times = 1);
  void set_rpc_latency(Clock::Duration d) { latency_ = d; }

  // Inspection.
  std::vector<std::string> free_nodes() const;
  const JobFacts* find(SlurmJobId job) const;
  std::uint64_t calls(RpcKind kind) const { return calls_[static_cast<std::size_t>(kind)]; }

  int load_conf(ConfStrings* out) override;
  int load_job(std::uint32_t job_id, JobFacts* out) override;
  int load_nodes(std::vector<NodeFacts>* out) override;
  int load_partitions(std::map<std::string, std::vector<std::string>>* out) override;
  int allocate(const AllocSpec& spec, AllocReply* out) override;
  int will_run(const AllocSpec& spec, WillRunReply* out) override;
  int update_min_nodes(std::uint32_t job_id, std::uint32_t min_nodes) override;
  int update_req_nodes(std::uint32_t job_id, const std::string& node_list) override;
  int kill_job(std::uint32_t job_id) override;
  std::int64_t wall_seconds() override;

 private:
  struct Job {
    JobFacts facts;
    std::uint32_t want = 0;          // nodes asked for
    std::uint32_t min_cpus = 0;      // expand-helpers: CPUs per node
    std::uint32_t expand_target = 0;  // 0: not an expand-helper
    std::map<std::string, std::set<std::uint32_t>> cpus;  // node -> CPU ids held
    std::set<std::string> exclude;
    bool db_index_pending = false;    // resized without slurmdbd: every later update fails
  };

  int enter(RpcKind kind);  // counts the call, applies latency, returns an injected error or 0
  Job* running(std::uint32_t job_id, int* code);
  void schedule();
  void try_start(Job& j);
  void set_cpus(Job& j, std::map<std::string, std::set<std::uint32_t>> cpus);
  std::set<std::uint32_t> used(const std::string& node) const;  // CPU ids running jobs hold there
  std::set<std::uint32_t> free_cpus(const std::string& node) const;
  Job test_job(const std::string& name, std::uint32_t time_limit_min);  // a new job record of the test user
  void end(Job& j, const char* state);
  std::vector<std::string> sorted(std::vector<std::string> names) const;

  Clock& clock_;
  Clock::TimePoint epoch_;
  ConfStrings conf_;
  std::vector<std::string> nodes_;           // n1..nN, SLURM's order
  std::map<std::uint32_t, Job> jobs_;
  std::uint32_t next_id_ = 100;
  Clock::Duration latency_{};
  std::array<std::uint64_t, kRpcKinds> calls_{};
  std::array<std::vector<int>, kRpcKinds> injected_{};  // pending errors per kind, front first
};

}  // namespace compss::connector
