// Tests of the task state machine (doc/spec/states.md section 2): the table itself, and the facade
// rejecting illegal reports without changing anything.
#include <catch2/catch.hpp>
#include <map>
#include <utility>

#include "scheduler/states.h"
#include "tests/unit/scheduler/world.h"

using compss::TaskId;
using compss::test::World;
using namespace compss::scheduler;

TEST_CASE("the state table allows exactly the transitions of states.md", "[states]") {
  using S = TaskState;
  using E = TaskEvent;
  const std::map<std::pair<S, E>, S> legal = {
      {{S::kPending, E::kDepsMet}, S::kReady},         {{S::kPending, E::kCancelled}, S::kCancelled},
      {{S::kReady, E::kPlaced}, S::kScheduled},        {{S::kReady, E::kCancelled}, S::kCancelled},
      {{S::kScheduled, E::kStarted}, S::kRunning},     {{S::kScheduled, E::kRequeued}, S::kReady},
      {{S::kScheduled, E::kCancelled}, S::kCancelled}, {{S::kRunning, E::kSucceeded}, S::kDone},
      {{S::kRunning, E::kFailed}, S::kFailed},         {{S::kRunning, E::kRequeued}, S::kReady},
      {{S::kRunning, E::kCancelled}, S::kCancelled},   {{S::kReady, E::kCached}, S::kDone},
      {{S::kReady, E::kFailed}, S::kFailed},
  };
  int checked = 0;
  for (int s = 0; s < kStateCount; ++s) {
    for (int e = 0; e < kEventCount; ++e) {
      const auto from = static_cast<S>(s);
      const auto ev = static_cast<E>(e);
      compss::Result<S> to = next_state(from, ev);
      auto it = legal.find({from, ev});
      if (it == legal.end()) {
        INFO(to_string(from) << " + " << to_string(ev));
        REQUIRE_FALSE(to);
        CHECK(to.error().message ==
              std::string("illegal transition: event '") + to_string(ev) + "' in state '" + to_string(from) + "'");
      } else {
        REQUIRE(to);
        CHECK(*to == it->second);
      }
      ++checked;
    }
  }
  CHECK(checked == 56);
}

TEST_CASE("final states have no way out", "[states]") {
  for (TaskState s : {TaskState::kDone, TaskState::kFailed, TaskState::kCancelled}) {
    CHECK(is_final(s));
    for (int e = 0; e < kEventCount; ++e) CHECK_FALSE(next_state(s, static_cast<TaskEvent>(e)));
  }
}

TEST_CASE("a task walks pending, ready, scheduled, running, done", "[states]") {
  World w("a -> b");
  CHECK(w.state("a") == TaskState::kReady);
  CHECK(w.state("b") == TaskState::kPending);
  w.step(false);
  CHECK(w.state("a") == TaskState::kScheduled);
  REQUIRE(w.sched.task_started(w.id("a"), 0));
  CHECK(w.state("a") == TaskState::kRunning);
  w.finish("a");
  CHECK(w.state("a") == TaskState::kDone);
  CHECK(w.state("b") == TaskState::kReady);
  CHECK(w.sched.count(TaskState::kDone) == 1);
  CHECK(w.sched.count(TaskState::kReady) == 1);
}

TEST_CASE("reports for tasks the scheduler did not start are rejected and change nothing", "[states]") {
  World w("a -> b");
  auto started = w.sched.task_started(w.id("b"), 0);  // pending
  REQUIRE_FALSE(started);
  CHECK(started.error().message == "task 1: illegal transition: event 'started' in state 'pending'");
  auto finished = w.sched.task_finished(w.id("a"), TaskExit::ok(), 0);  // ready, never placed
  REQUIRE_FALSE(finished);
  CHECK(finished.error().message.find("in state 'ready'") != std::string::npos);
  CHECK(w.state("a") == TaskState::kReady);
  CHECK_FALSE(w.sched.task_started(TaskId(99), 0));

  w.step();
  w.finish("a");
  CHECK_FALSE(w.sched.task_finished(w.id("a"), TaskExit::ok(), 1));  // done is final
  CHECK_FALSE(w.sched.task_started(w.id("a"), 1));
  CHECK(w.state("a") == TaskState::kDone);
  CHECK_FALSE(w.sched.cancel(w.id("a")));
}

TEST_CASE("a finish report without a start report counts as both", "[states]") {
  World w("a");
  w.step(false);
  CHECK(w.state("a") == TaskState::kScheduled);
  w.finish("a");
  CHECK(w.state("a") == TaskState::kDone);
}

TEST_CASE("a task is never placed twice", "[states]") {
  World w("a", "1 x {cpus: 4}");
  CHECK(w.started_in(w.step()) == std::vector<std::string>{"a"});
  CHECK(w.step().empty());
  CHECK(w.sched.count(TaskState::kRunning) == 1);
}
