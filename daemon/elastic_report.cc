// What Elastic tells a person: the run summary's elasticity lines, counted from the node table.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "daemon/elastic.h"

namespace compss::daemon {

std::string Elastic::summary() const {
  std::uint32_t granted = 0, withdrawn = 0, failed = 0, released = 0, asked = 0, got = 0, declined = 0;
  for (const auto& q : table_.requests()) {
    granted += !q.nodes.empty();
    asked += q.nodes_asked;
    got += static_cast<std::uint32_t>(q.nodes.size());
    withdrawn += q.phase == RequestPhase::kWithdrawn;
    failed += q.phase == RequestPhase::kFailed;
  }
  for (const auto& l : table_.lives()) released += l.state == NodeState::kReleased;
  for (const auto& e : table_.history()) declined += e.kind == EventKind::kGrowDeclined;
  std::ostringstream os;
  os << "  elasticity: " << connector::grow_mode_name(cfg_.mode) << " mode (" << cfg_.mode_reason << "); nodes "
     << cfg_.min_nodes << ".." << cfg_.max_nodes << ", idle release " << cfg_.idle_release_s << " s\n";
  os << "  grow requests: " << table_.requests().size() << " made, " << granted << " granted, " << withdrawn
     << " withdrawn, " << failed << " failed; " << released << " node(s) given back\n";
  os << "  nodes asked for: " << asked << ", granted " << got << "; " << declined
     << " grow(s) not asked for (SLURM's forecast too late)" << (cfg_.forecast ? "" : "; forecasts off") << "\n";
  const auto& joins = table_.join_samples();
  if (!joins.empty()) {
    double sum = 0;
    for (double v : joins) sum += v;
    char line[160];
    std::snprintf(line, sizeof line, "  join latency (request -> agent registered, SLURM's queue wait not counted): mean %.2f s, min %.2f s, max %.2f s over %zu\n",
                  sum / static_cast<double>(joins.size()), *std::min_element(joins.begin(), joins.end()),
                  *std::max_element(joins.begin(), joins.end()), joins.size());
    os << line;
  }
  if (!counts_.bare_grow_s.empty()) {
    double sum = 0;
    for (double v : counts_.bare_grow_s) sum += v;
    char line[160];
    std::snprintf(line, sizeof line, "  grow round trip in the connector (request -> granted%s): mean %.3f s over %zu\n",
                  cfg_.mode == connector::GrowMode::kMerge ? " -> merged" : "",
                  sum / static_cast<double>(counts_.bare_grow_s.size()), counts_.bare_grow_s.size());
    os << line;
  }
  os << "  " << c_.stats().summary() << "\n";
  return os.str();
}

}  // namespace compss::daemon
