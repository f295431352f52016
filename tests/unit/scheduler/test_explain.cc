// Tests of explain(): why a task is pending, ready, running or final, as structured reasons and text.
#include <catch2/catch.hpp>

#include "tests/unit/scheduler/world.h"

using compss::TaskId;
using compss::test::World;
using namespace compss::scheduler;
using Why = Explanation::Why;

namespace {

Explanation explain(const World& w, const std::string& label) {
  auto e = w.sched.explain(w.id(label));
  REQUIRE(e);
  return *e;
}

}  // namespace

TEST_CASE("a pending task is waiting for its unfinished predecessors, by id", "[explain]") {
  World w("a; b; c: after a, after b", "1 x {cpus: 4}");
  Explanation e = explain(w, "c");
  CHECK(e.state == TaskState::kPending);
  REQUIRE(e.reasons.size() == 1);
  CHECK(e.reasons[0].why == Why::kWaitingForTasks);
  CHECK(e.reasons[0].tasks == std::vector<TaskId>{w.id("a"), w.id("b")});
  CHECK(e.to_string() == "task 2 (c) is pending: waiting for tasks 0, 1");
  w.step();
  w.finish("a");
  CHECK(explain(w, "c").to_string() == "task 2 (c) is pending: waiting for tasks 1");
}

TEST_CASE("a ready task that does not fit says what is missing and that the job cannot grow", "[explain]") {
  World w("g1: gpus 2; g2: gpus 2", "2 x {cpus: 4, gpus: 2}");
  w.add("g3: gpus 2");
  w.step();
  Explanation e = explain(w, "g3");
  CHECK(e.state == TaskState::kReady);
  REQUIRE(e.has(Why::kNoRoomNow));
  CHECK(e.reasons[0].text.find("GPU") != std::string::npos);
  CHECK(e.has(Why::kNodeCountAtMax));
  CHECK(e.to_string().find("node count at max (2, elasticity off)") != std::string::npos);
}

TEST_CASE("a ready task that no node left could ever hold says so", "[explain]") {
  World w("hold: gpus 1; g: gpus 1", "n1 {cpus: 2, gpus: 1}; n2 {cpus: 2}");
  w.step();
  REQUIRE(w.sched.node_lost(w.node("n1"), 1));
  REQUIRE(w.state("hold") == TaskState::kReady);
  Explanation e = explain(w, "g");
  REQUIRE(e.has(Why::kNeverFits));
}

TEST_CASE("without nodes a ready task waits for nodes", "[explain]") {
  Scheduler s;
  TaskSpec spec;
  spec.command = "/bin/true";
  TaskId t = *s.submit(spec);
  auto e = s.explain(t);
  REQUIRE(e);
  CHECK(e->has(Why::kNoNodes));
  CHECK_FALSE(s.explain(TaskId(5)));
}

TEST_CASE("a ready task that fits is queued behind tasks that come first", "[explain]") {
  World w("a; b; c", "1 x {cpus: 4}");
  Explanation e = explain(w, "c");
  REQUIRE(e.has(Why::kQueuedBehind));
  CHECK(e.reasons.back().count == 2);
  CHECK(e.to_string() ==
        "task 2 (c) is ready: fits now; 2 ready task(s) come first in fifo order; it starts at "
        "the next decision");
}

TEST_CASE("an MPI task that only two SLURM jobs together could hold says a step cannot span them",
          "[explain][mpi][allocation]") {
  // Helper mode: n2 came from helper job 7. The two nodes have room for the 2-node task, but not in one job.
  World w("wide: ranks 2, nodes 2", "n1 {cpus: 2}; n2 {cpus: 2, job: 7}");
  w.step();
  CHECK(w.state("wide") == TaskState::kReady);
  Explanation e = explain(w, "wide");
  REQUIRE(e.has(Why::kNoRoomNow));
  CHECK(e.to_string().find("a step cannot span two SLURM jobs: no one job has room for 2 ranks on 2 "
                           "nodes (the job's own: 2 ranks on 1 node; helper job 7: 2 ranks on 1 node)") !=
        std::string::npos);
}

TEST_CASE("a running task names its exact cores and GPUs, an MPI task each rank's", "[explain][mpi]") {
  World w("wide: ranks 4, rpn 2, nodes 2, gpus 1; one: cpus 2, gpus 1", "3 x {cpus: 2, gpus: 2}");
  w.step();
  CHECK(explain(w, "wide").reasons.front().text ==
        "running on n1 (ranks 0-1: cores 0, GPUs 0 | 1, GPUs 1), n2 (ranks 2-3: cores 0, GPUs 0 | 1, GPUs 1)");
  CHECK(explain(w, "one").reasons.front().text == "running on n3 (cores 0,1, GPUs 0)");
}

TEST_CASE("scheduled and running tasks name their node; a kill request shows", "[explain]") {
  World w("a; b", "1 x {cpus: 4}");
  w.step(false);
  REQUIRE(w.sched.task_started(w.id("b"), 0));
  CHECK(explain(w, "a").to_string() == "task 0 (a) is scheduled: start decided on n1, not reported started yet");
  CHECK(explain(w, "b").to_string() == "task 1 (b) is running: running on n1 (cores 1)");
  REQUIRE(w.sched.cancel(w.id("b")));
  CHECK(explain(w, "b").has(Why::kKillRequested));
}

TEST_CASE("final tasks say how they ended, naming the failed predecessor", "[explain]") {
  World w("a: policy cancel-successors, retries 0; b: after a; ok", "1 x {cpus: 4}");
  w.step();
  w.finish("a", TaskExit::error());
  w.finish("ok");
  CHECK(explain(w, "ok").to_string() == "task 2 (ok) is done: finished successfully");
  CHECK(explain(w, "a").to_string() == "task 0 (a) is failed: task error after 1 failed attempt(s)");
  Explanation b = explain(w, "b");
  CHECK(b.reasons[0].tasks == std::vector<TaskId>{w.id("a")});
  CHECK(b.to_string() == "task 1 (b) is cancelled: predecessor failed (task 0)");
}

TEST_CASE("a retry waiting for room on its node says so", "[explain]") {
  SchedulerConfig cfg;
  cfg.policy = PlacementPolicy::kPriority;
  World w("t; fill", "2 x {cpus: 1}", cfg);
  w.step();  // t on n1, fill on n2
  w.add("other: prio 5");
  w.finish("fill");
  w.finish("t", TaskExit::error());
  w.step();  // other goes first and takes n1; t waits for n1 though n2 is free
  REQUIRE(w.node_of("other") == "n1");
  REQUIRE(w.state("t") == TaskState::kReady);
  Explanation e = explain(w, "t");
  REQUIRE(e.has(Why::kWaitingForSameNode));
  CHECK(e.to_string().find("waits for room on n1, where it failed") != std::string::npos);
}

TEST_CASE("after a fail-policy failure, ready tasks name the stopped run", "[explain]") {
  World w("bad: policy fail; x", "1 x {cpus: 1}");
  w.step();
  w.finish("bad", TaskExit::error());
  CHECK(explain(w, "x").state == TaskState::kCancelled);
  CHECK(explain(w, "x").to_string() == "task 1 (x) is cancelled: run stopped");
}
