// compss: the user's command line to the runtime of a job (doc/man/compss.1).
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"
#include "common/util/parse.h"
#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"

namespace {

using compss::cli::Command;
using compss::cli::commands;

void print_help(std::ostream& os) {
  os << "usage: compss [--help] [--version] COMMAND [OPTIONS] [ARGS]\n\n"
        "Talks to the compss runtime of this job (COMPSS_SOCKET, else COMPSS_ADDRESS).\n\n"
        "Commands:\n";
  for (const Command& c : commands()) os << "  " << c.name << std::string(10 - c.name.size(), ' ') << c.summary << "\n";
  os << "\n'compss COMMAND --help' describes a command. Exit status: 0 success, 1 awaited tasks failed or\n"
        "were cancelled, 2 usage error, 3 cannot reach the runtime, 4 the runtime refused the request.\n";
}

std::string command_names() {
  std::vector<std::string_view> names;
  for (const Command& c : commands()) names.push_back(c.name);
  return compss::join(names, ", ");
}

}  // namespace

int main(int argc, char** argv) {
  // The streams keep buffers of their own: `compss submit --stdin` sees how many lines wait in std::cin.
  std::ios_base::sync_with_stdio(false);
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
  if (const Command* c = compss::cli::find_command(first)) {
    std::vector<std::string> rest(args.begin() + 1, args.end());
    io.json = compss::cli::wants_json(rest);
    return c->run(rest, io);
  }
  std::cerr << "compss: unknown command '" << first << "' (commands: " << command_names() << "; see 'compss --help')\n";
  return compss::cli::kExitUsage;
}
