#include "tools/cli/submit_options.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <boost/program_options.hpp>
#include <compss/client.hpp>
#include <limits>
#include <sstream>

#include "common/client/paths.h"
#include "common/util/parse.h"
#include "tools/cli/option_parser.h"
#include "tools/cli/values.h"

namespace compss::cli {

namespace po = boost::program_options;

namespace {

constexpr std::uint64_t kU32Max = std::numeric_limits<std::uint32_t>::max();
// An --after range is expanded here (the protocol's `after` lists single ids); past this, use --group.
constexpr std::uint64_t kMaxAfterIds = 1000000;

// The options as typed; every value is parsed afterwards so that errors name the option.
struct RawSubmit {
  std::optional<std::string> name, cpus, cpus_per_rank, mem, gpus, gpus_per_rank, time, nodes, ranks, ranks_per_node, on_failure, retries, timeout,
      group, priority, array, export_env, cwd;
  bool mpi = false, stdin_lines = false;
  std::vector<std::string> in, out, inout, after, custom, env;
  CommonFlags flags;
};

po::options_description submit_description(RawSubmit& r) {
  po::options_description d("Options");
  auto many = [](std::vector<std::string>* v, const char* name) { return po::value(v)->value_name(name)->composing(); };
  // clang-format off
  d.add_options()
      ("name", opt(&r.name)->value_name("N"), "task name (default: the command's name)")
      ("cpus", opt(&r.cpus)->value_name("C"), "cores per rank (default 1)")
      ("mem", opt(&r.mem)->value_name("SIZE"), "memory per rank: 512M, 4G, ... (default: no request)")
      ("gpus", opt(&r.gpus)->value_name("G"), "GPUs per rank (default 0)")
      ("cpus-per-rank", opt(&r.cpus_per_rank)->value_name("C"), "--cpus, as MPI tasks spell it")
      ("gpus-per-rank", opt(&r.gpus_per_rank)->value_name("G"), "--gpus, as MPI tasks spell it")
      ("time", opt(&r.time)->value_name("T"), "expected longest run: 90, 5m, 1h30m, 1-00:00:00 (not started if it would end past the job)")
      ("nodes", opt(&r.nodes)->value_name("K"), "nodes an MPI task spans (default: as few as its ranks need)")
      ("mpi", po::bool_switch(&r.mpi), "an MPI program: one SLURM step (PMIx) over all its ranks")
      ("ranks", opt(&r.ranks)->value_name("P"), "MPI processes in all (default 1)")
      ("ranks-per-node", opt(&r.ranks_per_node)->value_name("Q"), "MPI processes on each node (default: as they fit)")
      ("in", many(&r.in, "F"), "a file the task reads (repeatable)")
      ("out", many(&r.out, "F"), "a file the task writes (repeatable)")
      ("inout", many(&r.inout, "F"), "a file the task reads and writes (repeatable)")
      ("after", many(&r.after, "ID"), "run after task ID, or after every task of a range 12-20 (repeatable)")
      ("on-failure", opt(&r.on_failure)->value_name("P"), "retry (default), cancel-successors, fail or ignore")
      ("retries", opt(&r.retries)->value_name("N"), "re-runs under retry (default: the runtime's)")
      ("timeout", opt(&r.timeout)->value_name("S"), "kill a run longer than this, and count it failed")
      ("group", opt(&r.group)->value_name("G"), "group name, for compss wait/cancel --group")
      ("priority", opt(&r.priority)->value_name("P"), "higher runs first among ready tasks (default 0)")
      ("array", opt(&r.array)->value_name("A-B[:S]"), "one task per index; {i} in the command is the index")
      ("custom", many(&r.custom, "NAME=AMOUNT"), "a custom resource per rank (repeatable)")
      ("env", many(&r.env, "K=V"), "set K to V in the task's environment (repeatable)")
      ("export", opt(&r.export_env)->value_name("E"), "what of this environment the task gets: ALL (default), NONE (the job's as it started), or K1,K2,K3=V,...")
      ("cwd", opt(&r.cwd)->value_name("DIR"), "where the task runs (default: the current directory)")
      ("stdin", po::bool_switch(&r.stdin_lines), "one task per line of standard input (its options, --, the command); alone or with --json");
  // clang-format on
  add_common_options(d, r.flags);
  return d;
}

Result<std::uint32_t> u32(const std::string& v, std::string_view what, std::uint64_t lo) {
  auto r = parse_uint(v, what, lo, kU32Max);
  if (!r) return r.error();
  return static_cast<std::uint32_t>(*r);
}

Result<std::uint32_t> seconds(const std::string& v, std::string_view what) {
  auto d = parse_duration(v);
  if (!d) return fail(what, ": ", d.error().message);
  if (*d > kU32Max) return fail("bad ", what, " '", v, "': at most 4294967295 seconds");
  return static_cast<std::uint32_t>(*d);
}

// Sets `field` from `raw` when the option was given; on failure `field` is left as it was.
template <class T, class Parse>
Status assign(const std::optional<std::string>& raw, T& field, Parse parse) {
  if (!raw) return ok_status();
  auto r = parse(*raw);
  if (!r) return r.error();
  field = std::move(*r);
  return ok_status();
}

Status first_error(std::initializer_list<Status> steps) {
  for (const auto& s : steps)
    if (!s) return s;
  return ok_status();
}

Status parse_custom(const RawSubmit& r, client::TaskSpec& t) {
  for (const auto& c : r.custom) {
    auto a = parse_amount(c, "--custom");
    if (!a) return a.error();
    bool repeated = std::any_of(t.custom.begin(), t.custom.end(), [&](auto& x) { return x.name == a->name; });
    if (repeated) return fail("bad --custom '", c, "': resource '", a->name, "' is given twice");
    t.custom.push_back(*a);
  }
  return ok_status();
}

Status parse_resources(const RawSubmit& r, client::TaskSpec& t) {
  if (r.cpus && r.cpus_per_rank) return fail("--cpus and --cpus-per-rank say the same: give one");
  if (r.gpus && r.gpus_per_rank) return fail("--gpus and --gpus-per-rank say the same: give one");
  auto s = first_error({
      assign(r.cpus ? r.cpus : r.cpus_per_rank, t.cpus,
             [&](auto& v) { return u32(v, r.cpus ? "--cpus" : "--cpus-per-rank", 1); }),
      assign(r.mem, t.memory,
             [](auto& v) -> Result<std::uint64_t> {
               auto size = parse_size(v);
               if (!size) return fail("--mem: ", size.error().message);
               return *size;
             }),
      assign(r.gpus ? r.gpus : r.gpus_per_rank, t.gpus,
             [&](auto& v) { return u32(v, r.gpus ? "--gpus" : "--gpus-per-rank", 0); }),
      assign(r.time, t.time_limit_s, [](auto& v) { return seconds(v, "--time"); }),
      assign(r.nodes, t.nodes, [](auto& v) { return u32(v, "--nodes", 0); }),
      assign(r.ranks, t.ranks, [](auto& v) { return u32(v, "--ranks", 1); }),
      assign(r.ranks_per_node, t.ranks_per_node, [](auto& v) { return u32(v, "--ranks-per-node", 1); }),
  });
  if (!s) return s;
  if (t.ranks_per_node > t.ranks)
    return fail("bad --ranks-per-node '", *r.ranks_per_node, "': more than --ranks (", std::to_string(t.ranks), ")");
  t.mpi = r.mpi;
  if ((t.ranks > 1 || t.nodes > 1 || r.ranks_per_node) && !t.mpi)
    return fail("--ranks, --nodes and --ranks-per-node are for MPI programs: add --mpi");
  if (t.mpi && !r.nodes) t.nodes = 0;  // as few nodes as the ranks need
  return parse_custom(r, t);
}

Status parse_policy(const RawSubmit& r, client::TaskSpec& t) {
  auto s = first_error({
      assign(r.on_failure, t.on_failure, [](auto& v) { return parse_on_failure(v, "--on-failure"); }),
      assign(r.retries, t.retries,
             [](auto& v) -> Result<std::optional<std::uint32_t>> {
               auto n = u32(v, "--retries", 0);
               if (!n) return n.error();
               return std::optional<std::uint32_t>(*n);
             }),
      assign(r.timeout, t.timeout_s, [](auto& v) { return seconds(v, "--timeout"); }),
      assign(r.priority, t.priority, [](auto& v) { return parse_int32(v, "--priority"); }),
      assign(r.array, t.array,
             [](auto& v) -> Result<std::optional<client::ArraySpec>> {
               auto a = parse_array(v, "--array");
               if (!a) return a.error();
               return std::optional<client::ArraySpec>(*a);
             }),
  });
  if (!s) return s;
  if (t.retries && t.on_failure != client::OnFailure::kRetry)
    return fail("--retries applies to --on-failure retry only, not '", *r.on_failure, "'");
  return ok_status();
}

Result<std::string> text_value(const std::optional<std::string>& v, std::string_view what) {
  if (!v) return std::string();
  if (v->empty()) return fail("bad ", what, ": it may not be empty");
  if (v->find('\n') != std::string::npos) return fail("bad ", what, ": it may not contain a line break");
  return *v;
}

// A variable name as a shell writes one.
bool variable_name(std::string_view n) {
  if (n.empty() || std::isdigit(static_cast<unsigned char>(n[0]))) return false;
  return std::all_of(n.begin(), n.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// What the runtime sets in every task, so that a value given for it would be overwritten.
bool runtime_sets(std::string_view n) {
  return n.starts_with("COMPSS_") || n == "OMP_NUM_THREADS" || n == "CUDA_VISIBLE_DEVICES" || n == "CUDA_DEVICE_ORDER";
}

// --env K=V: K a variable name the runtime does not set itself.
Status add_env(std::string_view item, std::string_view what, client::TaskSpec& t) {
  auto eq = item.find('=');
  std::string_view name = item.substr(0, eq);
  if (eq == std::string_view::npos || !variable_name(name))
    return fail("bad ", what, " '", std::string(item), "': expected NAME=VALUE, NAME made of letters, digits and _");
  if (runtime_sets(name))
    return fail("bad ", what, " '", std::string(item), "': ", std::string(name),
                " is set by the runtime for each task (compss(1), TASK ENVIRONMENT)");
  t.env.emplace_back(item);
  return ok_status();
}

// --export=ALL|NONE|ITEM,... as sbatch spells it: ALL or NONE first (ALL when neither), then names taken
// from this environment and NAME=VALUE items set as --env sets them.
Status parse_export(const RawSubmit& r, client::TaskSpec& t) {
  t.export_env = client::ExportEnv::kAll;
  for (const auto& e : r.env)
    if (auto s = add_env(e, "--env", t); !s) return s;
  if (!r.export_env) return ok_status();
  const std::string& v = *r.export_env;
  if (v.empty()) return fail("bad --export: give ALL, NONE or a list of variables (K1,K2,K3=V)");
  std::vector<std::string_view> items;
  for (std::size_t at = 0;;) {
    auto comma = v.find(',', at);
    items.push_back(std::string_view(v).substr(at, comma == std::string::npos ? std::string::npos : comma - at));
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  auto upper = [](std::string_view s) {
    std::string u(s);
    for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return u;
  };
  std::size_t i = 0;
  if (upper(items[0]) == "ALL") {
    ++i;
  } else if (upper(items[0]) == "NONE") {
    t.export_env = client::ExportEnv::kNone;
    ++i;
  } else {
    t.export_env = client::ExportEnv::kNames;
  }
  for (; i < items.size(); ++i) {
    std::string_view item = items[i];
    if (item.empty()) return fail("bad --export '", v, "': an empty item");
    if (upper(item) == "ALL" || upper(item) == "NONE")
      return fail("bad --export '", v, "': ", std::string(item), " may only come first");
    if (item.find('=') != std::string_view::npos) {
      if (auto s = add_env(item, "--export", t); !s) return s;
      continue;
    }
    if (!variable_name(item)) return fail("bad --export '", v, "': '", std::string(item), "' is not a variable name");
    if (!client::exported_variable(item))
      return fail("bad --export '", v, "': ", std::string(item),
                  " comes from the node where the task runs, not from the submitter");
    if (t.export_env == client::ExportEnv::kNames) t.export_names.emplace_back(item);
    // Under ALL the variable comes anyway; under NONE a bare name exports it alone, as sbatch does not:
    else if (t.export_env == client::ExportEnv::kNone)
      return fail("bad --export '", v, "': NONE exports nothing; give the names alone (--export=", std::string(item),
                  ") or NAME=VALUE");
  }
  return ok_status();
}

Status parse_after(const RawSubmit& r, client::TaskSpec& t) {
  for (const auto& a : r.after) {
    auto range = parse_id_range(a, "--after");
    if (!range) return range.error();
    if (range->count() > kMaxAfterIds || t.after.size() + range->count() > kMaxAfterIds)
      return fail("bad --after '", a, "': more than 1000000 tasks; put them in a --group and wait for it");
    for (auto id = range->first;; ++id) {
      t.after.push_back(id);
      if (id == range->last) break;
    }
  }
  return ok_status();
}

Result<client::TaskSpec> build_spec(const RawSubmit& r, std::vector<std::string> command, std::string_view cwd) {
  client::TaskSpec t;
  if (command.empty()) return fail("missing command: give it after '--', e.g. compss submit --cpus 2 -- ./simulate 3");
  t.argv = std::move(command);
  auto name = text_value(r.name, "--name");
  if (!name) return name.error();
  auto group = text_value(r.group, "--group");
  if (!group) return group.error();
  t.name = *name;
  t.group = *group;
  t.in = r.in;
  t.out = r.out;
  t.inout = r.inout;
  if (r.cwd) {
    auto dir = text_value(r.cwd, "--cwd");
    if (!dir) return dir.error();
    t.cwd = *dir;
  }
  for (auto step : {parse_resources, parse_policy, parse_after, parse_export}) {
    auto s = step(r, t);
    if (!s) return s.error();
  }
  t = client::with_absolute_paths(std::move(t), cwd);
  if (!r.cwd) return t;
  struct stat st {};
  // stat() needs only its parents' permission; entering it (what the task does first) needs its own.
  const bool seen = ::stat(t.cwd.c_str(), &st) == 0;
  if ((!seen && errno != EACCES) || (seen && !S_ISDIR(st.st_mode)))
    return fail("bad --cwd '", *r.cwd, "': ", t.cwd, " is not a directory here");
  if (::access(t.cwd.c_str(), X_OK) != 0)  // another user's directory
    return fail("bad --cwd '", *r.cwd, "': you cannot reach ", t.cwd, " (", std::strerror(errno), ")");
  return t;
}

}  // namespace

Result<SubmitCommand> parse_submit(const std::vector<std::string>& args, std::string_view cwd) {
  RawSubmit raw;
  auto desc = submit_description(raw);
  std::vector<std::string> command;
  auto parsed = parse_options(args, desc, &command);
  if (!parsed) return parsed.error();
  SubmitCommand cmd;
  cmd.json = raw.flags.json;
  cmd.help = raw.flags.help;
  if (cmd.help) return cmd;
  // run_submit takes --stdin before parsing; here it is on a line of its input, or after other options.
  if (raw.stdin_lines) return fail("--stdin reads the tasks from standard input: give it with nothing but --json");
  auto spec = build_spec(raw, std::move(command), cwd);
  if (!spec) return spec.error();
  cmd.spec = std::move(*spec);
  return cmd;
}

std::string submit_help() {
  RawSubmit raw;
  std::ostringstream os;
  os << "usage: compss submit [OPTIONS] -- CMD [ARGS...]\n\n"
        "Adds one task (or, with --array, one per index) to the job's task graph and prints its id\n"
        "(a range FIRST-LAST for an array). Relative paths are taken from the current directory.\n"
        "'compss submit --stdin [--json]' reads one task per line (these options, --, the command) and\n"
        "prints each line's id in order.\n\n";
  print_options(os, submit_description(raw));
  return os.str();
}

}  // namespace compss::cli
