// Tests of the simulator and the workflow sources (tools/workflow.h, tools/sim.h).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "tools/sim.h"
#include "tools/workflow.h"

using namespace compss::tools;
using compss::scheduler::AccessMode;
using compss::scheduler::TaskSpec;

namespace {

std::unique_ptr<TaskSource> file(const char* text) {
  auto r = load_workflow(text, "wf.txt");
  REQUIRE(r);
  return std::move(r).value();
}

SimConfig nodes(std::uint32_t n, std::uint32_t cores) {
  SimConfig c;
  c.nodes = n;
  c.cores = cores;
  return c;
}

}  // namespace

TEST_CASE("a workflow file defines tasks, durations, files and after edges", "[sim]") {
  auto src = file("# a comment\n\ntask a 10 out=x cpus=2\ntask b 5.5 in=x kind=k\ntask c 1 after=a,b\n");
  TaskSpec spec;
  double d = 0;
  REQUIRE(src->next(spec, d));
  CHECK(d == 10);
  CHECK(spec.request.cpus == 2);
  REQUIRE(spec.accesses.size() == 1);
  CHECK(spec.accesses[0].mode == AccessMode::kOut);
  REQUIRE(src->next(spec, d));
  CHECK(d == 5.5);
  CHECK(spec.name == "k");
  REQUIRE(src->next(spec, d));
  CHECK(spec.after.size() == 2);
  CHECK_FALSE(src->next(spec, d));
}

TEST_CASE("workflow file errors name the file and line", "[sim]") {
  auto r = load_workflow("task a 1\ntask b 2 after=zz\n", "wf.txt");
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "wf.txt:2: after: no task named 'zz' before this line");
  CHECK_FALSE(load_workflow("task a x\n", "wf.txt"));
  CHECK_FALSE(load_workflow("task a 1 colour=red\n", "wf.txt"));
  CHECK_FALSE(load_workflow("task a 1\ntask a 2\n", "wf.txt"));
  CHECK_FALSE(load_workflow("# nothing\n", "wf.txt"));
}

TEST_CASE("a chain runs one task at a time: makespan is the sum of durations", "[sim]") {
  auto src = file("task a 10 out=x\ntask b 20 in=x out=y\ntask c 30 in=y\n");
  auto r = run_simulation(nodes(4, 8), *src);
  REQUIRE(r);
  CHECK(r->makespan_s == Approx(60));
  CHECK(r->critical_path_s == Approx(60));
  CHECK(r->lower_bound_s == Approx(60));
  CHECK(r->done == 3);
  CHECK(r->node_seconds == Approx(4 * 60));
  CHECK(r->utilisation == Approx(60.0 / (4 * 60 * 8)));
}

TEST_CASE("independent tasks spread over the cores; the bound is work over cores", "[sim]") {
  std::string text;
  for (int i = 0; i < 8; ++i) text += "task t" + std::to_string(i) + " 10\n";
  auto src = file(text.c_str());
  auto r = run_simulation(nodes(2, 2), *src);
  REQUIRE(r);
  CHECK(r->lower_bound_s == Approx(20));  // 80 core-s on 4 cores
  CHECK(r->makespan_s == Approx(20));
  CHECK(r->utilisation == Approx(1.0));
}

TEST_CASE("an elastic run grows for waiting work and releases idle nodes", "[sim]") {
  ShapeOptions so;
  so.shape = "ensemble";
  so.tasks = 401;
  auto src = make_shape(so);
  REQUIRE(src);
  SimConfig c = nodes(8, 4);
  c.elastic = true;
  c.min_nodes = 1;
  c.queue.fixed_s = 10;
  auto r = run_simulation(c, **src);
  REQUIRE(r);
  CHECK(r->done == 401);
  CHECK(r->grows >= 1);
  CHECK(r->peak_nodes > 1);
  CHECK(r->peak_nodes <= 8);
  CHECK(r->makespan_s >= r->lower_bound_s);
  auto again = make_shape(so);
  auto s = run_simulation(nodes(8, 4), **again);
  REQUIRE(s);
  CHECK(r->node_seconds < s->node_seconds);  // elastic uses fewer node-seconds than 8 static nodes
}

TEST_CASE("generated shapes have the promised structure", "[sim]") {
  for (const char* shape : {"chain", "fan", "random", "ensemble"}) {
    ShapeOptions so;
    so.shape = shape;
    so.tasks = 1001;
    so.width = 10;
    auto src = make_shape(so);
    REQUIRE(src);
    TaskSpec spec;
    double d;
    std::uint64_t n = 0;
    while ((*src)->next(spec, d)) {
      CHECK(d >= 0);
      CHECK(spec.command.size() == 40);
      ++n;
    }
    CHECK(n == (*src)->size());
  }
  ShapeOptions bad;
  bad.shape = "star";
  CHECK_FALSE(make_shape(bad));
}

TEST_CASE("10000 tasks on 256 nodes simulate quickly", "[sim]") {
  ShapeOptions so;
  so.tasks = 10000;
  auto src = make_shape(so);
  REQUIRE(src);
  auto r = run_simulation(nodes(256, 32), **src);
  REQUIRE(r);
  CHECK(r->done == 10000);
}
