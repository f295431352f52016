// node_desc.h - the scheduler's view of this node (scheduler::NodeDesc) from the discovered topology.
//
// The agent sends this description to compssd when it joins; core ids and GPU ids mean the same on both
// sides, so a placement's ids can be bound here without translation.
// Failure: none (a pure conversion). Thread-safety: a pure function.
#pragma once

#include <string>

#include "daemon/agent/topology.h"
#include "scheduler/resources.h"

namespace compss::agent {

scheduler::NodeDesc to_node_desc(const NodeTopology& topology, std::string node_name);

}  // namespace compss::agent
