// Killing tasks: whole process groups, SIGKILL after the grace, leftovers, shutdown.
#include <string>

#include "tests/unit/agent/launch_harness.h"

using namespace compss::agent;
using namespace std::chrono_literals;
using compss::TaskId;
using test::Harness;

namespace {

pid_t pid_in(const std::string& text) { return static_cast<pid_t>(std::stol(text)); }

}  // namespace

TEST_CASE("killing a task that spawned children kills its whole group", "[launcher][kill]") {
  Harness h;
  REQUIRE(h.launcher->start(h.spec(1, {"sh", "-c", "sleep 60 & echo $! > bg.pid; sleep 60"})).ok());
  pid_t bg = pid_in(h.await_file("bg.pid"));
  pid_t leader = h.started[TaskId(1)];
  REQUIRE(test::process_alive(bg));

  REQUIRE(h.launcher->kill(TaskId(1), SIGTERM, 5s).ok());
  TaskResult r = h.wait_for(TaskId(1));
  CHECK(r.killed);
  CHECK(r.exit.kind == ExitStatus::Kind::kSignaled);
  CHECK(r.exit.code == SIGTERM);
  CHECK(r.reason == "killed on request (ended by SIGTERM)");
  CHECK(test::gone_within(leader, 2s));
  CHECK(test::gone_within(bg, 2s));
}

TEST_CASE("a task group that ignores SIGTERM is SIGKILLed after the grace", "[launcher][kill]") {
  Harness h;
  REQUIRE(h.launcher->start(h.spec(1, {"sh", "-c", "trap '' TERM; sleep 60 & echo $! > bg.pid; wait"})).ok());
  pid_t bg = pid_in(h.await_file("bg.pid"));
  auto asked = std::chrono::steady_clock::now();
  REQUIRE(h.launcher->kill(TaskId(1), SIGTERM, 300ms).ok());
  TaskResult r = h.wait_for(TaskId(1));
  CHECK(std::chrono::steady_clock::now() - asked >= 300ms);
  CHECK(r.exit.kind == ExitStatus::Kind::kSignaled);
  CHECK(r.exit.code == SIGKILL);
  CHECK(test::gone_within(bg, 2s));
}

TEST_CASE("what a task leaves running in its group ends with it", "[launcher][kill]") {
  Harness h;
  TaskResult r = h.run(h.spec(1, {"sh", "-c", "sleep 60 & echo $! > bg.pid; echo done"}));
  CHECK(r.success());
  CHECK(Harness::output_of(r) == "done\n");
  CHECK(test::gone_within(pid_in(test::slurp(h.dir + "/bg.pid")), 2s));
}

TEST_CASE("output held open by a process that left the group delays the report only by the drain timeout",
          "[launcher][kill]") {
  LauncherConfig c;
  c.drain_timeout = 200ms;
  Harness h(c);
  auto begin = std::chrono::steady_clock::now();
  // The task waits until its child has left the group, or the leftover kill would catch it first.
  TaskResult r = h.run(h.spec(1, {"sh", "-c",
                                  "setsid sh -c 'echo $$ > escaped.pid; exec sleep 30' & "
                                  "while [ ! -s escaped.pid ]; do sleep 0.01; done; echo bye"}));
  auto took = std::chrono::steady_clock::now() - begin;
  pid_t escaped = pid_in(test::slurp(h.dir + "/escaped.pid"));
  ::kill(escaped, SIGKILL);  // not the launcher's to kill: it left the task's group
  CHECK(r.success());
  CHECK(Harness::output_of(r) == "bye\n");
  CHECK(took >= 200ms);
  CHECK(took < 5s);
}

TEST_CASE("killing a task that is not running is an error", "[launcher][kill]") {
  Harness h;
  auto st = h.launcher->kill(TaskId(42));
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "task 42 is not running on this node");
}

TEST_CASE("kill_all ends every running task", "[launcher][kill]") {
  Harness h;
  for (std::uint32_t i = 1; i <= 3; ++i) REQUIRE(h.launcher->start(h.spec(i, {"sleep", "60"})).ok());
  CHECK(h.launcher->running() == 3);
  h.launcher->kill_all(SIGTERM, 1s);
  REQUIRE(h.run_until([&] { return h.finished.size() == 3; }));
  for (const TaskResult& r : h.finished) {
    CHECK(r.killed);
    CHECK(r.exit.code == SIGTERM);
  }
  CHECK(h.launcher->running() == 0);
}

TEST_CASE("destroying the launcher kills and reaps what still runs", "[launcher][kill]") {
  Harness h;
  REQUIRE(h.launcher->start(h.spec(1, {"sh", "-c", "sleep 60 & echo $! > bg.pid; sleep 60"})).ok());
  pid_t bg = pid_in(h.await_file("bg.pid"));
  pid_t leader = h.started[TaskId(1)];
  h.launcher.reset();
  CHECK_FALSE(test::process_alive(leader));
  CHECK(::kill(leader, 0) != 0);  // reaped, not left a zombie
  CHECK(test::gone_within(bg, 2s));
  h.run_until([] { return false; }, 50ms);  // pending handlers of the dead launcher must do nothing
  CHECK(h.finished.empty());
}

TEST_CASE("a task above its memory request is killed as out of memory; one within it runs", "[launcher][memory]") {
  Harness h;
  // awk holds a 200 MB string for 3 s: far above a 64 MiB request.
  auto big = h.spec(1, {"awk", "BEGIN { s = sprintf(\"%200000000s\", \"\"); system(\"sleep 3\"); print length(s) }"});
  big.memory_bytes = 64ull << 20;
  auto small = h.spec(2, {"sh", "-c", "sleep 1; echo fine"});
  small.memory_bytes = 64ull << 20;
  REQUIRE(h.launcher->start(big).ok());
  REQUIRE(h.launcher->start(small).ok());
  TaskResult r = h.wait_for(TaskId(1));
  CHECK(r.out_of_memory);
  CHECK(r.exit.kind == ExitStatus::Kind::kSignaled);
  CHECK(r.exit.code == SIGKILL);
  CHECK_THAT(r.reason, Catch::StartsWith("out of memory: its processes used "));
  CHECK_THAT(r.reason, Catch::Contains("above the 64 MiB it asked for"));
  TaskResult s = h.wait_for(TaskId(2));
  CHECK(s.success());
  CHECK_FALSE(s.out_of_memory);
}
