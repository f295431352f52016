// Tests of node quarantine (doc/spec/states.md section 5): which failures count, what a quarantined node
// gets (nothing new, but for the last resort), how it is explained, and what elasticity does with it.
#include <algorithm>
#include <catch2/catch.hpp>

#include "tests/unit/scheduler/world.h"

using compss::test::has;
using compss::test::World;
using namespace compss::scheduler;
using Lines = std::vector<std::string>;
using Why = Explanation::Why;

namespace {

std::string explain_text(const World& w, const std::string& label) {
  auto e = w.sched.explain(w.id(label));
  REQUIRE(e);
  return e->to_string();
}

}  // namespace

TEST_CASE("a node where tasks of three names failed is quarantined and gets no new task", "[quarantine]") {
  World w("a: retries 0; b: retries 0; c: retries 0", "2 x {cpus: 4}");
  CHECK(w.step() == Lines{"start a on n1", "start b on n1", "start c on n1"});
  w.finish("a", TaskExit::error());
  w.finish("b", TaskExit::out_of_memory());
  CHECK(w.step().empty());  // two names: not yet
  w.finish("c", TaskExit::killed(11));  // a signal nobody asked for is the task's error
  CHECK(w.step() == Lines{"quarantine n1"});
  CHECK(w.sched.pool().is_quarantined(w.node("n1")));
  REQUIRE(std::holds_alternative<QuarantineNode>(w.last[0]));
  CHECK(std::get<QuarantineNode>(w.last[0]).why ==
        "tasks of 3 different names failed on n1 (a, b, c) and none succeeded there since: no new task goes there");
  CHECK(w.sched.pool().free_cores() == 4);  // n1's cores are not offered any more

  w.add("d: array 1-5");
  Lines d = w.step();
  CHECK(w.started_in(d).size() == 4);
  for (const std::string& line : d) CHECK(line.find(" on n2") != std::string::npos);
  CHECK(w.state("d[5]") == TaskState::kReady);  // n1 is idle, but quarantined
  w.now = 1;
  CHECK(w.step().empty());  // the quarantine is decided once and holds
}

TEST_CASE("failures of one name, however many, do not quarantine a node", "[quarantine]") {
  World w("t: array 1-4, retries 0, kind same; u: retries 0; v: retries 0", "1 x {cpus: 8}");
  w.step();
  for (int i = 1; i <= 4; ++i) w.finish("t[" + std::to_string(i) + "]", TaskExit::error());
  w.finish("u", TaskExit::error());
  CHECK(w.step().empty());  // two names
  CHECK_FALSE(w.sched.pool().is_quarantined(w.node("n1")));
}

TEST_CASE("a success on a node starts its count of failed names over", "[quarantine]") {
  World w("a: retries 0; b: retries 0; ok; c: retries 0; d: retries 0; e: retries 0", "1 x {cpus: 8}");
  w.step();
  w.finish("a", TaskExit::error());
  w.finish("b", TaskExit::error());
  w.finish("ok");
  w.finish("c", TaskExit::error());
  w.finish("d", TaskExit::error());
  CHECK(w.step().empty());  // c and d since the success: two names
  w.finish("e", TaskExit::error());
  CHECK(w.step() == Lines{"quarantine n1"});
  CHECK(std::get<QuarantineNode>(w.last[0]).why.find("(c, d, e)") != std::string::npos);
}

TEST_CASE("cancelled and killed tasks do not count against a node; timeouts do", "[quarantine]") {
  World w("a: retries 0; b: retries 0; victim; late: retries 0, timeout 10", "1 x {cpus: 8}");
  w.step();
  w.finish("a", TaskExit::error());
  w.finish("b", TaskExit::error());
  REQUIRE(w.sched.cancel(w.id("victim")));
  CHECK(w.step() == Lines{"kill victim (cancelled)"});
  w.finish("victim", TaskExit::killed());
  CHECK(w.step().empty());  // a kill by request is no failure of the node
  w.now = 10;
  CHECK(w.step() == Lines{"kill late (timeout)"});
  w.finish("late", TaskExit::killed());
  CHECK(w.step() == Lines{"quarantine n1"});  // a, b and a timeout of late
}

TEST_CASE("tasks lost with their node do not count against any node", "[quarantine]") {
  World w("a: retries 0; b: retries 0; c; d; e", "2 x {cpus: 8}");
  w.step();  // all on n1
  w.finish("a", TaskExit::error());
  w.finish("b", TaskExit::error());
  REQUIRE(w.sched.node_lost(w.node("n1"), 1));  // c, d, e go back to ready, no failure counted
  Lines d = w.step();
  CHECK(w.started_in(d) == Lines{"c", "d", "e"});
  for (const std::string& line : d) CHECK(line.rfind("quarantine", 0) != 0);
  CHECK(w.sched.pool().quarantined_count() == 0);
}

TEST_CASE("explain says a ready task waits while nodes are quarantined", "[quarantine][explain]") {
  World w("a: retries 0; b: retries 0; c: retries 0; big: cpus 4", "2 x {cpus: 4}");
  w.step();  // a, b, c on n1; big on n2
  for (const char* t : {"a", "b", "c"}) w.finish(t, TaskExit::error());
  w.add("next: cpus 2");
  CHECK(w.step() == Lines{"quarantine n1"});  // next waits for n2, though n1 is empty
  auto e = w.sched.explain(w.id("next"));
  REQUIRE(e);
  CHECK(e->has(Why::kQuarantined));
  CHECK(explain_text(w, "next") ==
        "task 4 (next) is ready: no node has 2 cores free (none has any); 1 node(s) quarantined take no new task: "
        "tasks of several names failed there (n1); node count at max (2, elasticity off)");
}

TEST_CASE("the last resort: a task no other node could hold runs on a quarantined node", "[quarantine]") {
  SECTION("the job's only node") {
    World w("a: retries 0; b: retries 0; c: retries 0", "1 x {cpus: 4}");
    w.step();
    for (const char* t : {"a", "b", "c"}) w.finish(t, TaskExit::error());
    w.add("d");
    w.sched.set_nodes_coming(1);  // a node is on its way: d waits for it
    CHECK(w.step() == Lines{"quarantine n1"});
    CHECK_THAT(explain_text(w, "d"), Catch::Contains("the only node is quarantined): it waits for the node(s) coming"));
    w.sched.set_nodes_coming(0);  // none comes: d runs where it can
    CHECK_THAT(explain_text(w, "d"), Catch::Contains("it runs on a quarantined node as a last resort"));
    CHECK(w.step() == Lines{"start d on n1"});
  }
  SECTION("the only node with the task's resources") {
    World w("a: gpus 1, retries 0; b: gpus 1, retries 0; c: gpus 1, retries 0",
            "gpu {cpus: 4, gpus: 4}; cpu {cpus: 4}");
    w.step();
    for (const char* t : {"a", "b", "c"}) w.finish(t, TaskExit::error());
    w.add("plain; g: gpus 1");
    CHECK(w.step() == Lines{"quarantine gpu", "start plain on cpu", "start g on gpu"});
  }
}

TEST_CASE("a retry that must avoid its node stays there when the other nodes are quarantined", "[quarantine]") {
  World w("a: retries 0; b: retries 0; c: retries 0; t: cpus 4", "2 x {cpus: 4}");
  CHECK(w.step() == Lines{"start a on n1", "start b on n1", "start c on n1", "start t on n2"});
  for (const char* t : {"a", "b", "c"}) w.finish(t, TaskExit::error());
  w.finish("t", TaskExit::error());
  CHECK(w.step() == Lines{"quarantine n1", "start t on n2"});  // once more on its node
  w.finish("t", TaskExit::error());
  CHECK(w.step() == Lines{"start t on n2"});  // "another node" would be n1, which is quarantined
}

TEST_CASE("an elastic run gives a quarantined grown node back once idle", "[quarantine][elastic]") {
  SchedulerConfig c;
  c.elastic = true;
  c.min_nodes = 1;
  c.max_nodes = 2;
  c.elastic_period_s = 0;
  c.idle_release_s = 1000;  // no drain of idle nodes in this test
  World w("a: retries 0; b: retries 0; c: retries 0; d: retries 0", "n1 {cpus: 1}; n2 {cpus: 3}", c);
  CHECK(w.started_in(w.step()) == Lines{"a", "b", "c", "d"});  // a on n1, b c d on n2
  for (const char* t : {"b", "c"}) w.finish(t, TaskExit::error());
  w.finish("d", TaskExit::error());
  Lines d = w.step();
  CHECK(d == Lines{"quarantine n2", "release n2"});  // idle once its tasks ended
  CHECK(w.sched.pool().node_count() == 1);

  // The job's first node is never given back, quarantined or not.
  World own("a: retries 0; b: retries 0; c: retries 0", "1 x {cpus: 4}", c);
  own.step();
  for (const char* t : {"a", "b", "c"}) own.finish(t, TaskExit::error());
  Lines o = own.step();
  CHECK(has(o, "quarantine n1"));
  CHECK_FALSE(has(o, "release n1"));
  CHECK(has(o, "grow 1"));  // no active node left: below min-nodes
}
