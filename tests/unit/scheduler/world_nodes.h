// world_nodes.h - nodes and resource requests for scheduler tests, written as short text.
//
// Nodes: groups separated by ';', each `[COUNT x] [NAME] {ITEM, ...}`:
//
//   nodes("4 x {cpus: 8, gpus: 2}")                       n1..n4, cores 0-7, GPUs 0 (close 0-3) and 1 (close 4-7)
//   nodes("n1 {cpus: 4, mem: 8G, gpus: 2, close: [0-1, 2-3]}")
//   nodes("2 x gpu {cores: [4-7], gpus: 1}; big {cpus: 64, licence: 2}")   gpu1, gpu2, big
//
// Items:  cpus: N              cores 0..N-1
//         cores: [IDS]         explicit OS core ids, e.g. [0-3, 8, 10-11]
//         mem: SIZE            memory for tasks (512M, 8G; see parse_size); absent = not accounted
//         gpus: N              GPUs 0..N-1
//         close: [SET, ...]    one SET of core ids per GPU, ranges joined by '+': [0-1, 2-3] or [0+2, 1+3];
//                              absent = the cores split in equal consecutive blocks, one per GPU
//         job: ID              the SLURM job holding it (NodeDesc::allocation; a helper job); absent = 0
//         NAME: N              any other key is a custom resource (licence: 4)
// Names: a group without NAME is numbered on from the nodes before it (n1, n2, ...); with NAME and
// COUNT > 1 the name gets a number (gpu1, gpu2); with NAME alone it is used as is.
//
// Requests: request("cpus: 4, gpus: 1, mem: 2G, nodes: 2, ranks: 8, rpn: 4, mpi, licence: 1"), keys
// as ResourceRequest's fields (rpn = ranks_per_node), any other key a custom resource.
// Id lists: ids("0-3,6") == {0, 1, 2, 3, 6}.
//
// Bad text throws std::invalid_argument naming the text and the problem (a test then fails loudly).
// Test-only code; thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "scheduler/resources.h"

namespace compss::test {

std::vector<scheduler::NodeDesc> nodes(std::string_view text);
scheduler::ResourcePool make_pool(std::string_view text);  // the nodes added in order (ids 0, 1, ...)
scheduler::ResourceRequest request(std::string_view text);
std::vector<std::uint32_t> ids(std::string_view text);

}  // namespace compss::test
