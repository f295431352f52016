// grow_requests.h - the grow requests a connector has made, and how far each got.
//
// Phases: submitted (helper pending in SLURM) -> granted (helper holds nodes) -> merging (helper's nodes
// moved into the job, job's node count not yet updated) -> merged; or -> withdrawn / failed / released.
// Ids are handed out densely from 0 (RequestId is an index).
//
// Lifecycle: owned by a connector, lives as long as it.
// Failure behaviour: find() returns nullptr for an unknown id; callers turn that into an Error.
// Thread-safety: none; the owning connector serialises access.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/util/ids.h"
#include "connector/types.h"

namespace compss::connector {

enum class RequestPhase { kSubmitted, kGranted, kMerging, kMerged, kWithdrawn, kFailed, kReleased };
const char* request_phase_name(RequestPhase p);

struct RequestRecord {
  RequestId id;
  SlurmJobId job;     // the job to grow
  SlurmJobId helper;  // the helper job SLURM created for the request
  std::uint32_t count = 0;
  GrowMode mode = GrowMode::kHelper;
  RequestPhase phase = RequestPhase::kSubmitted;
  std::vector<std::string> nodes;  // the helper's nodes, once granted
  std::vector<NodeAlloc> alloc;    // what the helper holds on each of them
  std::vector<std::string> job_nodes_before;  // the job's nodes when the merge began
  std::string reason;              // why it failed, when it did
};

class GrowRequestBook {
 public:
  RequestRecord& add(SlurmJobId job, SlurmJobId helper, std::uint32_t count, GrowMode mode);
  RequestRecord* find(RequestId id);
  RequestRecord* find_by_helper(SlurmJobId helper);
  std::size_t size() const { return records_.size(); }

 private:
  std::vector<RequestRecord> records_;
};

}  // namespace compss::connector
