// The command line of `compss submit`, row by row, to the task it submits; and the usage errors.
#include <catch2/catch.hpp>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"
#include "tools/cli/submit_options.h"
#include "tools/cli/words.h"

using compss::cli::parse_submit;
using compss::client::ArraySpec;
using compss::client::OnFailure;
using compss::client::TaskSpec;
using Args = std::vector<std::string>;

namespace {

constexpr const char* kCwd = "/home/u/run";

// The task a bare `compss submit -- CMD...` makes, for rows to change.
TaskSpec base(Args argv) {
  TaskSpec t;
  t.argv = std::move(argv);
  t.cwd = kCwd;
  t.export_env = compss::client::ExportEnv::kAll;  // compss submit's default: the caller's environment
  return t;
}

struct Row {
  Args args;
  std::function<void(TaskSpec&)> expect;  // what the row changes in base({"sim"})
};

}  // namespace

TEST_CASE("each submit option lands in its field of the request", "[cli][submit]") {
  const std::vector<Row> rows = {
      {{"--", "sim"}, [](TaskSpec&) {}},
      {{"--name", "member", "--", "sim"}, [](TaskSpec& t) { t.name = "member"; }},
      {{"--cpus", "4", "--", "sim"}, [](TaskSpec& t) { t.cpus = 4; }},
      {{"--mem", "2G", "--", "sim"}, [](TaskSpec& t) { t.memory = 2ull << 30; }},
      {{"--mem", "512m", "--", "sim"}, [](TaskSpec& t) { t.memory = 512ull << 20; }},
      {{"--gpus", "2", "--", "sim"}, [](TaskSpec& t) { t.gpus = 2; }},
      {{"--time", "1h30m", "--", "sim"}, [](TaskSpec& t) { t.time_limit_s = 5400; }},
      {{"--time", "1-00:00:00", "--", "sim"}, [](TaskSpec& t) { t.time_limit_s = 86400; }},
      {{"--timeout", "90", "--", "sim"}, [](TaskSpec& t) { t.timeout_s = 90; }},
      {{"--nodes", "2", "--mpi", "--ranks", "8", "--ranks-per-node", "4", "--", "sim"},
       [](TaskSpec& t) {
         t.nodes = 2;
         t.mpi = true;
         t.ranks = 8;
         t.ranks_per_node = 4;
       }},
      {{"--in", "a.txt", "--in", "/data/b", "--out", "../out/c.nc", "--inout", "./d/", "--", "sim"},
       [](TaskSpec& t) {
         t.in = {"/home/u/run/a.txt", "/data/b"};
         t.out = {"/home/u/out/c.nc"};
         t.inout = {"/home/u/run/d"};
       }},
      {{"--after", "3", "--after", "7-9", "--", "sim"},
       [](TaskSpec& t) {
         t.after = {3, 7, 8, 9};
       }},
      {{"--on-failure", "cancel-successors", "--", "sim"},
       [](TaskSpec& t) { t.on_failure = OnFailure::kCancelSuccessors; }},
      {{"--on-failure", "ignore", "--", "sim"}, [](TaskSpec& t) { t.on_failure = OnFailure::kIgnore; }},
      {{"--retries", "3", "--", "sim"}, [](TaskSpec& t) { t.retries = 3; }},
      {{"--retries", "0", "--on-failure", "retry", "--", "sim"}, [](TaskSpec& t) { t.retries = 0; }},
      {{"--group", "members", "--", "sim"}, [](TaskSpec& t) { t.group = "members"; }},
      {{"--priority", "-5", "--", "sim"}, [](TaskSpec& t) { t.priority = -5; }},
      {{"--priority", "2147483647", "--", "sim"}, [](TaskSpec& t) { t.priority = 2147483647; }},
      {{"--array", "1-1000", "--", "sim"},
       [](TaskSpec& t) {
         t.array = ArraySpec{1, 1000, 1};
       }},
      {{"--array", "0-99:10", "--", "sim"},
       [](TaskSpec& t) {
         t.array = ArraySpec{0, 99, 10};
       }},
      {{"--array", "7", "--", "sim"},
       [](TaskSpec& t) {
         t.array = ArraySpec{7, 7, 1};
       }},
      {{"--custom", "license=2", "--custom", "fpga=1", "--", "sim"},
       [](TaskSpec& t) {
         t.custom = {{"license", 2}, {"fpga", 1}};
       }},
      {{"--env", "A=1", "--env", "B=x=y", "--env", "C=", "--", "sim"}, [](TaskSpec& t) { t.env = {"A=1", "B=x=y", "C="}; }},
      {{"--export", "NONE", "--", "sim"}, [](TaskSpec& t) { t.export_env = compss::client::ExportEnv::kNone; }},
      {{"--export", "none,K=v", "--", "sim"},
       [](TaskSpec& t) {
         t.export_env = compss::client::ExportEnv::kNone;
         t.env = {"K=v"};
       }},
      {{"--export", "ALL,K=v", "--", "sim"}, [](TaskSpec& t) { t.env = {"K=v"}; }},
      {{"--export", "ALL,MODULEPATH", "--", "sim"}, [](TaskSpec&) {}},
      {{"--export", "PATH,LD_LIBRARY_PATH,K=v", "--", "sim"},
       [](TaskSpec& t) {
         t.export_env = compss::client::ExportEnv::kNames;
         t.export_names = {"PATH", "LD_LIBRARY_PATH"};
         t.env = {"K=v"};
       }},
      {{"--cwd", "/tmp", "--", "sim"}, [](TaskSpec& t) { t.cwd = "/tmp"; }},
      {{"--cwd", "/tmp", "--in", "a", "--", "sim"},
       [](TaskSpec& t) {
         t.cwd = "/tmp";
         t.in = {"/tmp/a"};  // relative files are where the task runs
       }},
  };
  for (const auto& row : rows) {
    std::ostringstream line;
    for (const auto& a : row.args) line << a << " ";
    INFO("compss submit " << line.str());
    auto got = parse_submit(row.args, kCwd);
    REQUIRE(got);
    TaskSpec want = base({"sim"});
    row.expect(want);
    CHECK(got->spec == want);
    CHECK_FALSE(got->json);
  }
}

TEST_CASE("the command is everything after --, options included", "[cli][submit]") {
  auto got = parse_submit({"--cpus", "2", "--", "./sim", "--cpus", "8", "-v", "out/{i}.nc"}, kCwd);
  REQUIRE(got);
  CHECK(got->spec.argv == Args{"./sim", "--cpus", "8", "-v", "out/{i}.nc"});
  CHECK(got->spec.cpus == 2);
}

TEST_CASE("a command without -- is taken when it has no options of its own", "[cli][submit]") {
  auto got = parse_submit({"--cpus", "2", "hostname"}, kCwd);
  REQUIRE(got);
  CHECK(got->spec.argv == Args{"hostname"});
}

TEST_CASE("--json and --help are flags of the command line, not of the task", "[cli][submit]") {
  auto j = parse_submit({"--json", "--", "sim"}, kCwd);
  REQUIRE(j);
  CHECK(j->json);
  auto h = parse_submit({"--help"}, kCwd);
  REQUIRE(h);
  CHECK(h->help);  // no command needed with --help
  CHECK(compss::cli::submit_help().find("--ranks-per-node") != std::string::npos);
}

TEST_CASE("--cpus-per-rank and --gpus-per-rank are --cpus and --gpus as MPI tasks spell them", "[cli][submit][mpi]") {
  auto c = parse_submit({"--mpi", "--ranks", "4", "--cpus-per-rank", "2", "--gpus-per-rank", "1", "--", "sim"}, kCwd);
  REQUIRE(c);
  CHECK(c->spec.cpus == 2);
  CHECK(c->spec.gpus == 1);
  CHECK(c->spec.ranks == 4);
}

TEST_CASE("bad submit command lines are refused with a message naming the option", "[cli][submit]") {
  const std::vector<std::pair<Args, std::string>> rows = {
      {{"--frobnicate", "--", "sim"}, "unrecognised option '--frobnicate'"},
      {{"--cpu", "2", "--", "sim"}, "unrecognised option '--cpu'"},  // no abbreviations
      {{"--cpus"}, "the required argument for option '--cpus' is missing"},
      {{"--cpus", "2", "--cpus", "3", "--", "sim"}, "'--cpus' cannot be specified more than once"},
      {{"--cpus", "0", "--", "sim"}, "bad --cpus '0': must be between 1 and 4294967295"},
      {{"--cpus", "two", "--", "sim"}, "bad --cpus 'two': expected a whole number"},
      {{"--mem", "4X", "--", "sim"}, "--mem: bad size '4X': expected a number with an optional unit K, M, G or T"},
      {{"--time", "soon", "--", "sim"}, "--time: bad duration 'soon': expected seconds (90)"},
      {{"--timeout", "1h30", "--", "sim"}, "--timeout: bad duration '1h30'"},
      {{"--array", "5-1", "--", "sim"}, "bad --array '5-1': FIRST must not be above LAST (FIRST-LAST[:STEP]"},
      {{"--array", "1-10:0", "--", "sim"}, "bad --array '1-10:0': STEP must be a whole number of at least 1"},
      {{"--array", "a-b", "--", "sim"}, "bad --array 'a-b': FIRST and LAST must be whole numbers"},
      {{"--array", "0-99999999", "--", "sim"}, "bad --array '0-99999999': more than 16777216 indices"},
      {{"--on-failure", "explode", "--", "sim"},
       "bad --on-failure 'explode': expected retry, cancel-successors, fail or ignore"},
      {{"--retries", "2", "--on-failure", "fail", "--", "sim"}, "--retries applies to --on-failure retry only"},
      {{"--ranks", "2", "--ranks-per-node", "4", "--", "sim"}, "bad --ranks-per-node '4': more than --ranks (2)"},
      {{"--ranks", "2", "--", "sim"}, "--ranks, --nodes and --ranks-per-node are for MPI programs: add --mpi"},
      {{"--nodes", "2", "--", "sim"}, "add --mpi"},
      {{"--cpus", "2", "--cpus-per-rank", "2", "--", "sim"}, "--cpus and --cpus-per-rank say the same: give one"},
      {{"--gpus", "1", "--gpus-per-rank", "1", "--", "sim"}, "--gpus and --gpus-per-rank say the same: give one"},
      {{"--cpus-per-rank", "0", "--", "sim"}, "bad --cpus-per-rank '0'"},
      {{"--custom", "license", "--", "sim"}, "bad --custom 'license': expected NAME=AMOUNT"},
      {{"--custom", "a=1", "--custom", "a=2", "--", "sim"}, "resource 'a' is given twice"},
      {{"--priority", "high", "--", "sim"}, "bad --priority 'high': expected a whole number between"},
      {{"--priority", "2147483648", "--", "sim"}, "bad --priority '2147483648'"},
      {{"--after", "x", "--", "sim"}, "bad --after 'x': expected whole numbers"},
      {{"--after", "9-3", "--", "sim"}, "bad --after '9-3': the first id is above the last"},
      {{"--name", "", "--", "sim"}, "bad --name: it may not be empty"},
      {{"--env", "A", "--", "sim"}, "bad --env 'A': expected NAME=VALUE"},
      {{"--env", "=1", "--", "sim"}, "bad --env '=1': expected NAME=VALUE"},
      {{"--env", "A-B=1", "--", "sim"}, "bad --env 'A-B=1': expected NAME=VALUE, NAME made of letters, digits and _"},
      {{"--env", "COMPSS_TASK_ID=3", "--", "sim"}, "COMPSS_TASK_ID is set by the runtime for each task"},
      {{"--env", "CUDA_VISIBLE_DEVICES=0", "--", "sim"}, "CUDA_VISIBLE_DEVICES is set by the runtime for each task"},
      {{"--export", "", "--", "sim"}, "bad --export: give ALL, NONE or a list of variables"},
      {{"--export", "A,,B", "--", "sim"}, "bad --export 'A,,B': an empty item"},
      {{"--export", "A,ALL", "--", "sim"}, "bad --export 'A,ALL': ALL may only come first"},
      {{"--export", "NONE,PATH", "--", "sim"}, "NONE exports nothing; give the names alone (--export=PATH)"},
      {{"--export", "SLURM_JOB_ID", "--", "sim"}, "SLURM_JOB_ID comes from the node where the task runs"},
      {{"--export", "OMP_NUM_THREADS", "--", "sim"}, "OMP_NUM_THREADS comes from the node where the task runs"},
      {{"--export", "9X", "--", "sim"}, "'9X' is not a variable name"},
      {{"--cwd", "/no/such/dir", "--", "sim"}, "bad --cwd '/no/such/dir': /no/such/dir is not a directory here"},
      {{"--cwd", "", "--", "sim"}, "bad --cwd: it may not be empty"},
      {{"a", "--", "b"}, "unexpected argument 'a' before '--'"},
      {{}, "missing command: give it after '--'"},
      {{"--cpus", "2", "--"}, "missing command"},
  };
  for (const auto& [args, message] : rows) {
    std::ostringstream line;
    for (const auto& a : args) line << a << " ";
    INFO("compss submit " << line.str());
    auto got = parse_submit(args, kCwd);
    REQUIRE_FALSE(got);
    CHECK_THAT(got.error().message, Catch::Contains(message));
  }
}

TEST_CASE("a usage error exits 2 and points at --help, before any runtime is asked", "[cli][submit]") {
  std::ostringstream out, err;
  compss::cli::Io io{out, err};
  // No runtime is set up here: the exit status must come from the parse alone.
  int rc = compss::cli::run_submit({"--mem", "lots", "--", "sim"}, io);
  CHECK(rc == compss::cli::kExitUsage);
  CHECK(out.str().empty());
  CHECK_THAT(err.str(), Catch::StartsWith("compss submit: --mem: bad size 'lots'"));
  CHECK_THAT(err.str(), Catch::Contains("(see 'compss submit --help')"));
}

// --- compss submit --stdin: one line into words, as a shell splits a simple command ---------------------

TEST_CASE("a --stdin line splits into words as a shell splits them, nothing expanded", "[cli][stdin]") {
  using compss::cli::split_words;
  struct Row {
    const char* line;
    Args words;
  };
  const Row rows[] = {
      {"", {}},
      {"   \t ", {}},
      {"# a comment", {}},
      {"--cpus 2 -- sim 3  # the third run", {"--cpus", "2", "--", "sim", "3"}},
      {"--out 'r 1.txt' -- sh -c 'echo $HOME > r'", {"--out", "r 1.txt", "--", "sh", "-c", "echo $HOME > r"}},
      {R"(-- sh -c "echo \"hi\" \$x \\ \n")", {"--", "sh", "-c", R"(echo "hi" $x \ \n)"}},
      {R"(a\ b c\#d e#f)", {"a b", "c#d", "e#f"}},
      {R"(x'y'"z" '' "")", {"xyz", "", ""}},
      {"--in *.dat ~/x", {"--in", "*.dat", "~/x"}},
      {"trailing-cr\r", {"trailing-cr"}},
  };
  for (const Row& r : rows) {
    INFO(r.line);
    auto w = split_words(r.line);
    REQUIRE(w.ok());
    CHECK(*w == r.words);
  }
}

TEST_CASE("a --stdin line with an open quote or a last backslash names the column", "[cli][stdin]") {
  using compss::cli::split_words;
  auto a = split_words("-- sh -c 'echo open");
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().message == "column 10: a ' quote is not closed");
  auto b = split_words(R"(-- echo "x \" y)");
  REQUIRE_FALSE(b.ok());
  CHECK(b.error().message == "column 9: a \" quote is not closed");
  auto c = split_words("-- echo x\\");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().message == "column 10: a backslash ends the line");
}

TEST_CASE("compss submit --stdin outside a runtime says so and reads nothing", "[cli][stdin]") {
  std::ostringstream out, err;
  std::istringstream in("-- true\n");
  compss::cli::Io io{out, err, &in};
  // No COMPSS_SOCKET / COMPSS_ADDRESS in the unit tests' environment.
  ::unsetenv("COMPSS_SOCKET");
  ::unsetenv("COMPSS_ADDRESS");
  CHECK(compss::cli::run_submit({"--stdin"}, io) == compss::cli::kExitUnreachable);
  CHECK(out.str().empty());
  CHECK(in.tellg() == 0);
  CHECK(compss::cli::run_submit({"--json", "--stdin"}, io) == compss::cli::kExitUnreachable);  // either order
  CHECK(compss::cli::run_submit({"--stdin", "--cpus", "2"}, io) == compss::cli::kExitUsage);
  CHECK(err.str().find("give only --json beside it, not '--cpus'") != std::string::npos);
  // On a line of the input (or after the command's --) it is no option of a task.
  auto line = parse_submit({"--stdin", "--", "true"}, kCwd);
  REQUIRE_FALSE(line.ok());
  CHECK(line.error().message.find("--stdin reads the tasks from standard input") != std::string::npos);
}
