// The compss CLI against the fake daemon: exit statuses, text and --json output. Most cases run the
// subcommands in this process; a few run the real binary, as a user would.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/unit/client/fake_daemon.h"
#include "tools/cli/commands.h"
#include "tools/cli/exit_codes.h"

using namespace compss;
using cli::Io;
using nlohmann::json;
using test::Answer;
using test::FakeDaemon;
using Args = std::vector<std::string>;

namespace {

struct Run {
  int status = -1;
  std::string out, err;
};

// A subcommand in this process, with COMPSS_SOCKET pointing at `socket`.
Run run_in_process(int (*command)(const Args&, Io&), const std::string& socket, const Args& args) {
  ::setenv("COMPSS_SOCKET", socket.c_str(), 1);
  std::ostringstream out, err;
  Io io{out, err};
  Run r;
  r.status = command(args, io);
  r.out = out.str();
  r.err = err.str();
  ::unsetenv("COMPSS_SOCKET");
  return r;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// The real compss binary, with COMPSS_SOCKET set to `socket` (unset when empty).
Run run_binary(const std::string& socket, const Args& args) {
  const char* bin = std::getenv("COMPSS_CLI") ? std::getenv("COMPSS_CLI") : COMPSS_CLI_BINARY;
  char dir_tmpl[] = "/tmp/compss-cli-XXXXXX";
  REQUIRE(::mkdtemp(dir_tmpl));
  std::string dir = dir_tmpl, out = dir + "/out", err = dir + "/err";
  // Everything the child needs is built before fork: the fake daemon's thread runs in this process.
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "COMPSS_", 7) != 0) env_s.emplace_back(*e);
  if (!socket.empty()) env_s.push_back("COMPSS_SOCKET=" + socket);
  std::vector<char*> envp, argv{const_cast<char*>(bin)};
  for (auto& s : env_s) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args_s(args);
  for (auto& a : args_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::execve(bin, argv.data(), envp.data());
    ::_exit(127);
  }
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  Run r;
  r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  ::unlink(out.c_str());
  ::unlink(err.c_str());
  ::rmdir(dir.c_str());
  return r;
}

Answer failing_wait(FakeDaemon& self, const proto::Message& m) {
  if (auto* w = std::get_if<proto::Wait>(&m)) {
    proto::WaitResult r;
    r.rid = w->rid;
    r.done = 8;
    r.failed.push_back({3, "sim", "exit code 2 on n1"});
    r.cancelled.push_back({9, "merge", "predecessor 3 failed"});
    return test::reply(r);
  }
  return self.canned(m);
}

}  // namespace

TEST_CASE("compss submit prints the id, or the range of an array", "[cli][binary]") {
  FakeDaemon d;
  auto one = run_in_process(cli::run_submit, d.path(), {"--cpus", "2", "--", "sim"});
  CHECK(one.status == cli::kExitOk);
  CHECK(one.out == "0\n");
  auto array = run_in_process(cli::run_submit, d.path(), {"--array", "1-100", "--", "sim", "{i}"});
  CHECK(array.status == cli::kExitOk);
  CHECK(array.out == "1-100\n");
  auto j = run_in_process(cli::run_submit, d.path(), {"--json", "--array", "0-9:3", "--", "sim"});
  CHECK(j.status == cli::kExitOk);
  auto parsed = json::parse(j.out);
  CHECK(parsed["first"] == 101);
  CHECK(parsed["last"] == 104);
  CHECK(parsed["count"] == 4);
}

TEST_CASE("compss wait exits 1 and says which tasks failed or were cancelled and why", "[cli][binary]") {
  FakeDaemon d(failing_wait);
  auto r = run_in_process(cli::run_wait, d.path(), {"3", "4-9"});
  CHECK(r.status == cli::kExitTasksFailed);
  CHECK_THAT(r.out, Catch::Contains("task 3 (sim) failed: exit code 2 on n1"));
  CHECK_THAT(r.out, Catch::Contains("task 9 (merge) cancelled: predecessor 3 failed"));
  auto received = d.received();
  auto* sent = std::get_if<proto::Wait>(&received.back());
  REQUIRE(sent);
  CHECK(sent->ids == proto::IdList{{3, 3}, {4, 9}});

  auto j = run_in_process(cli::run_wait, d.path(), {"--json", "--group", "members"});
  CHECK(j.status == cli::kExitTasksFailed);
  auto parsed = json::parse(j.out);
  CHECK(parsed["succeeded"] == false);
  CHECK(parsed["failed"][0]["id"] == 3);
  CHECK(parsed["cancelled"][0]["reason"] == "predecessor 3 failed");
}

TEST_CASE("compss wait exits 0 when every awaited task succeeded, and 5 on a timeout", "[cli][binary]") {
  FakeDaemon ok;
  auto r = run_in_process(cli::run_wait, ok.path(), {"0-4"});
  CHECK(r.status == cli::kExitOk);
  CHECK(r.out == "5 tasks done\n");

  FakeDaemon slow([](FakeDaemon& self, const proto::Message& m) -> Answer {
    if (auto* w = std::get_if<proto::Wait>(&m)) {
      proto::WaitResult res;
      res.rid = w->rid;
      res.done = 1;
      res.timed_out = true;
      res.pending = 2;
      return test::reply(res);
    }
    return self.canned(m);
  });
  auto t = run_in_process(cli::run_wait, slow.path(), {"--timeout", "5m"});
  CHECK(t.status == cli::kExitTimedOut);
  CHECK(t.status == 5);
  CHECK_THAT(t.out, Catch::Contains("timed out: 2 tasks not finished yet"));
  CHECK(std::get<proto::Wait>(slow.received().back()).timeout_s == 300);

  // A failure is final: it outranks the tasks still running when the time was up.
  FakeDaemon both([](FakeDaemon& self, const proto::Message& m) -> Answer {
    if (auto* w = std::get_if<proto::Wait>(&m)) {
      proto::WaitResult res;
      res.rid = w->rid;
      res.timed_out = true;
      res.pending = 1;
      res.failed.push_back({3, "sim", "exit code 1"});
      return test::reply(res);
    }
    return self.canned(m);
  });
  CHECK(run_in_process(cli::run_wait, both.path(), {"--timeout", "10"}).status == cli::kExitTasksFailed);
}

TEST_CASE("--json output stays valid JSON when the daemon sends bytes that are not UTF-8", "[cli][binary]") {
  FakeDaemon d([](FakeDaemon& self, const proto::Message& m) -> Answer {
    if (auto* w = std::get_if<proto::Wait>(&m)) {
      proto::WaitResult r;
      r.rid = w->rid;
      r.failed.push_back({1, "sim\xff", "exit code 1 in caf\xe9"});
      return test::reply(r);
    }
    return self.canned(m);
  });
  auto r = run_in_process(cli::run_wait, d.path(), {"--json", "1"});
  CHECK(r.status == cli::kExitTasksFailed);
  auto parsed = json::parse(r.out);
  CHECK(parsed["failed"][0]["id"] == 1);
}

TEST_CASE("a refusal exits 4 with the daemon's message as is", "[cli][binary]") {
  FakeDaemon d([](FakeDaemon& self, const proto::Message& m) -> Answer {
    if (auto* s = std::get_if<proto::Submit>(&m))
      return test::reply(
          proto::ErrorMessage{s->rid, proto::ErrorCode::kInvalid, "task 0 (sim): after 42: no such task"});
    if (auto* e = std::get_if<proto::Explain>(&m))
      return test::reply(proto::ErrorMessage{e->rid, proto::ErrorCode::kNotFound, "no task 77"});
    return self.canned(m);
  });
  auto r = run_in_process(cli::run_submit, d.path(), {"--after", "42", "--", "sim"});
  CHECK(r.status == cli::kExitRefused);
  CHECK(r.err == "compss submit: task 0 (sim): after 42: no such task\n");
  auto e = run_in_process(cli::run_explain, d.path(), {"77"});
  CHECK(e.status == cli::kExitRefused);
  CHECK(e.err == "compss explain: no task 77\n");
}

TEST_CASE("a runtime that cannot be reached or that hangs up exits 3", "[cli][binary]") {
  auto none = run_in_process(cli::run_status, "/tmp/compss-no-such-dir/s.sock", {});
  CHECK(none.status == cli::kExitUnreachable);
  CHECK_THAT(none.err, Catch::Contains("cannot reach the compss runtime at /tmp/compss-no-such-dir/s.sock"));

  FakeDaemon hangs_up([](FakeDaemon& self, const proto::Message& m) -> Answer {
    if (std::holds_alternative<proto::Cancel>(m)) return test::hang_up();
    return self.canned(m);
  });
  auto lost = run_in_process(cli::run_cancel, hangs_up.path(), {"3"});
  CHECK(lost.status == cli::kExitUnreachable);
  CHECK_THAT(lost.err, Catch::Contains("closed the connection"));
}

TEST_CASE("status, cancel and explain print their answers, as text and as JSON", "[cli][binary]") {
  FakeDaemon d;
  auto s = run_in_process(cli::run_status, d.path(), {});
  CHECK(s.status == cli::kExitOk);
  CHECK_THAT(s.out, Catch::Contains("2 running, 5 done (3 cached), 0 failed"));
  CHECK_THAT(s.out, Catch::Contains("3 ready (2 held by the job's time limit), 0 scheduled"));
  CHECK_THAT(s.out, Catch::Contains("n1") && Catch::Contains("4/16 cores busy"));
  CHECK_THAT(s.out, Catch::Contains("n1 joined"));
  auto sj = json::parse(run_in_process(cli::run_status, d.path(), {"--json"}).out);
  CHECK(sj["counts"]["running"] == 2);
  CHECK(sj["counts"]["cached"] == 3);
  CHECK(sj["counts"]["held"] == 2);
  CHECK(sj["nodes"][0]["state"] == "up");
  CHECK(sj["outcome"] == "running");

  auto c = run_in_process(cli::run_cancel, d.path(), {"3-5"});
  CHECK(c.status == cli::kExitOk);
  CHECK(c.out == "cancelled 3 tasks\n");
  CHECK(json::parse(run_in_process(cli::run_cancel, d.path(), {"--json", "7"}).out)["cancelled"] == 1);

  auto e = run_in_process(cli::run_explain, d.path(), {"12"});
  CHECK(e.out == "task 12 is pending: waits for 1 task\n  - waits for task 0 (member, running on n1)\n");
  auto ej = json::parse(run_in_process(cli::run_explain, d.path(), {"--json", "12"}).out);
  CHECK(ej["items"].size() == 1);
}

TEST_CASE("status --json and nodes give the structured node lives and events", "[cli][binary]") {
  FakeDaemon d;
  auto sj = json::parse(run_in_process(cli::run_status, d.path(), {"--json"}).out);
  REQUIRE(sj["events"].size() == 3);
  CHECK(sj["events"][1]["kind"] == "granted");
  CHECK(sj["events"][1]["node"] == "n2");
  CHECK(sj["events"][1]["request"] == 1);
  CHECK(sj["events"][1]["task"].is_null());
  CHECK(sj["nodes"][1]["state"] == "released");
  CHECK(sj["nodes"][1]["left"] == 9);
  CHECK(sj["nodes"][1]["why"] == "idle 5 s");

  auto n = run_in_process(cli::run_nodes, d.path(), {});
  CHECK(n.status == cli::kExitOk);
  CHECK_THAT(n.out, Catch::Contains("n1  up  4/16 cores busy  job's own node"));
  CHECK_THAT(n.out, Catch::Contains("n2  released  0/16 cores busy  grow request 1  (idle 5 s)"));
  CHECK_THAT(n.out, Catch::Contains("2.0 s  grow request 1 granted n2"));
  CHECK_THAT(n.out, Catch::Contains("n2 given back to SLURM"));
  auto nj = json::parse(run_in_process(cli::run_nodes, d.path(), {"--json"}).out);
  REQUIRE(nj["nodes"].size() == 2);
  CHECK(nj["nodes"][0]["events"].size() == 1);  // its own: joined
  REQUIRE(nj["nodes"][1]["events"].size() == 2);
  CHECK(nj["nodes"][1]["events"][1]["kind"] == "released");
}

TEST_CASE("the compss binary: ids on stdout, exit statuses, JSON that parses", "[cli][binary]") {
  FakeDaemon d(failing_wait);
  auto submit = run_binary(d.path(), {"submit", "--in", "input.dat", "--", "echo", "hi"});
  CHECK(submit.err == "");
  CHECK(submit.status == 0);
  CHECK(submit.out == "0\n");
  auto received = d.received();
  const auto& sent = std::get<proto::Submit>(received.back());
  REQUIRE(sent.tasks.size() == 1);
  CHECK(sent.tasks[0].cwd.front() == '/');
  CHECK(sent.tasks[0].in.at(0) == sent.tasks[0].cwd + "/input.dat");

  auto wait = run_binary(d.path(), {"wait", "--json", "--all"});
  CHECK(wait.status == 1);
  auto parsed = json::parse(wait.out);
  CHECK(parsed["failed"][0]["name"] == "sim");

  auto status = run_binary(d.path(), {"status", "--json"});
  CHECK(status.status == 0);
  CHECK(json::parse(status.out)["counts"]["done"] == 5);

  auto usage = run_binary(d.path(), {"submit", "--array", "9-1", "--", "x"});
  CHECK(usage.status == 2);
  CHECK_THAT(usage.err, Catch::Contains("bad --array '9-1'"));

  auto unknown = run_binary(d.path(), {"frobnicate"});
  CHECK(unknown.status == 2);
  CHECK_THAT(unknown.err, Catch::Contains("unknown command 'frobnicate'"));

  auto no_runtime = run_binary("", {"status"});
  CHECK(no_runtime.status == 3);
  CHECK_THAT(no_runtime.err, Catch::Contains("COMPSS_SOCKET and COMPSS_ADDRESS are unset"));

  auto help = run_binary("", {"wait", "--help"});
  CHECK(help.status == 0);
  CHECK_THAT(help.out, Catch::StartsWith("usage: compss wait"));
}

TEST_CASE("under --json an error is a JSON object on stdout too, with the exit status", "[cli][binary][json]") {
  auto no_runtime = run_binary("", {"status", "--json"});
  CHECK(no_runtime.status == 3);
  auto e = json::parse(no_runtime.out);
  CHECK(e["exit"] == 3);
  CHECK(e["command"] == "status");
  CHECK_THAT(e["error"].get<std::string>(), Catch::Contains("COMPSS_SOCKET and COMPSS_ADDRESS are unset"));
  CHECK_THAT(no_runtime.err, Catch::Contains("COMPSS_SOCKET and COMPSS_ADDRESS are unset"));  // still said in words

  FakeDaemon d(failing_wait);
  auto usage = run_binary(d.path(), {"submit", "--json", "--array", "9-1", "--", "x"});
  CHECK(usage.status == 2);
  auto u = json::parse(usage.out);
  CHECK(u["exit"] == 2);
  CHECK_THAT(u["error"].get<std::string>(), Catch::Contains("bad --array '9-1'"));
  // --json after -- is the task's, not compss's: the error stays in words only.
  auto words = run_binary(d.path(), {"submit", "--array", "9-1", "--", "x", "--json"});
  CHECK(words.status == 2);
  CHECK(words.out.empty());
}

TEST_CASE("compss resize sends the signed count and says what it asked, as text and as JSON", "[cli][binary]") {
  FakeDaemon d([](FakeDaemon& self, const proto::Message& m) -> Answer {
    if (auto* r = std::get_if<proto::Resize>(&m)) return test::reply(proto::Ok{r->rid});
    return self.canned(m);
  });
  auto grow = run_in_process(cli::run_resize, d.path(), {"+2"});
  CHECK(grow.status == cli::kExitOk);
  CHECK(grow.out == "asked for 2 node(s); see 'compss nodes'\n");
  CHECK(std::get<proto::Resize>(d.received().back()).delta == 2);

  auto drain = run_in_process(cli::run_resize, d.path(), {"--json", "-1"});
  CHECK(drain.status == cli::kExitOk);
  CHECK(json::parse(drain.out) == json{{"drain", 1}});
  CHECK(std::get<proto::Resize>(d.received().back()).delta == -1);
  CHECK(json::parse(run_in_process(cli::run_resize, d.path(), {"+3", "--json"}).out) == json{{"grow", 3}});

  for (const Args& bad : {Args{}, Args{"2"}, Args{"+0"}, Args{"+1", "-1"}, Args{"--jsn", "+1"}}) {
    auto r = run_in_process(cli::run_resize, d.path(), bad);
    CHECK(r.status == cli::kExitUsage);
    CHECK_THAT(r.err, Catch::StartsWith("compss resize: "));
  }
}

TEST_CASE("compss submit --stdin: a refused request names its lines, and the requests sent behind it too",
          "[cli][stdin][pipeline]") {
  // 1,500 lines at once: requests of 1,024 and 476 lines go out before the first answer is read; the
  // daemon refuses the first and takes the second.
  int submits = 0;
  FakeDaemon d([&](FakeDaemon& self, const proto::Message& m) -> Answer {
    if (auto* s = std::get_if<proto::Submit>(&m); s && ++submits == 1)
      return test::reply(proto::ErrorMessage{s->rid, proto::ErrorCode::kInvalid, "task 3: after 99: no such task"});
    return self.canned(m);
  });
  std::string lines;
  for (int i = 0; i < 1500; ++i) lines += "-- true\n";
  std::istringstream in(lines);
  std::ostringstream out, err;
  cli::Io io{out, err, &in};
  ::setenv("COMPSS_SOCKET", d.path().c_str(), 1);
  int rc = cli::run_submit({"--stdin"}, io);
  ::unsetenv("COMPSS_SOCKET");
  CHECK(rc == cli::kExitRefused);
  CHECK(submits == 2);
  CHECK(out.str().empty());  // no line before the refused ones
  CHECK_THAT(err.str(), Catch::Contains("stdin lines 1-1024 not submitted: task 3: after 99: no such task"));
  CHECK_THAT(err.str(), Catch::Contains("stdin lines 1025-1500, sent before that answer came, were submitted: 0 1 2"));
  CHECK_THAT(err.str(), Catch::Contains(" 475\n"));
}
