// What Elastic tells a person: the run summary's elasticity lines and one line per node life.
#include <cstdio>
#include <sstream>

#include "daemon/elastic.h"

namespace compss::daemon {

namespace {

std::string at(const char* label, double t) {
  if (t < 0) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "  %s %.1f s", label, t);
  return buf;
}

}  // namespace

std::vector<std::string> Elastic::node_lines() const {
  std::vector<std::string> out;
  for (const auto& b : lives_) {
    const NodeLife& l = b.life;
    std::string from = l.request == 0 ? "job's own node" : "grow request " + std::to_string(l.request);
    if (l.helper.valid()) from += " (helper job " + l.helper.str() + ")";
    char head[96];
    std::snprintf(head, sizeof head, "%-10s %-9s %-34s", l.name.c_str(), to_string(l.state), from.c_str());
    std::string line = head;
    line += at("granted", l.granted_at) + at("joined", l.joined_at) + at("drained", l.drained_at) +
            at("release", l.release_at) + at("released", l.released_at);
    if (!l.why.empty()) line += "  (" + l.why + ")";
    out.push_back(std::move(line));
  }
  return out;
}

std::string Elastic::summary() const {
  std::ostringstream os;
  os << "  elasticity: " << connector::grow_mode_name(cfg_.mode) << " mode (" << cfg_.mode_reason << "); nodes "
     << cfg_.min_nodes << ".." << cfg_.max_nodes << ", idle release " << cfg_.idle_release_s << " s\n";
  os << "  grow requests: " << counts_.requests << " made, " << counts_.granted << " granted, " << counts_.withdrawn
     << " withdrawn, " << counts_.failed << " failed; " << counts_.released << " node(s) given back\n";
  if (!counts_.join_latencies_s.empty()) {
    double lo = counts_.join_latencies_s.front(), hi = lo, sum = 0;
    for (double v : counts_.join_latencies_s) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      sum += v;
    }
    char line[160];
    std::snprintf(line, sizeof line, "  join latency (request -> agent registered): mean %.2f s, min %.2f s, max %.2f s over %zu\n",
                  sum / static_cast<double>(counts_.join_latencies_s.size()), lo, hi, counts_.join_latencies_s.size());
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
  os << "  node lives:\n";
  for (const auto& l : node_lines()) os << "    " << l << "\n";
  if (!events_.empty()) {
    os << "  elasticity events:\n";
    for (const auto& e : events_) os << "    " << e << "\n";
  }
  return os.str();
}

}  // namespace compss::daemon
