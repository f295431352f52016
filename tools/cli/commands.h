// commands.h - the subcommands of compss: the one table of them (`commands()`, commands.cc) and their
// entry points, one file each: submit.cc, wait.cc, status.cc, cancel.cc, explain.cc, nodes.cc, resize.cc.
// main.cc dispatches through the table and prints it for `compss --help`; the man-page test
// (tests/unit/client/test_man_page.cc) checks doc/man/compss.1 against the same table, so a new
// subcommand is one line there, one file, and a section of the man page.
//
// Each entry point takes the words after its name, talks to the runtime of this shell through
// libcompss-client, prints to `io`, and returns the exit status (exit_codes.h).
//
// Thread-safety: each call is independent; they share nothing. The table is immutable.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tools/cli/output.h"

namespace compss::cli {

int run_submit(const std::vector<std::string>& args, Io& io);
int run_wait(const std::vector<std::string>& args, Io& io);
int run_status(const std::vector<std::string>& args, Io& io);
int run_cancel(const std::vector<std::string>& args, Io& io);
int run_explain(const std::vector<std::string>& args, Io& io);
int run_nodes(const std::vector<std::string>& args, Io& io);
int run_resize(const std::vector<std::string>& args, Io& io);

struct Command {
  std::string_view name;
  int (*run)(const std::vector<std::string>& args, Io& io);
  std::string_view summary;  // one line, for `compss --help`
};

// Every subcommand, in the order `compss --help` lists them.
std::span<const Command> commands();

// The command named `name`, or null.
const Command* find_command(std::string_view name);

}  // namespace compss::cli
