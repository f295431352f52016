// Tests of the failure semantics (doc/spec/states.md sections 3 to 5): every policy, retries moving to
// another node, lost nodes, timeouts, cancellation and groups. Node quarantine: test_quarantine.cc.
#include <catch2/catch.hpp>

#include "tests/unit/scheduler/world.h"

using compss::TaskId;
using compss::test::World;
using namespace compss::scheduler;
using Lines = std::vector<std::string>;

TEST_CASE("a retried task runs once more on the same node, then on another, then fails", "[failure][retry]") {
  World w("t; after: after t; free", "2 x {cpus: 1}");
  CHECK(w.step() == Lines{"start t on n1", "start free on n2"});
  w.finish("free");
  w.finish("t", TaskExit::error(3));
  CHECK(w.state("t") == TaskState::kReady);
  CHECK(w.step() == Lines{"start t on n1"});  // same node first, though n2 is free
  w.finish("t", TaskExit::error(3));
  CHECK(w.step() == Lines{"start t on n2"});  // then elsewhere
  REQUIRE(std::get<StartTask>(w.last[0]).attempt == 3);
  w.finish("t", TaskExit::error(3));
  CHECK(w.state("t") == TaskState::kFailed);
  CHECK(w.sched.graph().cause(w.id("t")) == FailureCause::kTaskError);
  CHECK(w.sched.graph().failures(w.id("t")) == 3);
  CHECK(w.state("after") == TaskState::kCancelled);
  CHECK(w.sched.graph().cause(w.id("after")) == FailureCause::kPredecessorFailed);
  CHECK(w.sched.outcome() == Outcome::kFailure);
}

TEST_CASE("a retry that succeeds releases the successors and the run succeeds", "[failure][retry]") {
  World w("t; s: after t", "1 x {cpus: 1}");
  w.step();
  w.finish("t", TaskExit::error());
  w.step();
  w.finish("t");
  CHECK(w.state("s") == TaskState::kReady);
  w.run_all();
  CHECK(w.sched.outcome() == Outcome::kSuccess);
}

TEST_CASE("retries 0 means a single attempt", "[failure][retry]") {
  World w("t: retries 0", "2 x {cpus: 1}");
  w.step();
  w.finish("t", TaskExit::error());
  CHECK(w.state("t") == TaskState::kFailed);
  CHECK(w.step().empty());
}

TEST_CASE("a task lost with its node is requeued elsewhere without spending a retry", "[failure][node]") {
  World w("t: retries 0; u", "2 x {cpus: 1}");
  CHECK(w.step() == Lines{"start t on n1", "start u on n2"});
  w.finish("u");
  REQUIRE(w.sched.node_lost(w.node("n1"), 1));
  CHECK(w.state("t") == TaskState::kReady);
  CHECK(w.sched.graph().failures(w.id("t")) == 0);
  CHECK(w.step() == Lines{"start t on n2"});
  CHECK(std::get<StartTask>(w.last[0]).attempt == 1);
  w.finish("t");
  CHECK(w.sched.outcome() == Outcome::kSuccess);
  CHECK_FALSE(w.sched.node_lost(w.node("n1"), 2));  // gone already
}

TEST_CASE("a task whose nodes keep being lost under it fails at the crash limit", "[failure][node]") {
  SchedulerConfig cfg;
  cfg.crash_limit = 2;
  World w("t: retries 3; after: after t", "4 x {cpus: 1}", cfg);
  CHECK(w.step() == Lines{"start t on n1"});
  REQUIRE(w.sched.node_lost(w.node("n1"), 1));  // re-run 1
  CHECK(w.state("t") == TaskState::kReady);
  CHECK(w.step() == Lines{"start t on n2"});
  REQUIRE(w.sched.node_lost(w.node("n2"), 2));  // re-run 2
  CHECK(w.step() == Lines{"start t on n3"});
  REQUIRE(w.sched.node_lost(w.node("n3"), 3));  // a third loss: past the limit
  CHECK(w.state("t") == TaskState::kFailed);
  CHECK(w.sched.graph().cause(w.id("t")) == FailureCause::kCrashLimit);
  CHECK(w.sched.graph().failures(w.id("t")) == 0);  // no retry was spent on the losses
  CHECK(w.state("after") == TaskState::kCancelled);
  CHECK(w.sched.outcome() == Outcome::kFailure);
  CHECK(std::string(to_string(FailureCause::kCrashLimit)).find("crash limit") == 0);
}

TEST_CASE("a failed task under cancel-successors cancels its diamond and the rest runs on", "[failure][cancel]") {
  World w("a: policy cancel-successors; b: after a; c: after a; d: after b, after c; e", "1 x {cpus: 4}");
  CHECK(w.step() == Lines{"start a on n1", "start e on n1"});
  w.finish("a", TaskExit::error());
  for (const char* t : {"b", "c", "d"}) {
    CHECK(w.state(t) == TaskState::kCancelled);
    CHECK(w.sched.graph().cause(w.id(t)) == FailureCause::kPredecessorFailed);
  }
  CHECK(w.state("a") == TaskState::kFailed);
  CHECK(w.state("e") == TaskState::kRunning);  // independent: goes on
  w.finish("e");
  CHECK(w.sched.outcome() == Outcome::kSuccess);  // cancel-successors does not fail the run
  CHECK(w.sched.count(TaskState::kCancelled) == 3);
}

TEST_CASE("cancel-successors in the middle of a diamond spares the other branch", "[failure][cancel]") {
  World w("a; b: after a, policy cancel-successors; c: after a; d: after b, after c", "1 x {cpus: 4}");
  w.step();
  w.finish("a");
  CHECK(w.step() == Lines{"start b on n1", "start c on n1"});
  w.finish("b", TaskExit::error());
  CHECK(w.state("d") == TaskState::kCancelled);
  CHECK(w.state("c") == TaskState::kRunning);
  w.finish("c");
  CHECK(w.state("c") == TaskState::kDone);
}

TEST_CASE("a failed task under fail stops everything: kills, nothing new, outcome failure", "[failure][fail]") {
  World w("bad: policy fail; long; next: after long; later", "1 x {cpus: 2}");
  CHECK(w.step() == Lines{"start bad on n1", "start long on n1"});
  w.finish("bad", TaskExit::error());
  CHECK(w.state("later") == TaskState::kCancelled);
  CHECK(w.state("next") == TaskState::kCancelled);
  CHECK(w.sched.graph().cause(w.id("later")) == FailureCause::kRunStopped);
  CHECK(w.step() == Lines{"kill long (run stopped)"});
  CHECK(w.sched.outcome() == Outcome::kRunning);  // long has not exited yet
  w.finish("long");                               // whatever its exit, it was killed
  CHECK(w.state("long") == TaskState::kCancelled);
  w.add("after_stop");
  CHECK(w.state("after_stop") == TaskState::kCancelled);
  CHECK(w.step().empty());
  CHECK(w.sched.stopped());
  CHECK(w.sched.outcome() == Outcome::kFailure);
}

TEST_CASE("a failed task under ignore is recorded and its successors run", "[failure][ignore]") {
  World w("a: policy ignore; b: after a", "1 x {cpus: 1}");
  w.step();
  w.finish("a", TaskExit::error());
  CHECK(w.state("a") == TaskState::kFailed);
  CHECK(w.sched.graph().has_flag(w.id("a"), TaskGraph::kIgnored));
  CHECK(w.state("b") == TaskState::kReady);
  w.run_all();
  CHECK(w.state("b") == TaskState::kDone);
  CHECK(w.sched.outcome() == Outcome::kSuccess);
  w.add("c: after a");  // a later successor of an ignored failure runs too
  CHECK(w.state("c") == TaskState::kReady);
  const TaskId ab[] = {w.id("a"), w.id("b")};
  auto ws = w.sched.wait_status(ab);
  CHECK(ws.all_final);
  CHECK(ws.ignored == 1);
  CHECK(ws.succeeded());
}

TEST_CASE("a task past its time limit gets a kill decision and counts as failed", "[failure][timeout]") {
  World w("slow: timeout 10, policy cancel-successors; next: after slow", "1 x {cpus: 1}");
  w.step();
  w.now = 9.9;
  CHECK(w.step().empty());
  w.now = 10.0;
  CHECK(w.step() == Lines{"kill slow (timeout)"});
  CHECK(w.step().empty());  // one kill only
  w.now = 10.5;
  w.finish("slow", TaskExit::killed(15));
  CHECK(w.state("slow") == TaskState::kFailed);
  CHECK(w.sched.graph().cause(w.id("slow")) == FailureCause::kTimeout);
  CHECK(w.state("next") == TaskState::kCancelled);
}

TEST_CASE("a timed-out task under retry is retried, and its new attempt gets a new limit", "[failure][timeout]") {
  World w("slow: timeout 10", "1 x {cpus: 1}");
  w.step();
  w.now = 11;
  CHECK(w.step() == Lines{"kill slow (timeout)"});
  w.finish("slow", TaskExit::killed());
  CHECK(w.state("slow") == TaskState::kReady);
  CHECK(w.step() == Lines{"start slow on n1"});
  w.now = 20;
  CHECK(w.step().empty());
  w.now = 21;
  CHECK(w.step() == Lines{"kill slow (timeout)"});
}

TEST_CASE("failure causes are told apart", "[failure]") {
  World w(
      "oom: policy cancel-successors; err: policy cancel-successors; gone: policy cancel-successors; "
      "victim",
      "2 x {cpus: 2}");
  w.step();
  w.finish("oom", TaskExit::out_of_memory());
  w.finish("err", TaskExit::error(2));
  REQUIRE(w.sched.cancel(w.id("victim")));
  CHECK(w.step() == Lines{"kill victim (cancelled)"});
  w.finish("victim", TaskExit::killed());
  const TaskGraph& g = w.sched.graph();
  CHECK(g.cause(w.id("oom")) == FailureCause::kOutOfMemory);
  CHECK(g.cause(w.id("err")) == FailureCause::kTaskError);
  CHECK(g.cause(w.id("victim")) == FailureCause::kKilledByRequest);
  CHECK(w.state("victim") == TaskState::kCancelled);
  REQUIRE(w.sched.node_lost(w.node(w.node_of("gone")), 1));
  CHECK(w.state("gone") == TaskState::kReady);  // a lost node is never the task's failure
  CHECK(g.cause(w.id("gone")) == FailureCause::kNone);
}

TEST_CASE("cancel stops a running task by a kill decision and cancels its successors", "[failure][cancel]") {
  World w("a; b: after a; c: after b", "1 x {cpus: 1}");
  w.step();
  REQUIRE(w.sched.cancel(w.id("a")));
  CHECK(w.state("a") == TaskState::kRunning);  // until its exit is reported
  CHECK(w.state("b") == TaskState::kCancelled);
  CHECK(w.state("c") == TaskState::kCancelled);
  CHECK(w.step() == Lines{"kill a (cancelled)"});
  w.finish("a", TaskExit::ok());
  CHECK(w.state("a") == TaskState::kCancelled);
  CHECK(w.sched.outcome() == Outcome::kSuccess);
  CHECK(w.sched.pool().is_idle(w.node("n1")));
}

TEST_CASE("a group can be cancelled and waited on", "[failure][group]") {
  World w("m1: group members; m2: group members; m3: group members; merge: after m1, after m2, after m3; x",
          "1 x {cpus: 1}");
  CHECK(w.started_in(w.step()) == Lines{"m1"});
  compss::GroupId g = w.sched.find_group("members");
  REQUIRE(w.sched.cancel_group(g));
  CHECK(w.step() == Lines{"kill m1 (cancelled)"});
  CHECK_FALSE(w.sched.group_status(g).all_final);
  w.finish("m1");
  auto gs = w.sched.group_status(g);
  CHECK(gs.all_final);
  CHECK(gs.cancelled == 3);
  CHECK_FALSE(gs.succeeded());
  CHECK(w.state("merge") == TaskState::kCancelled);
  CHECK(w.started_in(w.step()) == Lines{"x"});
  CHECK_FALSE(w.sched.cancel_group(compss::GroupId(42)));
}

TEST_CASE("a task scheduled on a node that is lost before its start report goes back to ready", "[failure][node]") {
  World w("t", "2 x {cpus: 1}");
  w.step(false);
  REQUIRE(w.state("t") == TaskState::kScheduled);
  REQUIRE(w.sched.node_lost(w.node("n1"), 0));
  CHECK(w.state("t") == TaskState::kReady);
  CHECK(w.step() == Lines{"start t on n2"});
  CHECK_FALSE(w.sched.task_started(w.id("t"), 0));  // started already by step(); a second report is illegal
}

TEST_CASE("a task whose kill was requested is final at once when its node is lost", "[failure][node]") {
  World w("c; t: timeout 5, retries 0", "2 x {cpus: 1}");
  w.step();
  REQUIRE(w.sched.cancel(w.id("c")));
  w.now = 6;
  CHECK(w.step() == Lines{"kill c (cancelled)", "kill t (timeout)"});
  REQUIRE(w.sched.node_lost(w.node("n1"), 6));
  REQUIRE(w.sched.node_lost(w.node("n2"), 6));
  CHECK(w.state("c") == TaskState::kCancelled);
  CHECK(w.state("t") == TaskState::kFailed);  // the timeout still counts against it
  CHECK(w.sched.graph().cause(w.id("t")) == FailureCause::kTimeout);
  CHECK(w.sched.outcome() == Outcome::kFailure);
}

TEST_CASE("with one node, the retry meant for another node runs on the same one", "[failure][retry]") {
  World w("t", "1 x {cpus: 1}");
  w.step();
  w.finish("t", TaskExit::error());
  CHECK(w.step() == Lines{"start t on n1"});
  w.finish("t", TaskExit::error());
  CHECK(w.step() == Lines{"start t on n1"});  // no other node: better than waiting forever
  w.finish("t", TaskExit::error());
  CHECK(w.state("t") == TaskState::kFailed);
}

TEST_CASE("a higher retries count spends its retries on the same node first", "[failure][retry]") {
  World w("t: retries 2", "2 x {cpus: 1}");
  Lines nodes;
  for (int attempt = 0; attempt < 4; ++attempt) {
    w.step();
    nodes.push_back(w.node_of("t"));
    w.finish("t", TaskExit::error());
  }
  CHECK(nodes == Lines{"n1", "n1", "n1", "n2"});
  CHECK(w.state("t") == TaskState::kFailed);
}

TEST_CASE("an MPI task's retries are not tied to the node it failed on: it may need every node", "[failure][retry][mpi]") {
  World w("wide: ranks 4, rpn 2, nodes 2, retries 2", "2 x {cpus: 2}");
  for (int attempt = 0; attempt < 4; ++attempt) {  // as for any task: once more on its nodes, then two more
    CHECK(w.step() == Lines{"start wide on n1+n2"});
    w.finish("wide", TaskExit::error());
  }
  CHECK(w.state("wide") == TaskState::kFailed);
}
