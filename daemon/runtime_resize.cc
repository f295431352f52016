// The Runtime's side of `compss resize`: +N goes to the elasticity side, -N drains nodes here.
#include <algorithm>

#include "common/util/log.h"
#include "daemon/runtime.h"

namespace compss::daemon {

void Runtime::resize(Endpoint& to, const proto::Resize& m, double now) {
  auto refuse = [&](std::string why) {
    to.send(proto::ErrorMessage{m.rid, proto::ErrorCode::kInvalid, std::move(why)});
  };
  if (!elastic_ || !sched_.config().elastic)
    return refuse("resize: elasticity is off for this run (see the first event of compss status)");
  if (m.delta == 0) return refuse("resize: the change must not be 0 (+N grows, -N shrinks)");
  const std::string what = "resize " + std::string(m.delta > 0 ? "+" : "") + std::to_string(m.delta);
  Status s = m.delta > 0 ? elastic_->grow_by_hand(static_cast<std::uint32_t>(m.delta), now)
                         : drain_by_hand(static_cast<std::uint32_t>(-static_cast<std::int64_t>(m.delta)), now);
  if (!s) return refuse(what + ": " + s.error().message);
  to.send(proto::Ok{m.rid});
}

// Idle nodes first, then the least loaded; only nodes that came from grow requests (the job's own nodes,
// the batch host among them, are never given back).
Status Runtime::drain_by_hand(std::uint32_t count, double now) {
  const auto& pool = sched_.pool();
  std::vector<std::pair<std::uint32_t, NodeId>> candidates;  // (busy cores, node)
  for (const NodeLife& l : table_.lives()) {
    if (l.state != NodeState::kLive || !l.id.valid() || l.request == 0 || !pool.is_live(l.id) ||
        pool.is_draining(l.id))
      continue;
    candidates.emplace_back(l.cores - pool.free_cores(l.id), l.id);
  }
  if (candidates.empty())
    return fail("no node to drain (only nodes that came from grow requests are given back, not the job's own)");
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  const std::uint32_t n = std::min<std::uint32_t>(count, static_cast<std::uint32_t>(candidates.size()));
  for (std::uint32_t k = 0; k < n; ++k) {
    const auto [busy, id] = candidates[k];
    if (auto s = sched_.drain(id); !s) return s;
    const std::string why = "drained by hand (compss resize -" + std::to_string(count) + ")" +
                            (busy ? ", " + std::to_string(busy) + " cores busy" : ", idle");
    decision_event(scheduler::DrainNode{id, why}, now);
  }
  if (n < count) log::info("resize -", count, ": only ", n, " node(s) could be drained");
  return {};
}

}  // namespace compss::daemon
