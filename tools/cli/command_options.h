// command_options.h - the command lines of `compss wait`, `status`, `cancel` and `explain` turned into
// what they ask for (submit has its own file, submit_options.h).
//
//   auto w = parse_wait({"12", "20-29", "--timeout", "1h"});
//   // w->what.ids == {{12,12},{20,29}}, w->timeout_s == 3600
//
// Failure: a usage error (exit status 2) naming the option or argument and what it accepts.
// Thread-safety: pure functions.
#pragma once

#include <compss/types.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "common/util/result.h"

namespace compss::cli {

struct WaitCommand {
  client::Selection what;  // no selector given: every task (--all)
  std::uint32_t timeout_s = 0;
  bool json = false;
  bool help = false;
};

struct StatusCommand {
  bool json = false;
  bool help = false;
};

struct CancelCommand {
  client::Selection what;
  bool json = false;
  bool help = false;
};

struct ExplainCommand {
  client::TaskId id = 0;
  bool json = false;
  bool help = false;
};

Result<WaitCommand> parse_wait(const std::vector<std::string>& args);
Result<StatusCommand> parse_status(const std::vector<std::string>& args);
Result<CancelCommand> parse_cancel(const std::vector<std::string>& args);
Result<ExplainCommand> parse_explain(const std::vector<std::string>& args);

std::string wait_help();
std::string status_help();
std::string cancel_help();
std::string explain_help();

}  // namespace compss::cli
