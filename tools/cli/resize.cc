// compss resize +N | -N: manual elasticity. +N asks SLURM for N more nodes now (bounded by max-nodes);
// -N drains N nodes (idle ones first, never the first node), given back once their tasks are done.
//
// Options are read by hand rather than with option_parser.h: "-2" is an argument here, not an option.
#include <charconv>
#include <compss/client.hpp>

#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"

namespace compss::cli {

namespace {

constexpr const char* kResizeHelp =
    "usage: compss resize [--json] +N | -N\n\n"
    "+N asks SLURM for N more nodes now, one request each, bounded by max-nodes. -N drains N nodes (idle\n"
    "ones first, then the least loaded; never the job's first node): they take no new tasks and are given\n"
    "back to SLURM once their running tasks are done. The elasticity policy goes on deciding afterwards.\n"
    "Follow what happens with 'compss nodes'.\n\n"
    "Options:\n"
    "  --json                print the answer as JSON: {\"grow\": N} or {\"drain\": N}\n"
    "  -h [ --help ]         print this help and exit\n";

}  // namespace

int run_resize(const std::vector<std::string>& args, Io& io) {
  bool json = false;
  std::vector<std::string> words;
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      io.out << kResizeHelp;
      return kExitOk;
    }
    if (a == "--json")
      json = true;
    else if (a.rfind("--", 0) == 0)
      return usage_error(io, "resize", "unrecognised option '" + a + "'");
    else
      words.push_back(a);
  }
  if (words.size() != 1) return usage_error(io, "resize", "expected one argument, +N or -N");
  const std::string& a = words[0];
  std::int32_t n = 0;
  const bool signed_ok = a.size() > 1 && (a[0] == '+' || a[0] == '-');
  auto [end, ec] = std::from_chars(a.data() + (signed_ok ? 1 : 0), a.data() + a.size(), n);
  if (!signed_ok || ec != std::errc() || end != a.data() + a.size() || n <= 0)
    return usage_error(io, "resize", "'" + a + "' is not +N or -N with N a positive number");
  auto conn = client::Connection::connect();
  if (!conn) return client_error(io, "resize", conn.error());
  const bool grow = a[0] == '+';
  if (auto s = conn->resize(grow ? n : -n); !s) return client_error(io, "resize", s.error());
  if (json)
    io.out << resize_json(grow, static_cast<std::uint32_t>(n)) << "\n";
  else
    io.out << (grow ? "asked for " : "draining ") << n << " node(s); see 'compss nodes'\n";
  return kExitOk;
}

}  // namespace compss::cli
