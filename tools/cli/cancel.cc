// compss cancel: tasks (by id or group) and their successors.
#include <compss/client.hpp>

#include "tools/cli/command_options.h"
#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"

namespace compss::cli {

int run_cancel(const std::vector<std::string>& args, Io& io) {
  auto cmd = parse_cancel(args);
  if (!cmd) return usage_error(io, "cancel", cmd.error().message);
  if (cmd->help) {
    io.out << cancel_help();
    return kExitOk;
  }
  auto conn = client::Connection::connect();
  if (!conn) return client_error(io, "cancel", conn.error());
  auto n = conn->cancel(cmd->what);
  if (!n) return client_error(io, "cancel", n.error());
  if (cmd->json)
    io.out << cancel_json(*n) << "\n";
  else
    io.out << "cancelled " << *n << (*n == 1 ? " task" : " tasks") << "\n";
  return kExitOk;
}

}  // namespace compss::cli
