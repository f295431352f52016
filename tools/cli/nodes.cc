// compss nodes: each node of the job over time - joined, quarantined, drained, released, and why.
//
// Built on `status`: its node lives (one per stay of a node in the job: where it came from, its state,
// cores, times and why) and the recent events, each of which names the node it is about. Each life is
// printed with the events of its node that fall within it, oldest first. The daemon keeps a bounded number
// of events, so a long run shows the recent part of each life; the run summary (<job-dir>/summary.txt) has
// every event.
#include <nlohmann/json.hpp>

#include <compss/client.hpp>
#include <cstdio>

#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"
#include "tools/cli/output.h"

namespace compss::cli {

namespace {

constexpr const char* kNodesHelp =
    "usage: compss nodes [--json]\n\n"
    "The job's nodes over time: one entry per stay of a node in the job, with its state, cores busy, the\n"
    "CPUs SLURM allocated to the job there (its CPU ids, as scontrol show job -d prints them), where they\n"
    "came from (the job's own node or a grow request), when it was granted, joined, quarantined, drained\n"
    "and left, and the events of its life (granted, joined, quarantined, drained, given back to SLURM,\n"
    "lost), oldest first. A quarantined node had tasks of 3 different names fail on it with none\n"
    "succeeding in between: it takes no new task for the rest of the run.\n\n"
    "  --json   one JSON object: {\"nodes\": [{\"name\", \"state\", \"cores\", \"busy\", \"cpus\", \"request\",\n"
    "           \"joined\", \"quarantined\", \"left\", \"why\", ..., \"events\": [{\"t\", \"kind\", \"node\",\n"
    "           \"task\", \"cause\", \"text\"}]}]}\n";

// The events of the node life `i`: those naming its node from its start until the next life of the
// same node begins, and those of the grow request it came from.
std::vector<const client::Event*> life_events(const client::RunStatus& s, std::size_t i) {
  const auto& n = s.nodes[i];
  const double begin = n.granted >= 0 ? n.granted : n.joined;
  double end = 1e300;
  for (std::size_t k = i + 1; k < s.nodes.size(); ++k) {
    if (s.nodes[k].name != n.name) continue;
    end = s.nodes[k].granted >= 0 ? s.nodes[k].granted : s.nodes[k].joined;
    break;
  }
  std::vector<const client::Event*> out;
  for (const auto& e : s.events) {
    const bool its_request = n.request != 0 && e.request == n.request && e.node.empty();  // asked, withdrawn...
    if (its_request || (e.node == n.name && (begin < 0 || e.t >= begin) && e.t < end)) out.push_back(&e);
  }
  return out;
}

std::string origin(const client::NodeInfo& n) {
  std::string s = n.request == 0 ? "job's own node" : "grow request " + std::to_string(n.request);
  if (n.helper_job) s += " (helper job " + std::to_string(n.helper_job) + ")";
  return s;
}

}  // namespace

int run_nodes(const std::vector<std::string>& args, Io& io) {
  bool json = false;
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      io.out << kNodesHelp;
      return kExitOk;
    }
    if (a != "--json") return usage_error(io, "nodes", "unexpected argument '" + a + "' (see compss nodes --help)");
    json = true;
  }
  auto conn = client::Connection::connect();
  if (!conn) return client_error(io, "nodes", conn.error());
  auto s = conn->status();
  if (!s) return client_error(io, "nodes", s.error());
  nlohmann::json out{{"nodes", nlohmann::json::array()}};
  for (std::size_t i = 0; i < s->nodes.size(); ++i) {
    const auto& n = s->nodes[i];
    const auto life = life_events(*s, i);
    if (json) {
      nlohmann::json j = node_json(n);
      j["events"] = nlohmann::json::array();
      for (const auto* e : life) j["events"].push_back(event_json(*e));
      out["nodes"].push_back(std::move(j));
      continue;
    }
    io.out << n.name << "  " << n.state << "  " << n.busy << "/" << n.cores << " cores busy  ";
    if (!n.cpus.empty()) io.out << "cpus " << n.cpus << "  ";
    io.out << origin(n);
    if (!n.why.empty()) io.out << "  (" << n.why << ")";
    io.out << "\n";
    for (const auto* e : life) io.out << "    " << seconds_stamp(e->t) << e->text << "\n";
  }
  if (json) io.out << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return kExitOk;
}

}  // namespace compss::cli
