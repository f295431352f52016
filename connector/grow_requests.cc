#include "connector/grow_requests.h"

namespace compss::connector {

const char* request_phase_name(RequestPhase p) {
  switch (p) {
    case RequestPhase::kSubmitted: return "submitted";
    case RequestPhase::kGranted: return "granted";
    case RequestPhase::kMerging: return "merging";
    case RequestPhase::kMerged: return "merged";
    case RequestPhase::kWithdrawn: return "withdrawn";
    case RequestPhase::kFailed: return "failed";
    case RequestPhase::kReleased: return "released";
  }
  return "unknown";
}

RequestRecord& GrowRequestBook::add(SlurmJobId job, SlurmJobId helper, std::uint32_t count, GrowMode mode) {
  RequestRecord r;
  r.id = RequestId(static_cast<RequestId::Rep>(records_.size()));
  r.job = job;
  r.helper = helper;
  r.count = count;
  r.mode = mode;
  records_.push_back(std::move(r));
  return records_.back();
}

RequestRecord* GrowRequestBook::find(RequestId id) {
  if (!id.valid() || id.value() >= records_.size()) return nullptr;
  return &records_[id.value()];
}

RequestRecord* GrowRequestBook::find_by_helper(SlurmJobId helper) {
  for (auto& r : records_)
    if (r.helper == helper) return &r;
  return nullptr;
}

}  // namespace compss::connector
