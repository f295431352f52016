// compss nodes: each node of the job over time - joined, drained, released, and why.
//
// Built on `status`: its node list (name, state, cores, busy) and the runtime's recent events, of which
// the elasticity events name the node they are about ("grow request 2 granted n3 ...", "drain n3: idle
// 5 s ...", "n3 given back to SLURM ..."). Each node is printed with the events that name it, oldest
// first. The runtime keeps a bounded number of events, so a long run shows the recent part of each life;
// the run summary (<job-dir>/summary.txt) has every life in full.
#include <nlohmann/json.hpp>

#include <cctype>
#include <compss/client.hpp>

#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"

namespace compss::cli {

namespace {

constexpr const char* kNodesHelp =
    "usage: compss nodes [--json]\n\n"
    "The job's nodes over time: state, cores in use, and the events of each node's life (grow request\n"
    "granted, agent ready, drained, released to SLURM, lost), oldest first.\n\n"
    "  --json   one JSON object: {\"nodes\": [{\"name\", \"state\", \"cores\", \"busy\", \"events\": [...]}]}\n";

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'; }

// True when `text` holds `name` as a whole word ("n2" is in "drain n2: idle", not in "n21").
bool names(const std::string& text, const std::string& name) {
  for (std::size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) {
    const bool left = at == 0 || !is_name_char(text[at - 1]);
    const std::size_t end = at + name.size();
    // A trailing '.' ends a sentence; other name characters continue the word.
    const bool right = end == text.size() || !is_name_char(text[end]) ||
                       (text[end] == '.' && (end + 1 == text.size() || text[end + 1] == ' '));
    if (left && right) return true;
  }
  return false;
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
  for (const auto& n : s->nodes) {
    std::vector<std::string> life;
    for (const auto& e : s->events)
      if (names(e.substr(0, e.find(';')), n.name)) life.push_back(e);  // after ';': other nodes, as context
    if (json) {
      out["nodes"].push_back({{"name", n.name}, {"state", n.state}, {"cores", n.cores}, {"busy", n.busy}, {"events", life}});
      continue;
    }
    io.out << n.name << "  " << n.state << "  " << n.busy << "/" << n.cores << " cores busy\n";
    for (const auto& e : life) io.out << "    " << e << "\n";
  }
  if (json) io.out << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return kExitOk;
}

}  // namespace compss::cli
