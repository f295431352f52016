#include "tools/cli/command_options.h"

#include <limits>
#include <optional>
#include <sstream>

#include "common/util/parse.h"
#include "tools/cli/option_parser.h"
#include "tools/cli/values.h"

namespace compss::cli {

namespace po = boost::program_options;

namespace {

struct RawSelection {
  std::optional<std::string> group, timeout;
  bool all = false;
  CommonFlags flags;
  std::vector<std::string> ids;
};

po::options_description wait_description(RawSelection& r) {
  po::options_description d("Options");
  // clang-format off
  d.add_options()
      ("group", opt(&r.group)->value_name("G"), "every task of group G")
      ("all", po::bool_switch(&r.all), "every task submitted so far (the default)")
      ("timeout", opt(&r.timeout)->value_name("T"), "give up after T (90, 5m, 1h30m): exit status 1");
  // clang-format on
  add_common_options(d, r.flags);
  return d;
}

po::options_description cancel_description(RawSelection& r) {
  po::options_description d("Options");
  // clang-format off
  d.add_options()("group", opt(&r.group)->value_name("G"), "every task of group G");
  // clang-format on
  add_common_options(d, r.flags);
  return d;
}

po::options_description plain_description(CommonFlags& flags) {
  po::options_description d("Options");
  add_common_options(d, flags);
  return d;
}

// The ids, the group, or neither; both is an error.
Result<client::Selection> selection(const RawSelection& r, bool allow_all) {
  int given = (r.ids.empty() ? 0 : 1) + (r.group ? 1 : 0) + (r.all ? 1 : 0);
  if (given > 1)
    return fail(allow_all ? "give task ids, --group or --all, not several" : "give task ids or --group, not both");
  if (r.group) {
    if (r.group->empty()) return fail("bad --group: it may not be empty");
    return client::Selection::of_group(*r.group);
  }
  std::vector<client::IdRange> ranges;
  for (const auto& word : r.ids) {
    auto range = parse_id_range(word, "task id");
    if (!range) return range.error();
    ranges.push_back(*range);
  }
  if (ranges.empty()) return client::Selection::everything();
  return client::Selection::of_ranges(std::move(ranges));
}

std::string help(const char* usage, const char* what, const po::options_description& d) {
  std::ostringstream os;
  os << "usage: " << usage << "\n\n" << what << "\n\n";
  print_options(os, d);
  return os.str();
}

}  // namespace

Result<WaitCommand> parse_wait(const std::vector<std::string>& args) {
  RawSelection raw;
  auto d = wait_description(raw);
  if (auto s = parse_options(args, d, &raw.ids); !s) return s.error();
  WaitCommand cmd;
  cmd.json = raw.flags.json;
  cmd.help = raw.flags.help;
  if (cmd.help) return cmd;
  auto what = selection(raw, true);
  if (!what) return what.error();
  cmd.what = std::move(*what);
  if (raw.timeout) {
    auto t = parse_duration(*raw.timeout);
    if (!t) return fail("--timeout: ", t.error().message);
    if (*t == 0 || *t > std::numeric_limits<std::uint32_t>::max())
      return fail("bad --timeout '", *raw.timeout, "': must be between 1 second and 4294967295 seconds");
    cmd.timeout_s = static_cast<std::uint32_t>(*t);
  }
  return cmd;
}

Result<StatusCommand> parse_status(const std::vector<std::string>& args) {
  StatusCommand cmd;
  CommonFlags flags;
  auto d = plain_description(flags);
  if (auto s = parse_options(args, d, nullptr); !s) return s.error();
  cmd.json = flags.json;
  cmd.help = flags.help;
  return cmd;
}

Result<CancelCommand> parse_cancel(const std::vector<std::string>& args) {
  RawSelection raw;
  auto d = cancel_description(raw);
  if (auto s = parse_options(args, d, &raw.ids); !s) return s.error();
  CancelCommand cmd;
  cmd.json = raw.flags.json;
  cmd.help = raw.flags.help;
  if (cmd.help) return cmd;
  auto what = selection(raw, false);
  if (!what) return what.error();
  if (what->all) return fail("nothing to cancel: give task ids or --group G");
  cmd.what = std::move(*what);
  return cmd;
}

Result<ExplainCommand> parse_explain(const std::vector<std::string>& args) {
  CommonFlags flags;
  auto d = plain_description(flags);
  std::vector<std::string> ids;
  if (auto s = parse_options(args, d, &ids); !s) return s.error();
  ExplainCommand cmd;
  cmd.json = flags.json;
  cmd.help = flags.help;
  if (cmd.help) return cmd;
  if (ids.size() != 1) return fail("give exactly one task id, e.g. compss explain 12");
  auto id = parse_uint(ids.front(), "task id");
  if (!id) return id.error();
  cmd.id = *id;
  return cmd;
}

std::string wait_help() {
  RawSelection raw;
  return help("compss wait [ID...|--group G|--all] [--timeout T] [--json]",
              "Waits until the tasks are finished. Exit status 0 when every one of them succeeded; 1 when\n"
              "some failed or were cancelled (it says which and why) or the timeout passed first.\n"
              "An ID may be a range FIRST-LAST, as compss submit --array prints it.",
              wait_description(raw));
}

std::string status_help() {
  CommonFlags flags;
  return help("compss status [--json]",
              "Shows the run: tasks per state, the job's nodes, recent events, and the outcome so far.",
              plain_description(flags));
}

std::string cancel_help() {
  RawSelection raw;
  return help("compss cancel ID...|--group G [--json]",
              "Cancels the tasks and every task that depends on them; running ones are killed.",
              cancel_description(raw));
}

std::string explain_help() {
  CommonFlags flags;
  return help("compss explain ID [--json]",
              "Says why a task is where it is: what it waits for, what it needs that no node has free.",
              plain_description(flags));
}

}  // namespace compss::cli
