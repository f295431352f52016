// Tests of the scheduler's part in a resumed run (doc/spec/journal.md, doc/spec/states.md): a task the
// journal had done becomes done without running, and every state change can be recorded as it happens.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/unit/scheduler/world.h"

using compss::TaskId;
using compss::test::World;
using namespace compss::scheduler;

namespace {

// The cores `cores` of node n1, where an agent says a task runs.
NodeSlot on_n1(const World& w, std::vector<std::uint32_t> cores) {
  NodeSlot where;
  where.node = w.node("n1");
  where.cores = std::move(cores);
  return where;
}

}  // namespace

TEST_CASE("a cached task is done without running and releases its successors", "[cached]") {
  World w("a: out x; b: in x, out y; c: in y");
  REQUIRE(w.sched.complete_cached(w.id("a")));
  CHECK(w.state("a") == TaskState::kDone);
  CHECK(w.sched.graph().has_flag(w.id("a"), TaskGraph::kCached));
  CHECK(w.state("b") == TaskState::kReady);
  CHECK(w.sched.cached_count() == 1);
  CHECK(w.sched.count(TaskState::kDone) == 1);
  // a never starts: its stale queue entry is dropped; b runs, then c.
  CHECK(w.run_all() == std::vector<std::string>{"b", "c"});
  CHECK(w.sched.outcome() == Outcome::kSuccess);
  CHECK(w.sched.cached_count() == 1);
  CHECK(w.sched.explain(w.id("a"))->to_string().find("done (cached)") != std::string::npos);
}

TEST_CASE("only a ready task may be cached; anything else is refused and changes nothing", "[cached]") {
  World w("a -> b");
  auto pending = w.sched.complete_cached(w.id("b"));
  REQUIRE_FALSE(pending);
  CHECK(pending.error().message == "task 1: illegal transition: event 'cached' in state 'pending'");
  CHECK(w.state("b") == TaskState::kPending);
  w.step();
  CHECK_FALSE(w.sched.complete_cached(w.id("a")));  // running
  CHECK(w.state("a") == TaskState::kRunning);
  CHECK_FALSE(w.sched.complete_cached(TaskId(7)));
  CHECK(w.sched.cached_count() == 0);
}

TEST_CASE("a cached task frees no resources it never held and counts as ready no more", "[cached]") {
  World w("a: cpus 4; b: cpus 4", "1 x {cpus: 4}");
  REQUIRE(w.sched.complete_cached(w.id("a")));
  CHECK(w.started_in(w.step()) == std::vector<std::string>{"b"});
  CHECK(w.sched.count(TaskState::kReady) == 0);
}

TEST_CASE("every state change is recorded once the log is set, cascades included", "[cached]") {
  World w("a: out x, policy cancel-successors, retries 0; b: in x; c: after b");
  std::vector<StateChange> log;
  w.sched.record_changes(&log);
  w.step();
  w.finish("a", TaskExit::error(3));
  auto text = [&] {
    std::string s;
    for (const auto& c : log) s += w.label(c.task) + ":" + to_string(c.to) + " ";
    return s;
  };
  CHECK(text() == "a:scheduled a:running a:failed b:cancelled c:cancelled ");
  log.clear();
  w.add("d");
  REQUIRE(w.sched.complete_cached(w.id("d")));
  CHECK(text() == "d:ready d:done ");
  w.sched.record_changes(nullptr);
  w.add("e");
  CHECK(log.size() == 2);
}

TEST_CASE("a restarted daemon adopts a task an agent still runs, on the cores the agent names", "[adopt]") {
  World w("a: cpus 2; b: cpus 2; c: cpus 2", "1 x {cpus: 4}");
  REQUIRE(w.sched.adopt(w.id("b"), on_n1(w, {1, 2}), 0));
  CHECK(w.state("b") == TaskState::kRunning);
  CHECK(w.node_of("b") == "n1");
  CHECK(w.sched.pool().free_cores() == 2);
  // Only two cores are left: one of a and c starts, and b's finish lets the other one in.
  CHECK(w.started_in(w.step()).size() == 1);
  w.finish("b");
  CHECK(w.state("b") == TaskState::kDone);
  CHECK(w.started_in(w.step()).size() == 1);
}

TEST_CASE("adopt refuses a task that is not ready, a busy or unknown core, and changes nothing", "[adopt]") {
  World w("a: cpus 2; b: cpus 2; c: cpus 1; d: after c", "1 x {cpus: 4}");
  NodeSlot where = on_n1(w, {0, 1});
  REQUIRE(w.sched.adopt(w.id("a"), where, 0));
  auto busy = w.sched.adopt(w.id("b"), where, 0);
  REQUIRE_FALSE(busy);
  CHECK(busy.error().message.find("not free") != std::string::npos);
  CHECK(w.state("b") == TaskState::kReady);
  where.cores = {7};
  CHECK_FALSE(w.sched.adopt(w.id("b"), where, 0));
  where.cores = {2};
  auto pending = w.sched.adopt(w.id("d"), where, 0);
  REQUIRE_FALSE(pending);
  CHECK(pending.error().message.find("pending, not ready") != std::string::npos);
  CHECK_FALSE(w.sched.adopt(w.id("a"), where, 0));  // running already
  CHECK(w.sched.pool().free_cores() == 2);
}

TEST_CASE("a task that ended while its daemon was away is adopted without cores, beside one that runs",
          "[adopt]") {
  World w("a: cpus 1; b: cpus 1", "1 x {cpus: 1}");
  NodeSlot running;
  running.node = w.node("n1");
  running.cores = {0};
  NodeSlot ended;
  ended.node = w.node("n1");
  REQUIRE(w.sched.adopt(w.id("a"), running, 0));
  REQUIRE(w.sched.adopt(w.id("b"), ended, 0));
  w.finish("b");
  CHECK(w.state("b") == TaskState::kDone);
  CHECK(w.sched.pool().free_cores() == 0);  // a still holds the only core
  w.finish("a");
  CHECK(w.sched.pool().free_cores() == 1);
}

TEST_CASE("a failure a restart restores fails the run; its effect waits for the tasks done before",
          "[cached][restart]") {
  SECTION("retry (the default): successors cancelled, the run failed") {
    World w("a: out x; b: in x, out y; c: in y; d");
    REQUIRE(w.sched.restore_failed(w.id("a")));
    CHECK(w.state("a") == TaskState::kFailed);
    CHECK(w.state("b") == TaskState::kPending);  // not yet: settle_restored_failures()
    REQUIRE(w.sched.complete_cached(w.id("d")));
    w.sched.settle_restored_failures();
    CHECK(w.state("b") == TaskState::kCancelled);
    CHECK(w.state("c") == TaskState::kCancelled);
    CHECK(w.state("d") == TaskState::kDone);
    CHECK(w.sched.outcome() == Outcome::kFailure);
  }
  SECTION("fail: a later task done before the failure stays done; the rest is stopped") {
    World w("a: policy fail; b; c");
    REQUIRE(w.sched.restore_failed(w.id("a")));
    REQUIRE(w.sched.complete_cached(w.id("b")));
    w.sched.settle_restored_failures();
    CHECK(w.state("b") == TaskState::kDone);
    CHECK(w.state("c") == TaskState::kCancelled);
    CHECK(w.sched.outcome() == Outcome::kFailure);
  }
  SECTION("ignore: successors released at once, the run can succeed") {
    World w("a: policy ignore, out x; b: in x");
    REQUIRE(w.sched.restore_failed(w.id("a")));
    CHECK(w.state("b") == TaskState::kReady);
    REQUIRE(w.sched.complete_cached(w.id("b")));
    w.sched.settle_restored_failures();
    CHECK(w.sched.outcome() == Outcome::kSuccess);
  }
  SECTION("only a ready task; anything else is an error that changes nothing") {
    World w("a -> b");
    auto pending = w.sched.restore_failed(w.id("b"));
    REQUIRE_FALSE(pending);
    CHECK(pending.error().message.find("not ready") != std::string::npos);
    CHECK(w.state("b") == TaskState::kPending);
    w.sched.settle_restored_failures();
    CHECK(w.state("b") == TaskState::kPending);
  }
}
