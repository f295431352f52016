// Task output through the launcher: records in the node's stream file, spilling, many tasks, resource use.
#include <algorithm>
#include <filesystem>
#include <string>

#include "tests/unit/agent/launch_harness.h"
#include "tests/unit/file_size_limit.h"

using namespace compss::agent;
using namespace std::chrono_literals;
using compss::TaskId;
using test::Harness;

namespace {

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("each finished task appends one record to the node's stream file", "[launcher][output]") {
  Harness h;
  TaskResult a = h.run(h.spec(1, {"printf", "alpha"}));
  LaunchSpec with_stderr = h.spec(2, {"sh", "-c", "echo out; echo err >&2; exit 4"});
  with_stderr.name = "two words";
  TaskResult b = h.run(with_stderr);
  TaskResult c = h.run(h.spec(3, {"true"}));

  CHECK(a.output.path == h.out_dir + "/n1.out");
  CHECK_FALSE(a.output.own_file);
  CHECK(Harness::output_of(a) == "alpha");
  CHECK(Harness::output_of(b) == "out\nerr\n");
  CHECK(c.output.length == 0);
  CHECK(test::slurp(h.out_dir + "/n1.out") ==
        "=== task 1 attempt 0 t1 exit 0 ===\nalpha\n"
        "=== task 2 attempt 0 two_words exit 4 ===\nout\nerr\n"
        "=== task 3 attempt 0 t3 exit 0 ===\n");
}

TEST_CASE("a killed task's record names the signal", "[launcher][output]") {
  Harness h;
  TaskResult r = h.run(h.spec(5, {"sh", "-c", "echo before; kill -KILL $$"}));
  CHECK(test::slurp(h.out_dir + "/n1.out") == "=== task 5 attempt 0 t5 exit SIGKILL ===\nbefore\n");
  CHECK(Harness::output_of(r) == "before\n");
}

TEST_CASE("output past the limit spills to the task's own file, named in its record", "[launcher][output]") {
  LauncherConfig c;
  c.output_limit = 1000;
  Harness h(c);
  LaunchSpec s = h.spec(9, {"sh", "-c", "head -c 5000 /dev/zero | tr '\\0' x; echo; echo tail"});
  s.attempt = 1;
  TaskResult r = h.run(s);
  CHECK(r.output.own_file);
  CHECK(r.output.path == h.out_dir + "/task-9.1.out");
  CHECK(r.output.offset == 0);
  CHECK(r.output.length == 5006);
  CHECK(r.output.error.empty());
  std::string own = test::slurp(r.output.path);
  CHECK(own == std::string(5000, 'x') + "\ntail\n");
  CHECK(test::slurp(h.out_dir + "/n1.out") ==
        "=== task 9 attempt 1 t9 exit 0 ===\n[output in task-9.1.out, 5006 bytes]\n");
}

TEST_CASE("output up to the default 64 KiB stays in the stream file, more spills", "[launcher][output]") {
  Harness h;
  TaskResult small = h.run(h.spec(1, {"head", "-c", "65536", "/dev/zero"}));
  CHECK_FALSE(small.output.own_file);
  CHECK(small.output.length == 65536);
  TaskResult big = h.run(h.spec(2, {"head", "-c", "200000", "/dev/zero"}));
  CHECK(big.output.own_file);
  CHECK(std::filesystem::file_size(big.output.path) == 200000);
}

TEST_CASE("200 tiny tasks leave one output file with 200 records", "[launcher][output]") {
  Harness h;
  const NodeTopology& t = h.launcher->topology();
  auto begin = std::chrono::steady_clock::now();
  for (std::uint32_t i = 0; i < 200; ++i) {
    LaunchSpec s = h.spec(i, {"echo", "task " + std::to_string(i)});
    s.cores = {t.cores[i % t.cores.size()].id};
    REQUIRE(h.launcher->start(s).ok());
  }
  REQUIRE(h.run_until([&] { return h.finished.size() == 200; }, 60s));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  WARN("launcher: 200 no-op tasks in " << seconds << " s (" << 200 / seconds << " tasks/s)");

  CHECK(files_in(h.out_dir) == std::vector<std::string>{"n1.out"});
  std::string stream = test::slurp(h.out_dir + "/n1.out");
  CHECK(count_of(stream, "=== task ") == 200);
  for (const TaskResult& r : h.finished) {
    CHECK(r.success());
    CHECK(Harness::output_of(r) == "task " + std::to_string(r.task.value()) + "\n");
  }
}

TEST_CASE("a task whose output cannot be written on a full disk still reports its exit, and the loss",
          "[launcher][output][disk-full]") {
  Harness h;
  TaskResult r;
  {
    compss::test::FileSizeLimit full(16);  // not even a record header fits
    if (!full.ok()) {
      WARN(full.why());
      return;
    }
    r = h.run(h.spec(1, {"sh", "-c", "head -c 3000 /dev/zero | tr '\\0' x; exit 3"}));
  }
  CHECK(r.exit.kind == ExitStatus::Kind::kExited);
  CHECK(r.exit.code == 3);
  CHECK(r.output.path.empty());
  CHECK(r.output.error == "cannot append to " + h.out_dir + "/n1.out: File too large");
  TaskResult next = h.run(h.spec(2, {"printf", "fine"}));  // room again: the agent goes on as before
  CHECK(next.output.error.empty());
  CHECK(Harness::output_of(next) == "fine");
}

TEST_CASE("a task that allocates 50 MB reports a peak RSS of at least 50 MB", "[launcher][rusage]") {
  Harness h;
  TaskResult r = h.run(h.spec(1, {"dd", "if=/dev/zero", "of=/dev/null", "bs=50M", "count=2"}));
  REQUIRE(r.success());
  CHECK(r.max_rss_bytes >= 50ull * 1024 * 1024);
  CHECK(r.max_rss_bytes < 1024ull * 1024 * 1024);
}

TEST_CASE("a task that computes reports CPU time close to its wall time", "[launcher][rusage]") {
  Harness h;
  TaskResult busy = h.run(h.spec(1, {"sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done"}));
  REQUIRE(busy.success());
  CHECK(busy.cpu_time() >= 50ms);
  // Bound to one core: it cannot use more CPU than wall time (plus clock granularity).
  CHECK(busy.cpu_time() <= busy.wall + 20ms);

  TaskResult idle = h.run(h.spec(2, {"sleep", "0.3"}));
  CHECK(idle.cpu_time() < 100ms);
  CHECK(idle.wall >= 300ms);
}

TEST_CASE("a tiny task's peak RSS stays small", "[launcher][rusage]") {
  Harness h;
  TaskResult r = h.run(h.spec(1, {"true"}));
  INFO("peak RSS of 'true': " << r.max_rss_bytes / 1024 << " KiB");
  CHECK(r.max_rss_bytes < 50ull * 1024 * 1024);
}
