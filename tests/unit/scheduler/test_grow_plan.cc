// Tests of the grow plan: a grow decision re-sized with SLURM's start forecast (grow_plan.h), and the
// policy's side of it (the need it carries, the in-flight limit in nodes, the hold after a late forecast).
#include <catch2/catch.hpp>
#include <vector>

#include "scheduler/elastic.h"
#include "scheduler/grow_plan.h"

using compss::NodeId;
using namespace compss::scheduler;
using Kind = ElasticDecision::Kind;

namespace {

// 4 busy nodes of 32 cores; 10 s join latency when SLURM starts a request at once.
GrowNeed need(double work_core_s, std::uint32_t width_nodes = 1000) {
  GrowNeed n;
  n.work_core_s = work_core_s;
  n.cores = 128;
  n.cores_per_node = 32;
  n.join_latency_s = 10;
  n.width_nodes = width_nodes;
  return n;
}

// A forecast that records what it was asked and answers `delay(n)`.
struct Asked {
  std::vector<std::uint32_t> sizes;
  Forecast by(std::function<double(std::uint32_t)> delay) {
    return [this, delay](std::uint32_t n) -> std::optional<double> {
      sizes.push_back(n);
      return delay(n);
    };
  }
};

}  // namespace

TEST_CASE("nodes worth asking for shrink as SLURM's start delay grows", "[elastic][forecast]") {
  const GrowNeed n = need(128 * 100.0);  // 100 s of work on the 128 cores there are
  // At once: arrival 10 s, W/10 - 128 = 1152 cores = 36 nodes.
  CHECK(nodes_worth(n, 1000, 0) == 36);
  // In 30 s: arrival 40 s, W/40 - 128 = 192 cores = 6 nodes.
  CHECK(nodes_worth(n, 1000, 30) == 6);
  // In 95 s the work is done before they come.
  CHECK(nodes_worth(n, 1000, 95) == 0);
  CHECK(nodes_worth(n, 4, 0) == 4);             // never more than decided
  CHECK(nodes_worth(need(128 * 100.0, 3), 1000, 0) == 3);  // never wider than the work
  GrowNeed wide = n;
  wide.required = 2;  // a wide MPI task needs 2 more nodes whatever the wait
  CHECK(nodes_worth(wide, 1000, 500) == 2);
}

TEST_CASE("a forecast at once keeps the decision; a late one asks for fewer", "[elastic][forecast]") {
  const GrowNeed n = need(128 * 100.0);
  Asked a;
  GrowPlan p = plan_grow(n, 36, a.by([](std::uint32_t) { return 0.0; }));
  CHECK(p.count == 36);
  CHECK(p.queries == 1);
  CHECK(p.why == "SLURM expects 36 nodes in 0 s; 12800 core-seconds of work last 100 s on the 128 cores there are and coming");

  Asked b;
  p = plan_grow(n, 36, b.by([](std::uint32_t) { return 30.0; }));
  CHECK(p.count == 6);
  CHECK(b.sizes == std::vector<std::uint32_t>{36});
  CHECK(p.why.find(": 6 of them pay off") != std::string::npos);
}

TEST_CASE("when the whole request comes too late a smaller one is asked about", "[elastic][forecast]") {
  const GrowNeed n = need(128 * 100.0);
  Asked a;
  // 36 nodes only in 200 s (another job's end), 18 in 150 s, 9 at once.
  GrowPlan p = plan_grow(n, 36, a.by([](std::uint32_t k) { return k > 18 ? 200.0 : k > 9 ? 150.0 : 0.0; }));
  CHECK(a.sizes == std::vector<std::uint32_t>{36, 18, 9});
  CHECK(p.count == 9);
  REQUIRE(p.delay_s);
  CHECK(*p.delay_s == 0);
}

TEST_CASE("nothing is asked for when even one node would come too late", "[elastic][forecast]") {
  const GrowNeed n = need(128 * 20.0);  // 20 s of work
  Asked a;
  GrowPlan p = plan_grow(n, 2, a.by([](std::uint32_t) { return 1800.0; }));
  CHECK(p.count == 0);
  CHECK(a.sizes == std::vector<std::uint32_t>{2, 1});
  CHECK(p.why == "SLURM expects 1 node in 1800 s; 2560 core-seconds of work last 20 s on the 128 cores there are and "
                 "coming: too late to pay off");
  // The queries are bounded, however large the decision.
  Asked b;
  p = plan_grow(n, 4096, b.by([](std::uint32_t) { return 1800.0; }));
  CHECK(p.count == 0);
  CHECK(b.sizes.size() == 3);
}

TEST_CASE("without a forecast the decision stands as sized", "[elastic][forecast]") {
  GrowPlan p = plan_grow(need(128 * 100.0), 12, [](std::uint32_t) { return std::optional<double>{}; });
  CHECK(p.count == 12);
  CHECK(p.why == "no forecast from SLURM for 12 nodes: asking as sized");
}

namespace {

ElasticInput wide_job() {
  ElasticInput in;
  in.now = 100;
  in.min_nodes = 1;
  in.max_nodes = 4096;
  in.max_in_flight = 4096;
  in.join_latency_s = 10;
  in.new_node_cores = 32;
  for (std::uint32_t i = 0; i < 4; ++i) in.nodes.push_back({NodeId(i), i == 0, 32, false, false, 0});
  in.ready_tasks = 40000;
  in.ready_cores = 40000;
  in.ready_work_core_s = 40000 * 8.0;  // 320000 core-s: 2500 s on 128 cores
  return in;
}

std::uint32_t grown(const std::vector<ElasticDecision>& all) {
  for (const auto& d : all)
    if (d.kind == Kind::kGrow) return d.count;
  return 0;
}

}  // namespace

TEST_CASE("one grow decision asks for hundreds of nodes and carries what the count rests on", "[elastic][forecast]") {
  ElasticPolicy policy;
  auto out = policy.decide(wide_job());
  REQUIRE(out.size() == 1);
  // 320000 / 10 - 128 = 31872 cores busy a whole join latency: 996 nodes (the width allows 1250).
  CHECK(out[0].count == 996);
  const GrowNeed& n = out[0].need;
  CHECK(n.work_core_s == 320000);
  CHECK(n.cores == 128);
  CHECK(n.cores_per_node == 32);
  CHECK(n.join_latency_s == 10);
  CHECK(n.width_nodes == 1250);
  CHECK(n.required == 0);
  // Re-sized with no delay, the plan agrees with the policy.
  CHECK(nodes_worth(n, out[0].count, 0) == out[0].count);
}

TEST_CASE("the in-flight limit counts nodes asked for, not requests", "[elastic][forecast]") {
  auto in = wide_job();
  in.max_in_flight = 256;
  in.nodes_coming = 200;
  auto out = ElasticPolicy().decide(in);
  CHECK(grown(out) == 56);
  CHECK(out[0].reason.find("at most 256 nodes in flight") != std::string::npos);
}

TEST_CASE("after a too-late forecast the policy holds growth until the hold ends", "[elastic][forecast]") {
  auto in = wide_job();
  in.grow_hold_until = 130;
  CHECK(grown(ElasticPolicy().decide(in)) == 0);
  in.min_nodes = 6;  // what is required is still asked for
  auto out = ElasticPolicy().decide(in);
  CHECK(grown(out) == 2);
  CHECK(out[0].need.required == 2);
  in.min_nodes = 1;
  in.now = 131;
  CHECK(grown(ElasticPolicy().decide(in)) == 996);
}
