// compss wait: a barrier; the exit status says whether the awaited tasks succeeded.
#include <compss/client.hpp>

#include "tools/cli/command_options.h"
#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"

namespace compss::cli {

int run_wait(const std::vector<std::string>& args, Io& io) {
  auto cmd = parse_wait(args);
  if (!cmd) return usage_error(io, "wait", cmd.error().message);
  if (cmd->help) {
    io.out << wait_help();
    return kExitOk;
  }
  auto conn = client::Connection::connect();
  if (!conn) return client_error(io, "wait", conn.error());
  auto w = conn->wait(cmd->what, cmd->timeout_s);
  if (!w) return client_error(io, "wait", w.error());
  if (cmd->json)
    io.out << wait_json(*w) << "\n";
  else
    print_wait(io, *w);
  if (!w->failed.empty() || !w->cancelled.empty()) return kExitTasksFailed;  // final, whatever else is pending
  return w->timed_out ? kExitTimedOut : kExitOk;
}

}  // namespace compss::cli
