#include "connector/fake_connector.h"

namespace compss::connector {

FakeConnector::FakeConnector(Clock& clock, int nodes, const ConnectorConfig& config, ConfStrings conf)
    : FakeClusterHolder(clock, nodes, std::move(conf)), ControllerConnector(cluster_, config, clock) {}

}  // namespace compss::connector
