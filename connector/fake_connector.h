// fake_connector.h - the Connector over a simulated cluster, for unit tests of the logic around it.
//
//   ManualClock clock;
//   FakeConnector c(clock, 4);                       // four idle nodes n1..n4
//   auto job = c.cluster().start_job("wf", 1);       // the running job to grow (on n1)
//   auto req = c.request_nodes(*job, 1, GrowMode::kMerge, {});
//   c.poll_request(*req);                            // Granted{helper, {"n2"}}
//   c.merge(*job, *req);                             // {"n1", "n2"}
//
// It is ControllerConnector (the same code as SlurmConnector) over a FakeCluster (fake_cluster.h), so
// budget, retries, request bookkeeping and merge/shrink checks behave as they do against SLURM.
// Use cluster() to set the scene, inject faults and look at the result.
//
// Lifecycle: the clock outlives it. Thread-safety: as ControllerConnector.
#pragma once

#include <utility>

#include "connector/controller_connector.h"
#include "connector/fake_cluster.h"

namespace compss::connector {

namespace detail {
// Holds the cluster so that it is built before the connector that refers to it.
struct FakeClusterHolder {
  FakeClusterHolder(Clock& clock, int nodes, ConfStrings conf) : cluster_(clock, nodes, std::move(conf)) {}
  FakeCluster cluster_;
};
}  // namespace detail

class FakeConnector final : private detail::FakeClusterHolder, public ControllerConnector {
 public:
  explicit FakeConnector(Clock& clock, int nodes = 4, const ConnectorConfig& config = {},
                         ConfStrings conf = FakeCluster::merge_capable_conf())
      : FakeClusterHolder(clock, nodes, std::move(conf)), ControllerConnector(cluster_, config, clock) {}

  FakeCluster& cluster() { return cluster_; }
};

}  // namespace compss::connector
