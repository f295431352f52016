// compss explain: why a task is where it is.
#include <compss/client.hpp>

#include "tools/cli/command_options.h"
#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"

namespace compss::cli {

int run_explain(const std::vector<std::string>& args, Io& io) {
  auto cmd = parse_explain(args);
  if (!cmd) return usage_error(io, "explain", cmd.error().message);
  if (cmd->help) {
    io.out << explain_help();
    return kExitOk;
  }
  auto conn = client::Connection::connect();
  if (!conn) return client_error(io, "explain", conn.error());
  auto e = conn->explain(cmd->id);
  if (!e) return client_error(io, "explain", e.error());
  if (cmd->json)
    io.out << explain_json(*e) << "\n";
  else
    print_explanation(io, *e);
  return kExitOk;
}

}  // namespace compss::cli
