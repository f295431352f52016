// commands.h - the subcommands of compss, one file each (submit.cc, wait.cc, status.cc, cancel.cc,
// explain.cc). Each takes the words after its name, talks to the runtime of this shell through
// libcompss-client, prints to `io`, and returns the exit status (exit_codes.h).
//
// Thread-safety: each call is independent; they share nothing.
#pragma once

#include <string>
#include <vector>

#include "tools/cli/output.h"

namespace compss::cli {

int run_submit(const std::vector<std::string>& args, Io& io);
int run_wait(const std::vector<std::string>& args, Io& io);
int run_status(const std::vector<std::string>& args, Io& io);
int run_cancel(const std::vector<std::string>& args, Io& io);
int run_explain(const std::vector<std::string>& args, Io& io);
int run_nodes(const std::vector<std::string>& args, Io& io);   // nodes.cc
int run_resize(const std::vector<std::string>& args, Io& io);  // resize.cc

}  // namespace compss::cli
