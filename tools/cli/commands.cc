// commands.cc - the table of compss subcommands (commands.h).
#include "tools/cli/commands.h"

namespace compss::cli {

namespace {

constexpr Command kCommands[] = {
    {"submit", run_submit, "add a task (or an array of tasks) to the graph; prints its id"},
    {"wait", run_wait, "wait for tasks; the exit status says whether they succeeded"},
    {"status", run_status, "tasks per state, nodes, recent events"},
    {"cancel", run_cancel, "cancel tasks and their successors"},
    {"explain", run_explain, "why a task is not running yet"},
    {"nodes", run_nodes, "the job's nodes over time: joined, drained, released, and why"},
    {"resize", run_resize, "+N: grow by N nodes now; -N: drain N nodes and give them back"},
};

}  // namespace

std::span<const Command> commands() {
  return kCommands;
}

const Command* find_command(std::string_view name) {
  for (const Command& c : kCommands)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace compss::cli
