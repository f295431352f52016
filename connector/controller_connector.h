// controller_connector.h - the Connector logic, over any Controller (real libslurm or fake cluster).
//
// Holds the RpcGate (one budget for every call), the GrowRequestBook, and the checks that make grow,
// merge and shrink trustworthy: a job must be running to grow; merge reloads the job and checks it
// holds its old nodes plus the helper's; shrink refuses to drop the batch node, every node, or a
// node the job lacks, and reloads the job to check the result. SlurmConnector and FakeConnector are
// this class with their Controller plugged in; see connector.h for the contract of each call.
//
// Lifecycle: construct with a Controller and a Clock (both must outlive it); use; destroy. It never
// releases nodes on destruction: the daemon decides what to give back before it exits.
// Thread-safety: every Connector call takes an internal mutex, so calls from several threads run one
// after another; stats() does not take it.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include "connector/config.h"
#include "connector/connector.h"
#include "connector/controller.h"
#include "connector/grow_requests.h"

namespace compss::connector {

class ControllerConnector : public Connector {
 public:
  ControllerConnector(Controller& controller, const ConnectorConfig& config, Clock& clock);

  Result<ClusterFacts> probe() override;
  Result<JobFacts> job(SlurmJobId job) override;
  Result<std::vector<NodeFacts>> nodes() override;
  Result<RequestId> request_nodes(SlurmJobId job, std::uint32_t count, GrowMode mode,
                                  const RequestOptions& options) override;
  Result<StartForecast> forecast(SlurmJobId job, std::uint32_t count, GrowMode mode,
                                 const RequestOptions& options) override;
  Result<RequestStatus> poll_request(RequestId request) override;
  Result<std::vector<std::string>> merge(SlurmJobId job, RequestId request) override;
  Status withdraw(RequestId request) override;
  Result<std::vector<std::string>> shrink(SlurmJobId job, const std::vector<std::string>& nodes) override;
  Status release_helper(SlurmJobId helper) override;
  RpcStats stats() const override { return gate_.stats(); }

  // Where a request stands in this connector's books (for logs and tests); nullopt if unknown.
  std::optional<RequestPhase> phase(RequestId request);

 private:
  // The allocation a grow request of `count` nodes makes (one RPC: the job, which must be running).
  Result<AllocSpec> spec_for(SlurmJobId job, std::uint32_t count, GrowMode mode, const RequestOptions& options,
                             const std::string& what);
  Result<JobFacts> load_job(SlurmJobId job, std::string_view what, int* code = nullptr);
  Result<RequestStatus> poll_locked(RequestRecord& r);
  Status kill(SlurmJobId job, std::string_view what);
  Status update_min_nodes(SlurmJobId job, std::uint32_t min_nodes, std::string_view what);

  Controller& ctl_;
  ConnectorConfig config_;
  RpcGate gate_;
  GrowRequestBook requests_;
  std::mutex mu_;
};

}  // namespace compss::connector
