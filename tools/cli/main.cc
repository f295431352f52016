// compss: the user's command line to the runtime of a job (doc/man/compss.1).
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"
#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"

namespace {

struct Command {
  std::string_view name;
  int (*run)(const std::vector<std::string>&, compss::cli::Io&);
  std::string_view summary;
};

constexpr Command kCommands[] = {
    {"submit", compss::cli::run_submit, "add a task (or an array of tasks) to the graph; prints its id"},
    {"wait", compss::cli::run_wait, "wait for tasks; the exit status says whether they succeeded"},
    {"status", compss::cli::run_status, "tasks per state, nodes, recent events"},
    {"cancel", compss::cli::run_cancel, "cancel tasks and their successors"},
    {"explain", compss::cli::run_explain, "why a task is not running yet"},
    {"nodes", compss::cli::run_nodes, "the job's nodes over time: joined, drained, released, and why"},
    {"resize", compss::cli::run_resize, "+N: grow by N nodes now; -N: drain N nodes and give them back"},
};

void print_help(std::ostream& os) {
  os << "usage: compss [--help] [--version] COMMAND [OPTIONS] [ARGS]\n\n"
        "Talks to the compss runtime of this job (COMPSS_SOCKET, else COMPSS_ADDRESS).\n\n"
        "Commands:\n";
  for (const auto& c : kCommands) os << "  " << c.name << std::string(10 - c.name.size(), ' ') << c.summary << "\n";
  os << "\n'compss COMMAND --help' describes a command. Exit status: 0 success, 1 awaited tasks failed or\n"
        "were cancelled, 2 usage error, 3 cannot reach the runtime, 4 the runtime refused the request.\n";
}

}  // namespace

int main(int argc, char** argv) {
  compss::cli::Io io{std::cout, std::cerr};
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_help(std::cerr);
    return compss::cli::kExitUsage;
  }
  const std::string& first = args.front();
  if (first == "--help" || first == "-h" || first == "help") {
    print_help(std::cout);
    return compss::cli::kExitOk;
  }
  if (first == "--version") {
    std::cout << "compss " << PACKAGE_VERSION << "\n";
    return compss::cli::kExitOk;
  }
  for (const auto& c : kCommands)
    if (c.name == first) return c.run({args.begin() + 1, args.end()}, io);
  std::cerr << "compss: unknown command '" << first << "' (commands: submit, wait, status, cancel, explain, nodes, resize;"
            << " see 'compss --help')\n";
  return compss::cli::kExitUsage;
}
