// elasticity.h - how the Runtime and the elasticity side of compssd talk: two small interfaces.
//
// Both sides read and write the one NodeTable (node_table.h); these calls are only for what must happen
// at once: the scheduler's elasticity decisions going out, a node's agent leaving, `compss resize +N`,
// and the agent starts and stops that only compssd and the Runtime can do.
//
//   Runtime ---- Elasticity (implemented by Elastic) ----> grow / withdraw / drain / release through SLURM
//   Elastic ---- ElasticHost (implemented by compssd) ---> start an agent (srun), stop one (the Runtime)
//
// Thread-safety: both on the daemon's event loop thread.
#pragma once

#include <cstdint>
#include <string>

#include "common/util/allocation.h"
#include "common/util/ids.h"
#include "common/util/result.h"
#include "daemon/node_table.h"
#include "scheduler/decision.h"

namespace compss::daemon {

class Elasticity {
 public:
  virtual ~Elasticity() = default;
  // GrowNodes, WithdrawGrow and ReleaseNode from the scheduler (drains are the Runtime's own business).
  virtual void on_decision(const scheduler::Decision& d, double now) = 0;
  // `compss resize +N`: N nodes now, bounded by max-nodes; an error says why none could be asked for.
  virtual Status grow_by_hand(std::uint32_t count, double now) = 0;
  // The agent of `life` closed its connection; the Runtime has updated the life already (lost, or ended
  // when `end_of_run`). A node told to stop is given back now; a lost grown node is given back too.
  virtual void node_left(NodeLife& life, bool end_of_run, double now) = 0;
};

class ElasticHost {
 public:
  virtual ~ElasticHost() = default;
  virtual double now() const = 0;  // seconds since the run began
  // Starts an agent on `node`: a step of the job (helper_job 0) or of helper job `helper_job`, offering
  // the CPUs (and memory) of `share`, what SLURM granted there; an empty share: the node as the agent sees it.
  virtual Status start_agent(const std::string& node, std::uint32_t helper_job, const NodeShare& share) = 0;
  // Tells the agent of `node` to stop (its node is being given back); false when it has no agent.
  virtual bool stop_agent(NodeId node, const std::string& why, double now) = 0;
};

}  // namespace compss::daemon
