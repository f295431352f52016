// slurm_controller.h - the Controller that really calls libslurm.
//
// Each method is one RPC (slurm_load_ctl_conf, slurm_load_job, slurm_load_node, slurm_load_partitions,
// slurm_allocate_resources,
// slurm_update_job, slurm_kill_job). Every allocation libslurm hands back is freed before return.
// These are the only functions in the project that touch SLURM's structs.
//
// Requires: slurm_init() done (SlurmConnector::create does it once per process).
// Thread-safety: as libslurm: callable from any thread; the connector calls it from one at a time.
#pragma once

#include <cstdint>
#include <string>

#include "connector/controller.h"

namespace compss::connector {

class SlurmController final : public Controller {
 public:
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
};

// Text for SLURM's job state with its flags ("RUNNING", "COMPLETED", "RUNNING+CONFIGURING").
std::string job_state_text(std::uint32_t state);
JobState job_state_kind(std::uint32_t state);

}  // namespace compss::connector
