// slurm_connector.h - the real Connector: libslurm calls through one RPC budget.
//
//   auto c = SlurmConnector::create(config);          // reads slurm.conf, no RPC yet
//   if (!c) { log::error(c.error().message); ... }
//   auto facts = (*c)->probe();                        // one RPC: slurm_load_ctl_conf
//
// create() calls slurm_init() once per process (later calls reuse it). Before that it checks that a
// SLURM configuration can be found (SLURM_CONF, or /etc/slurm/slurm.conf), because libslurm ends the
// process when it has none; without one, create() returns an error instead.
//
// Lifecycle: create, use from the daemon's connector thread, destroy. slurm_fini() is never called
// (other parts of the process may still use libslurm).
// Failure behaviour, thread-safety: as Connector (connector.h) and ControllerConnector.
#pragma once

#include <memory>

#include "connector/clock.h"
#include "connector/config.h"
#include "connector/controller_connector.h"
#include "connector/slurm_controller.h"

namespace compss::connector {

class SlurmConnector final : public ControllerConnector {
 public:
  static Result<std::unique_ptr<SlurmConnector>> create(const ConnectorConfig& config);

 private:
  // Members that the base class refers to live in a holder constructed before it.
  struct Parts {
    SlurmController controller;
    SteadyClock clock;
  };
  SlurmConnector(std::unique_ptr<Parts> parts, const ConnectorConfig& config);

  std::unique_ptr<Parts> parts_;
};

// Where libslurm will read its configuration from, or an error saying none can be found.
Result<std::string> slurm_config_path();

}  // namespace compss::connector
