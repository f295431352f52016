// Tests that the ElasticPolicy's decisions reach the Scheduler facade: grow when ready work piles up,
// new nodes take work, idle nodes are drained and released (never the first), explain mentions growth.
#include <algorithm>
#include <catch2/catch.hpp>

#include "tests/unit/scheduler/world.h"
#include "tests/unit/scheduler/world_nodes.h"

using compss::test::elastic_config;
using compss::test::has;
using compss::test::World;
using namespace compss::scheduler;
using Lines = std::vector<std::string>;

TEST_CASE("ready work that outlasts the join latency grows the job up to max nodes", "[elastic]") {
  World w("t: array 1-10, timeout 60", "1 x {cpus: 1}", elastic_config());  // declared: up to 60 s each
  Lines d = w.step();
  CHECK(d.front() == "start t[1] on n1");
  CHECK(has(d, "grow 3"));  // 9 cores wanted; capped by max-nodes 4
  CHECK(w.sched.nodes_coming() == 3);
  auto e = w.sched.explain(w.id("t[2]"));
  REQUIRE(e);
  CHECK(e->has(Explanation::Why::kGrowRequested));
  CHECK(e->has(Explanation::Why::kNodeCountAtMax));  // 1 live + 3 requested of 4

  w.now = 5;
  for (auto& n : compss::test::nodes("3 x {cpus: 1}")) {
    n.name = "x" + n.name;
    w.sched.node_joined(std::move(n), w.now);
  }
  CHECK(w.sched.nodes_coming() == 0);
  d = w.step();
  CHECK(w.started_in(d).size() == 3);
  CHECK_FALSE(has(d, "grow 1"));  // at max
}

TEST_CASE("idle nodes are drained, then released; the first node never", "[elastic]") {
  World w("t: array 1-4", "4 x {cpus: 1}", elastic_config());
  CHECK(w.started_in(w.step()).size() == 4);
  w.now = 1;
  for (int i = 1; i <= 4; ++i) w.finish("t[" + std::to_string(i) + "]");
  Lines all;
  for (w.now = 2; w.now < 60; w.now += 1) {
    Lines d = w.step();
    all.insert(all.end(), d.begin(), d.end());
  }
  CHECK(has(all, "drain n2"));
  CHECK(has(all, "release n2"));
  CHECK(has(all, "release n4"));
  CHECK_FALSE(has(all, "drain n1"));
  CHECK(w.sched.pool().node_count() == 1);
  // A released node is forgotten: reports about it are errors.
  CHECK_FALSE(w.sched.node_lost(w.node("n2"), w.now));
}

TEST_CASE("tasks of a length nobody has seen grow the job as they prove long, not by the default estimate",
          "[elastic]") {
  // 9 waiting tasks of unknown length: taken as 1 s each until one has run longer (9 s of work on 1
  // core outlasts the 5 s join latency, and keeps 1.8 cores busy that long: 1 node, not 3).
  World w("t: array 1-10", "1 x {cpus: 1}", elastic_config());
  Lines d = w.step();
  CHECK(has(d, "grow 1"));
  w.sched.set_nodes_coming(0);  // the request failed
  // t[1] has run 20 s and not ended: the others are taken as at least 20 s long.
  w.now = 20;
  CHECK(has(w.step(), "grow 3"));
}

TEST_CASE("a static job never grows", "[elastic]") {
  World w("t: array 1-10", "1 x {cpus: 1}");
  for (const std::string& d : w.step()) CHECK(d.rfind("grow", 0) != 0);
}

TEST_CASE("grow requests are withdrawn when the demand vanishes before the nodes come", "[elastic]") {
  World w("t: array 1-10, timeout 60", "1 x {cpus: 1}", elastic_config());
  REQUIRE(has(w.step(), "grow 3"));
  for (int i = 2; i <= 10; ++i) REQUIRE(w.sched.cancel(w.id("t[" + std::to_string(i) + "]")));
  Lines all;
  for (w.now = 1; w.now < 20; w.now += 1) {
    Lines d = w.step();
    all.insert(all.end(), d.begin(), d.end());
  }
  CHECK(has(all, "withdraw 3"));
  CHECK(w.sched.nodes_coming() == 0);
}

TEST_CASE("the owner of the grow requests says how many nodes are coming; the policy asks again", "[elastic]") {
  World w("t: array 1-10, timeout 60", "1 x {cpus: 1}", elastic_config());
  REQUIRE(has(w.step(), "grow 3"));
  CHECK(w.sched.nodes_coming() == 3);
  w.sched.set_nodes_coming(1);  // two requests failed
  CHECK(w.sched.nodes_coming() == 1);
  w.now = 3;  // past the policy's period
  CHECK(has(w.step(), "grow 2"));
  CHECK(w.sched.nodes_coming() == 3);
}

TEST_CASE("an MPI task over more nodes than the job has grows it in merge mode, not in helper mode",
          "[elastic][mpi]") {
  // 2 ranks over 2 nodes: the one node has the cores, not the nodes.
  World merge("wide: ranks 2, nodes 2", "1 x {cpus: 4}", elastic_config());
  CHECK(has(merge.step(), "grow 1"));
  merge.now = 5;
  merge.sched.node_joined(compss::test::nodes("x1 {cpus: 4}")[0], merge.now);
  CHECK(merge.started_in(merge.step()) == std::vector<std::string>{"wide"});

  auto cfg = elastic_config();
  cfg.grown_nodes_join_job = false;
  World helper("wide: ranks 2, nodes 2", "1 x {cpus: 4}", cfg);
  auto d = helper.step();
  CHECK(std::none_of(d.begin(), d.end(), [](const std::string& l) { return l.rfind("grow", 0) == 0; }));
}
