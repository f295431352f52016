// compss submit: one task (or an array of them) into the graph; prints its id or id range.
#include <sys/stat.h>

#include <compss/client.hpp>
#include <cstdlib>
#include <filesystem>

#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"
#include "tools/cli/submit_options.h"

namespace compss::cli {

namespace {

// $PWD when it names this directory: it keeps the path the user sees (/home/u/run rather than the
// /gpfs/... a symlink leads to), which is the one other nodes are likely to share.
Result<std::string> caller_cwd() {
  std::error_code ec;
  auto real = std::filesystem::current_path(ec);
  if (ec) return fail("cannot tell the current directory: ", ec.message());
  const char* pwd = std::getenv("PWD");
  struct stat a {
  }, b{};
  if (pwd && pwd[0] == '/' && ::stat(pwd, &a) == 0 && ::stat(".", &b) == 0 && a.st_dev == b.st_dev &&
      a.st_ino == b.st_ino)
    return std::string(pwd);
  return real.string();
}

}  // namespace

int run_submit(const std::vector<std::string>& args, Io& io) {
  auto cwd = caller_cwd();
  if (!cwd) return usage_error(io, "submit", cwd.error().message);
  auto cmd = parse_submit(args, *cwd);
  if (!cmd) return usage_error(io, "submit", cmd.error().message);
  if (cmd->help) {
    io.out << submit_help();
    return kExitOk;
  }
  auto conn = client::Connection::connect();
  if (!conn) return client_error(io, "submit", conn.error());
  auto ids = conn->submit({cmd->spec});
  if (!ids) return client_error(io, "submit", ids.error());
  io.out << (cmd->json ? submit_json(ids->front()) : format_range(ids->front())) << "\n";
  return kExitOk;
}

}  // namespace compss::cli
