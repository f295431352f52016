// Tests of the placement policies (fifo, priority, critical-path), backfilling with reservations
// against starvation, and draining.
#include <catch2/catch.hpp>

#include "scheduler/backfill.h"
#include "tests/unit/scheduler/world.h"

using compss::NodeId;
using compss::TaskId;
using compss::test::World;
using namespace compss::scheduler;
using Lines = std::vector<std::string>;

namespace {

SchedulerConfig with_policy(PlacementPolicy p) {
  SchedulerConfig c;
  c.policy = p;
  return c;
}

}  // namespace

TEST_CASE("fifo runs ready tasks in submission order, ignoring priority", "[policy]") {
  World w("a: prio 1; b: prio 9; c: prio 5", "1 x {cpus: 1}", with_policy(PlacementPolicy::kFifo));
  CHECK(w.run_all() == Lines{"a", "b", "c"});
}

TEST_CASE("priority runs higher priority first, ties in submission order", "[policy]") {
  World w("a: prio 1; b: prio 9; c: prio 5; d: prio 9; e: prio -3", "1 x {cpus: 1}",
          with_policy(PlacementPolicy::kPriority));
  CHECK(w.run_all() == Lines{"b", "d", "c", "a", "e"});
}

TEST_CASE("critical-path runs the head of the longest remaining path first", "[policy]") {
  World w("lone; x1; x2: after x1; x3: after x2; y1; y2: after y1", "1 x {cpus: 1}",
          with_policy(PlacementPolicy::kCriticalPath));
  // Every estimate is the default, so path lengths count tasks: x1 (3), y1 (2), lone (1).
  CHECK(w.started_in(w.step()) == Lines{"x1"});
}

TEST_CASE("critical-path learns durations from finished tasks of the same name", "[policy]") {
  World w("s0: kind short; l0: kind long", "1 x {cpus: 1}", with_policy(PlacementPolicy::kCriticalPath));
  w.step();  // s0 first: equal estimates, submission order
  w.now = 1;
  w.finish("s0");
  w.step();
  w.now = 101;
  w.finish("l0");
  CHECK(w.sched.estimate(w.id("s0")) == Approx(1));
  CHECK(w.sched.estimate(w.id("l0")) == Approx(100));
  w.add("s1: kind short; l1: kind long");
  CHECK(w.started_in(w.step()) == Lines{"l1"});

  World f("s0: kind short; l0: kind long", "1 x {cpus: 1}", with_policy(PlacementPolicy::kFifo));
  f.run_all();
  f.add("s1: kind short; l1: kind long");
  CHECK(f.started_in(f.step()) == Lines{"s1"});
}

TEST_CASE("a bottom level counts the successors submitted after the task became ready", "[policy]") {
  World w("hold; a; b", "1 x {cpus: 1}", with_policy(PlacementPolicy::kCriticalPath));
  CHECK(w.started_in(w.step()) == Lines{"hold"});  // a and b queued with equal paths
  w.add("b2: after b; b3: after b2");
  w.finish("hold");
  CHECK(w.started_in(w.step()) == Lines{"b"});
}

TEST_CASE("smaller tasks backfill the room a big blocked task cannot use", "[policy][backfill]") {
  World w("r: cpus 2; big: cpus 4; s1: cpus 1; s2: cpus 1; s3: cpus 1", "1 x {cpus: 4}");
  CHECK(w.started_in(w.step()) == Lines{"r", "s1", "s2"});
  CHECK(w.state("big") == TaskState::kReady);
  auto e = w.sched.explain(w.id("big"));
  REQUIRE(e);
  CHECK(e->has(Explanation::Why::kNoRoomNow));
}

namespace {

// A big task (by default all 4 cores of one node) waits while small 1-core tasks of 5 s arrive every
// 2 s and keep the nodes partly busy. Returns when big started (or -1 by t = 120).
double big_start(double reservation_after_s, std::vector<double>* small_starts_before_big = nullptr,
                 const std::string& big = "cpus 4", const char* nodes = "1 x {cpus: 4}") {
  SchedulerConfig cfg;
  cfg.default_estimate_s = 5;
  cfg.reservation_after_s = reservation_after_s;
  World w("s0: kind small; s1: kind small; big: " + big + ", kind big", nodes, cfg);
  std::map<std::string, double> started;
  int next = 2;
  for (w.now = 0; w.now <= 120; w.now += 1) {
    for (auto& [label, at] : started) {
      if (at >= 0 && w.now - at >= 5 && w.state(label) == TaskState::kRunning) w.finish(label);
    }
    if (static_cast<int>(w.now) % 2 == 0) w.add("s" + std::to_string(next++) + ": kind small");
    for (const std::string& l : w.started_in(w.step())) {
      started[l] = w.now;
      if (l == "big") return w.now;
      if (small_starts_before_big) small_starts_before_big->push_back(w.now);
    }
  }
  return -1;
}

}  // namespace

TEST_CASE("without a reservation, backfilling small tasks starves a big one", "[policy][backfill]") {
  CHECK(big_start(1e9) == -1);
}

TEST_CASE("a reservation after the bound lets the big task start; small tasks never delay it", "[policy][backfill]") {
  std::vector<double> smalls;
  const double at = big_start(10, &smalls);
  REQUIRE(at > 0);
  CHECK(at <= 10 + 5 + 1);  // reserved at 10; the smalls running then end within their 5 s estimate
  // Before the bound the machine was not idled for the big task: small tasks kept starting.
  CHECK(std::count_if(smalls.begin(), smalls.end(), [](double t) { return t > 0 && t < 10; }) >= 3);
}

TEST_CASE("a short task may start before a reservation if it ends in time", "[policy][backfill]") {
  SchedulerConfig cfg;
  cfg.default_estimate_s = 100;
  cfg.reservation_after_s = 0;
  World w("long: cpus 3, kind long, timeout 80; big: cpus 5, kind big", "1 x {cpus: 5}", cfg);
  w.step();  // long starts; big blocked
  w.step();  // big reserved from t = 80, when long should end by its estimate
  REQUIRE(w.sched.reservation());
  CHECK(w.sched.reservation()->task == w.id("big"));
  CHECK(w.sched.reservation()->start == Approx(80));
  w.add("quick: kind quick, timeout 50; slow: kind slow");  // estimates: 50 s (timeout) and 100 s (default)
  CHECK(w.started_in(w.step()) == Lines{"quick"});
  auto e = w.sched.explain(w.id("slow"));
  REQUIRE(e);
  CHECK(e->has(Explanation::Why::kBlockedByReservation));
  CHECK(e->reasons[0].tasks == std::vector<TaskId>{w.id("big")});
  auto b = w.sched.explain(w.id("big"));
  REQUIRE(b);
  CHECK(b->has(Explanation::Why::kHoldsReservation));
}

TEST_CASE("a reservation is planned from the estimated ends of running tasks", "[policy][backfill]") {
  auto node = [](std::uint32_t id, std::uint32_t free, std::vector<NodeLoad::Ending> ending) {
    NodeLoad l;
    l.node = NodeId(id);
    l.free_cores = free;
    l.ending = std::move(ending);
    return l;
  };
  ResourceRequest req;
  req.cpus = 4;
  auto r = plan_reservation(TaskId(7), req, {node(0, 1, {{30, 2}, {10, 1}}), node(1, 2, {{20, 2}})}, 5);
  REQUIRE(r);
  CHECK(r->start == Approx(20));  // node 1 frees 2 cores at 20; node 0 would need until 30
  CHECK(r->nodes == std::vector<NodeId>{NodeId(1)});

  req.nodes = 2;
  req.ranks = 2;
  req.cpus = 2;
  r = plan_reservation(TaskId(7), req, {node(0, 1, {{30, 2}, {10, 1}}), node(1, 2, {})}, 5);
  REQUIRE(r);
  CHECK(r->start == Approx(10));
  CHECK(r->nodes.size() == 2);
  req.cpus = 8;  // larger than any node
  CHECK_FALSE(plan_reservation(TaskId(7), req, {node(0, 4, {}), node(1, 4, {})}, 5));
}

TEST_CASE("a draining node gets no new work; running work finishes", "[policy][drain]") {
  World w("a; b", "2 x {cpus: 1}");
  CHECK(w.step() == Lines{"start a on n1", "start b on n2"});
  REQUIRE(w.sched.drain(w.node("n1")));
  w.finish("a");
  w.finish("b");
  w.add("c; d");
  CHECK(w.step() == Lines{"start c on n2"});
  auto e = w.sched.explain(w.id("d"));
  REQUIRE(e);
  CHECK(e->has(Explanation::Why::kDraining));
  REQUIRE(w.sched.drain(w.node("n1"), false));
  CHECK(w.step() == Lines{"start d on n1"});
  CHECK_FALSE(w.sched.drain(NodeId(77)));
}

TEST_CASE("a multi-node MPI task gets all its nodes at once", "[policy]") {
  World w("mpi: nodes 2, ranks 4, rpn 2, cpus 1; after_mpi: after mpi", "3 x {cpus: 2}");
  CHECK(w.step() == Lines{"start mpi on n1+n2"});
  w.finish("mpi");
  CHECK(w.started_in(w.step()) == Lines{"after_mpi"});
}

TEST_CASE("a wide MPI task gets a reservation too: small tasks do not starve it", "[policy][backfill][mpi]") {
  // Two nodes of 2 cores; a 4-rank task needs both whole.
  const std::string wide = "ranks 4, rpn 2, nodes 2";
  CHECK(big_start(1e9, nullptr, wide, "2 x {cpus: 2}") == -1);  // without a reservation the small tasks keep it out
  const double at = big_start(10, nullptr, wide, "2 x {cpus: 2}");
  REQUIRE(at > 0);
  CHECK(at <= 10 + 5 + 1);
}
