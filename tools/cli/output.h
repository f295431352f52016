// output.h - how the compss CLI speaks: results as text or JSON on stdout, errors on stderr as
// "compss <command>: <message>", and the exit status that goes with each kind of error.
//
// The text forms are for people; the JSON forms (--json) are for scripts and are documented in
// doc/man/compss.1 (one JSON object per command, on one line).
//
// Thread-safety: writes to the streams it is given; no state of its own.
#pragma once

#include <nlohmann/json.hpp>

#include <compss/result.hpp>
#include <compss/types.hpp>
#include <ostream>
#include <string>
#include <vector>
#include <string_view>

namespace compss::cli {

struct Io {
  std::ostream& out;
  std::ostream& err;
  std::istream* in = nullptr;  // standard input when null (compss submit --stdin)
  // --json was given: an error is also printed on stdout as {"error": ..., "command": ..., "exit": N}, so
  // that a script reading the JSON reads the failure too (the words stay on stderr).
  bool json = false;
};

// Whether `args` (the words after the command) ask for --json, before any "--".
bool wants_json(const std::vector<std::string>& args);

// Prints the usage error with a pointer to --help; returns kExitUsage.
int usage_error(Io& io, std::string_view command, std::string_view message);

// Prints the client's error; returns the exit status for its kind (3 unreachable/lost/protocol,
// 4 refused, 2 usage).
int client_error(Io& io, std::string_view command, const client::Error& e);
int exit_status_for(const client::Error& e);

// "12", or "12-20" for a range.
std::string format_range(const client::IdRange& r);

std::string submit_json(const client::IdRange& ids);
std::string wait_json(const client::WaitResult& w);
std::string status_json(const client::RunStatus& s);
// The JSON of one node life and of one event, as `status --json` and `nodes --json` give them.
nlohmann::json node_json(const client::NodeInfo& n);
nlohmann::json event_json(const client::Event& e);
std::string seconds_stamp(double t);  // "   12.3 s  "
std::string cancel_json(std::uint64_t count);
std::string explain_json(const client::Explanation& e);
std::string resize_json(bool grow, std::uint32_t nodes);  // {"grow": N} or {"drain": N}

void print_wait(Io& io, const client::WaitResult& w);
void print_status(Io& io, const client::RunStatus& s);
void print_explanation(Io& io, const client::Explanation& e);

}  // namespace compss::cli
