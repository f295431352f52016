// compss submit: one task (or an array of them) into the graph; prints its id or id range.
#include <sys/stat.h>

#include <algorithm>
#include <compss/client.hpp>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <iostream>

#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"
#include "tools/cli/submit_options.h"
#include "tools/cli/words.h"

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

// Lines read but not yet sent go in one request once no more input is waiting, or at this many.
constexpr std::size_t kStdinBatch = 1024;

// compss submit --stdin [--json]: one task per line of standard input (compss submit's options and
// command, split as a shell splits words, nothing expanded), over one connection. Lines that arrive
// together go in one request; requests are pipelined (submit_nowait) while more input is waiting, and
// before reading blocks every line's id is printed, in order, so a driver can read them back. A bad line
// stops the reading with its line number; the lines before it are submitted first (and said to be),
// nothing after it is.
int submit_stdin(const std::vector<std::string>& args, Io& io, std::istream& in, const std::string& cwd) {
  bool json = false;
  for (const std::string& a : args) {
    if (a == "--stdin") continue;
    if (a == "--json") {
      json = true;
      continue;
    }
    return usage_error(io, "submit", "--stdin reads each task's options and command from its line; give only --json "
                                     "beside it, not '" + a + "'");
  }
  auto conn = client::Connection::connect();
  if (!conn) return client_error(io, "submit", conn.error());
  std::vector<client::TaskSpec> batch;
  std::uint64_t line_no = 0, first_in_batch = 0, sent = 0;
  struct InFlight {
    std::uint64_t ticket, first, last, count;
  };
  std::deque<InFlight> in_flight;
  auto not_submitted = [&](std::uint64_t first, std::uint64_t last, const client::Error& e) {
    io.err << "compss submit: stdin lines " << first << "-" << last << " not submitted: " << e.message << " ("
           << sent << " task(s) of earlier lines were)\n";
    return exit_status_for(e);
  };
  // Prints the ids of every request sent, in order.
  // Prints the ids of every request sent, in order. After a refused request, the requests already sent
  // behind it are still answered: their tasks exist, and the message says which lines they are.
  auto collect = [&]() -> int {
    for (; !in_flight.empty(); in_flight.pop_front()) {
      const InFlight& f = in_flight.front();
      auto ids = conn->ids_of(f.ticket);
      if (!ids) {
        io.out.flush();
        int rc = not_submitted(f.first, f.last, ids.error());
        for (in_flight.pop_front(); !in_flight.empty(); in_flight.pop_front()) {
          const InFlight& later = in_flight.front();
          auto more = conn->ids_of(later.ticket);
          if (!more) continue;
          io.err << "compss submit: stdin lines " << later.first << "-" << later.last
                 << ", sent before that answer came, were submitted:";
          for (const client::IdRange& r : *more) io.err << " " << format_range(r);
          io.err << "\n";
        }
        return rc;
      }
      for (const client::IdRange& r : *ids) io.out << (json ? submit_json(r) : format_range(r)) << "\n";
      sent += f.count;
    }
    io.out.flush();
    return kExitOk;
  };
  // Sends the lines read so far, the last of them `last`, without waiting for the answer.
  auto flush = [&](std::uint64_t last) -> int {
    if (batch.empty()) return kExitOk;
    auto ticket = conn->submit_nowait(batch);
    if (!ticket) {
      if (int rc = collect(); rc != kExitOk) return rc;
      return not_submitted(first_in_batch, last, ticket.error());
    }
    in_flight.push_back({*ticket, first_in_batch, last, batch.size()});
    batch.clear();
    return kExitOk;
  };
  auto stop_at = [&](const std::string& why) {
    if (int rc = flush(line_no - 1); rc != kExitOk) return rc;
    if (int rc = collect(); rc != kExitOk) return rc;
    return usage_error(io, "submit", "stdin line " + std::to_string(line_no) + ": " + why + " (" +
                                         std::to_string(sent) + " task(s) of earlier lines were submitted; nothing after it was read)");
  };
  std::string line;
  while (std::getline(in, line)) {
    ++line_no;
    if (batch.empty()) first_in_batch = line_no;
    auto words = split_words(line);
    if (!words) return stop_at(words.error().message);
    if (words->empty()) continue;
    auto cmd = parse_submit(*words, cwd);
    if (!cmd) return stop_at(cmd.error().message);
    if (cmd->help) return stop_at("--help is not a task");
    if (cmd->json) return stop_at("--json goes after --stdin, not on a line");
    batch.push_back(std::move(cmd->spec));
    if (batch.size() >= kStdinBatch)
      if (int rc = flush(line_no); rc != kExitOk) return rc;
    if (in.rdbuf()->in_avail() <= 0) {  // reading may block: the driver may be waiting for these ids
      if (int rc = flush(line_no); rc != kExitOk) return rc;
      if (int rc = collect(); rc != kExitOk) return rc;
    }
  }
  if (int rc = flush(line_no); rc != kExitOk) return rc;
  return collect();
}

}  // namespace

int run_submit(const std::vector<std::string>& args, Io& io) {
  auto cwd = caller_cwd();
  if (!cwd) return usage_error(io, "submit", cwd.error().message);
  const auto end = std::find(args.begin(), args.end(), "--");
  if (std::find(args.begin(), end, "--stdin") != end) return submit_stdin(args, io, io.in ? *io.in : std::cin, *cwd);
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
