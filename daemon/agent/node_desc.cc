// node_desc.cc - NodeTopology -> scheduler::NodeDesc.
#include "daemon/agent/node_desc.h"

namespace compss::agent {

scheduler::NodeDesc to_node_desc(const NodeTopology& topology, std::string node_name) {
  scheduler::NodeDesc desc;
  desc.name = std::move(node_name);
  desc.cores = topology.core_ids();
  desc.memory = topology.memory_bytes;
  for (const GpuDesc& gpu : topology.gpus) desc.gpus.push_back(scheduler::Gpu{gpu.index, gpu.close_cores});
  return desc;
}

}  // namespace compss::agent
