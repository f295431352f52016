// submit_options.h - the command line of `compss submit` turned into the task it submits.
//
// Kept apart from the sending (submit.cc) so that tests can check, line by line, which request a
// command line makes and which usage error a bad one gets. Relative paths (--in/--out/--inout) and the
// working directory are made absolute here: the daemon and its agents run elsewhere.
//
//   auto cmd = parse_submit({"--cpus", "4", "--mem", "2G", "--", "./sim", "3"}, "/home/me/run");
//   // cmd->spec.cpus == 4, cmd->spec.memory == 2 << 30, cmd->spec.argv == {"./sim", "3"}
//
// Failure: a usage error (exit status 2) whose message names the option and what it accepts.
// Thread-safety: pure functions.
#pragma once

#include <compss/types.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace compss::cli {

struct SubmitCommand {
  client::TaskSpec spec;
  bool json = false;
  bool help = false;  // --help: print submit_help() and nothing else
};

// `args` are the words after "submit"; `cwd` (absolute) is where relative paths start.
Result<SubmitCommand> parse_submit(const std::vector<std::string>& args, std::string_view cwd);

std::string submit_help();

}  // namespace compss::cli
