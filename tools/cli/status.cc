// compss status: tasks per state, nodes, recent events, outcome.
#include <compss/client.hpp>

#include "tools/cli/command_options.h"
#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"

namespace compss::cli {

int run_status(const std::vector<std::string>& args, Io& io) {
  auto cmd = parse_status(args);
  if (!cmd) return usage_error(io, "status", cmd.error().message);
  if (cmd->help) {
    io.out << status_help();
    return kExitOk;
  }
  auto conn = client::Connection::connect();
  if (!conn) return client_error(io, "status", conn.error());
  auto s = conn->status();
  if (!s) return client_error(io, "status", s.error());
  if (cmd->json)
    io.out << status_json(*s) << "\n";
  else
    print_status(io, *s);
  return kExitOk;
}

}  // namespace compss::cli
