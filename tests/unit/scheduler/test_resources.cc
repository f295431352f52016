// Tests of the resource pool: exact placement, GPUs and close cores, limits, multi-node requests,
// draining / quarantined / avoid, release, check_request, check_usable and why_not.
#include <catch2/catch.hpp>
#include <cstdio>
#include <ctime>
#include <optional>
#include <random>
#include <set>
#include <string>

#include "scheduler/resources.h"
#include "tests/unit/scheduler/world_nodes.h"

using compss::NodeId;
using compss::test::make_pool;
using compss::test::request;
using namespace compss::scheduler;

namespace {

std::string where(const ResourcePool& pool, const ResourceRequest& req, const std::vector<NodeId>& avoid = {}) {
  auto p = pool.place(req, avoid);
  return p ? describe(*p, pool) : "none";
}

// Places and allocates; "none" when it does not fit.
std::string take(ResourcePool& pool, const ResourceRequest& req, const std::vector<NodeId>& avoid = {}) {
  auto p = pool.place(req, avoid);
  if (!p) return "none";
  pool.allocate(*p);
  return describe(*p, pool);
}

NodeId id(const ResourcePool& pool, const char* name) {
  return pool.find(name);
}

// Marks the given cores of a node used, as if a task held them.
void occupy(ResourcePool& pool, const char* node, const char* cores) {
  NodeSlot slot;
  slot.node = pool.find(node);
  slot.cores = compss::test::ids(cores);
  pool.allocate(Placement{{slot}});
}

}  // namespace

TEST_CASE("the test text builds nodes with exact ids, GPUs and close cores", "[resources][world]") {
  auto d = compss::test::nodes(
      "n1 {cpus: 4, mem: 8G, gpus: 2, close: [0-1, 2-3]}; 2 x gpu {cores: [4-7], gpus: 2, licence: 3}; {cpus: 2}");
  REQUIRE(d.size() == 4);
  CHECK(d[0].name == "n1");
  CHECK(d[0].memory == 8ull << 30);
  CHECK(d[0].gpus[1].close_cores == std::vector<std::uint32_t>{2, 3});
  CHECK(d[1].name == "gpu1");
  CHECK(d[2].name == "gpu2");
  CHECK(d[2].cores == std::vector<std::uint32_t>{4, 5, 6, 7});
  CHECK(d[2].gpus[1].close_cores == std::vector<std::uint32_t>{6, 7});  // default: equal blocks
  CHECK(d[2].custom == std::vector<std::pair<std::string, std::uint64_t>>{{"licence", 3}});
  CHECK(d[3].name == "n4");
  CHECK_THROWS_AS(compss::test::nodes("2 x {cpus: four}"), std::invalid_argument);
  CHECK_THROWS_AS(compss::test::nodes("n1 {gpus: 2, close: [0-1]}"), std::invalid_argument);
}

TEST_CASE("a plain task gets one exact core, packing the fullest node first", "[resources]") {
  auto pool = make_pool("2 x {cpus: 4}");
  CHECK(take(pool, request("cpus: 1")) == "n1: cores 0");
  CHECK(take(pool, request("cpus: 1")) == "n1: cores 1");
  CHECK(take(pool, request("cpus: 2")) == "n1: cores 2-3");
  CHECK(take(pool, request("cpus: 1")) == "n2: cores 0");
  CHECK(pool.free_cores() == 3);
  CHECK_FALSE(pool.is_idle(id(pool, "n1")));
}

TEST_CASE("a request goes to the node with the fewest free cores that holds it", "[resources]") {
  auto pool = make_pool("3 x {cpus: 8}");
  take(pool, request("cpus: 6"));                            // n1: 2 free
  CHECK(take(pool, request("cpus: 3")) == "n2: cores 0-2");  // n2: 5 free
  CHECK(where(pool, request("cpus: 2")) == "n1: cores 6-7");
  CHECK(where(pool, request("cpus: 4")) == "n2: cores 3-6");
  CHECK(where(pool, request("cpus: 6")) == "n3: cores 0-5");
}

TEST_CASE("core ids are the node's own, not positions", "[resources]") {
  auto pool = make_pool("n1 {cores: [4-7, 12]}");
  CHECK(take(pool, request("cpus: 2")) == "n1: cores 4-5");
  CHECK(take(pool, request("cpus: 3")) == "n1: cores 6-7,12");
  CHECK(where(pool, request("cpus: 1")) == "none");
}

TEST_CASE("a GPU task gets its GPU and that GPU's close cores", "[resources][gpu]") {
  auto pool = make_pool("n1 {cpus: 4, gpus: 2, close: [0-1, 2-3]}");
  CHECK(take(pool, request("gpus: 1, cpus: 2")) == "n1: cores 0-1 gpus 0");
  CHECK(take(pool, request("gpus: 1, cpus: 2")) == "n1: cores 2-3 gpus 1");
  CHECK(where(pool, request("gpus: 1")) == "none");
}

TEST_CASE("a GPU task prefers the GPU whose close cores are free", "[resources][gpu]") {
  auto pool = make_pool("n1 {cpus: 8, gpus: 2, close: [0-3, 4-7]}");
  take(pool, request("cpus: 3"));  // cores 0-2, near GPU 0
  CHECK(where(pool, request("gpus: 1, cpus: 2")) == "n1: cores 4-5 gpus 1");
}

TEST_CASE("when a GPU's close cores are busy the task takes other free cores", "[resources][gpu]") {
  auto pool = make_pool("n1 {cpus: 8, gpus: 2, close: [0-1, 2-3]}");
  occupy(pool, "n1", "0-3");  // every close core
  CHECK(where(pool, request("gpus: 1, cpus: 2")) == "n1: cores 4-5 gpus 0");
  // One close core free: it is used, the rest comes from elsewhere.
  auto pool2 = make_pool("n1 {cpus: 8, gpus: 1, close: [0-3]}");
  occupy(pool2, "n1", "0-2");
  CHECK(where(pool2, request("gpus: 1, cpus: 3")) == "n1: cores 3-5 gpus 0");
}

TEST_CASE("several GPU ranks on one node are laid out rank by rank", "[resources][gpu]") {
  auto pool = make_pool("n1 {cpus: 8, gpus: 4}");  // close: 0-1, 2-3, 4-5, 6-7
  auto p = pool.place(request("nodes: 1, ranks: 2, gpus: 2, cpus: 3"));
  REQUIRE(p);
  REQUIRE(p->slots.size() == 1);
  CHECK(p->slots[0].ranks == 2);
  CHECK(p->slots[0].gpus == std::vector<std::uint32_t>{0, 1, 2, 3});
  CHECK(p->slots[0].cores == std::vector<std::uint32_t>{0, 1, 2, 4, 5, 6});
}

TEST_CASE("memory is counted per node and limits placement", "[resources]") {
  auto pool = make_pool("n1 {cpus: 8, mem: 4G}");
  auto first = pool.place(request("cpus: 1, mem: 3G"));
  REQUIRE(first);
  CHECK(describe(*first, pool) == "n1: cores 0 mem 3G");
  pool.allocate(*first);
  CHECK(where(pool, request("cpus: 1, mem: 2G")) == "none");
  CHECK(where(pool, request("cpus: 1, mem: 1G")) == "n1: cores 1 mem 1G");
  CHECK(where(pool, request("cpus: 1")) == "n1: cores 1");
  pool.release(*first);
  CHECK(where(pool, request("cpus: 1, mem: 4G")) == "n1: cores 0 mem 4G");
}

TEST_CASE("a node that does not account memory takes any memory request", "[resources]") {
  auto pool = make_pool("n1 {cpus: 2}");
  CHECK(pool.check_request(request("mem: 1T")));
  CHECK(take(pool, request("mem: 1T")) == "n1: cores 0 mem 1T");
}

TEST_CASE("custom resources are counted per node", "[resources]") {
  auto pool = make_pool("n1 {cpus: 8, licence: 2}; n2 {cpus: 8}");
  CHECK(take(pool, request("licence: 1")) == "n1: cores 0 licence=1");
  CHECK(take(pool, request("licence: 1")) == "n1: cores 1 licence=1");
  CHECK(where(pool, request("licence: 1")) == "none");
  CHECK(where(pool, request("cpus: 7")) == "n2: cores 0-6");
  CHECK(where(pool, request("fpga: 1")) == "none");
}

TEST_CASE("a multi-node request gets exact ids on every node", "[resources][mpi]") {
  auto pool = make_pool("4 x {cpus: 4}");
  take(pool, request("cpus: 2"));  // n1 keeps 2 free: too few for 2 ranks of 2
  auto req = request("mpi, nodes: 2, ranks: 4, rpn: 2, cpus: 2");
  CHECK(take(pool, req) == "n2: ranks 2 cores 0-3; n3: ranks 2 cores 0-3");
  CHECK(where(pool, req) == "none");
  CHECK(where(pool, request("mpi, nodes: 2, ranks: 2, rpn: 1, cpus: 2")) == "n1: cores 2-3; n4: cores 0-1");
}

TEST_CASE("ranks without a node count go on as few nodes as possible", "[resources][mpi]") {
  auto pool = make_pool("n1 {cpus: 4}; n2 {cpus: 8}");
  CHECK(where(pool, request("nodes: 0, ranks: 6")) == "n2: ranks 6 cores 0-5");
  CHECK(where(pool, request("nodes: 0, ranks: 10")) == "n1: ranks 2 cores 0-1; n2: ranks 8 cores 0-7");
  CHECK(where(pool, request("nodes: 0, ranks: 13")) == "none");
  CHECK(where(pool, request("nodes: 0, ranks: 6, rpn: 4")) == "n1: ranks 4 cores 0-3; n2: ranks 2 cores 0-1");
}

TEST_CASE("ranks over a fixed number of nodes are dealt out evenly", "[resources][mpi]") {
  auto pool = make_pool("3 x {cpus: 4}");
  CHECK(where(pool, request("nodes: 2, ranks: 5")) == "n1: ranks 3 cores 0-2; n2: ranks 2 cores 0-1");
  take(pool, request("cpus: 3"));  // n1 has 1 free
  CHECK(where(pool, request("nodes: 3, ranks: 9")) == "n1: cores 3; n2: ranks 4 cores 0-3; n3: ranks 4 cores 0-3");
}

TEST_CASE("MPI ranks with GPUs get GPUs and close cores per rank on each node", "[resources][mpi][gpu]") {
  auto pool = make_pool("2 x {cpus: 8, gpus: 2}");  // close: 0-3, 4-7
  auto p = pool.place(request("mpi, nodes: 2, ranks: 4, rpn: 2, gpus: 1, cpus: 2"));
  REQUIRE(p);
  REQUIRE(p->slots.size() == 2);
  for (const auto& s : p->slots) {
    CHECK(s.gpus == std::vector<std::uint32_t>{0, 1});
    CHECK(s.cores == std::vector<std::uint32_t>{0, 1, 4, 5});
  }
}

TEST_CASE("release gives back exactly what allocate took", "[resources]") {
  auto pool = make_pool("2 x {cpus: 8, gpus: 2, mem: 16G, licence: 4}");
  auto mpi = *pool.place(request("nodes: 2, ranks: 4, rpn: 2, cpus: 2, gpus: 1, mem: 2G, licence: 1"));
  auto plain = *pool.place(request("cpus: 1"));
  pool.allocate(mpi);
  auto after = *pool.place(request("cpus: 1"));
  pool.allocate(after);
  CHECK(pool.free_cores() == 16 - 8 - 1);
  pool.release(mpi);
  pool.release(after);
  CHECK(pool.free_cores() == 16);
  CHECK(pool.is_idle(id(pool, "n1")));
  CHECK(pool.is_idle(id(pool, "n2")));
  CHECK(describe(*pool.place(request("cpus: 8, gpus: 2, mem: 16G, licence: 4")), pool) ==
        "n1: cores 0-7 gpus 0-1 mem 16G licence=4");
  CHECK(describe(*pool.place(request("cpus: 1")), pool) == describe(plain, pool));
}

TEST_CASE("draining nodes get no new work", "[resources]") {
  auto pool = make_pool("2 x {cpus: 4}");
  pool.set_draining(id(pool, "n1"), true);
  CHECK(where(pool, request("cpus: 1")) == "n2: cores 0");
  CHECK(pool.free_cores() == 4);
  pool.set_draining(id(pool, "n2"), true);
  CHECK(where(pool, request("cpus: 1")) == "none");
  CHECK(pool.why_not(request("cpus: 1")) == "all 2 nodes are draining");
  pool.set_draining(id(pool, "n1"), false);
  CHECK(where(pool, request("cpus: 1")) == "n1: cores 0");
}

TEST_CASE("quarantined nodes get nothing unless a placement asks for the last resort", "[resources][quarantine]") {
  auto pool = make_pool("2 x {cpus: 2}");
  take(pool, request("cpus: 1"));  // n1 is the fuller node
  pool.set_quarantined(id(pool, "n1"), true);
  CHECK(pool.quarantined_count() == 1);
  CHECK(pool.free_cores() == 2);  // n1's free core is not offered
  CHECK(pool.total_cores() == 2);
  CHECK(take(pool, request("cpus: 1")) == "n2: cores 0");
  CHECK(take(pool, request("cpus: 1")) == "n2: cores 1");
  CHECK(take(pool, request("cpus: 1")) == "none");
  CHECK(pool.why_not(request("cpus: 1")) == "no node has 1 core free (none has any)");
  CHECK_FALSE(pool.place_on(request("cpus: 1"), id(pool, "n1")).has_value());
  Placement p;
  REQUIRE(pool.place_into(request("cpus: 1"), p, {}, true));
  CHECK(describe(p, pool) == "n1: cores 1");
  pool.set_quarantined(id(pool, "n1"), false);
  CHECK(pool.free_cores() == 1);
  CHECK(pool.quarantined_count() == 0);
}

TEST_CASE("a multi-node request uses quarantined nodes only as the last resort", "[resources][mpi][quarantine]") {
  auto pool = make_pool("3 x {cpus: 2}");
  pool.set_quarantined(id(pool, "n1"), true);
  CHECK(where(pool, request("nodes: 2, ranks: 2")) == "n2: cores 0; n3: cores 0");
  CHECK(where(pool, request("nodes: 3, ranks: 3")) == "none");
  Placement p;
  REQUIRE(pool.place_into(request("nodes: 3, ranks: 3"), p, {}, true));
  CHECK(describe(p, pool) == "n1: cores 0; n2: cores 0; n3: cores 0");
}

TEST_CASE("check_usable says when only quarantined nodes could hold a request", "[resources][quarantine]") {
  auto pool = make_pool("big {cpus: 8, gpus: 1}; small {cpus: 2}");
  pool.set_quarantined(id(pool, "big"), true);
  CHECK(pool.check_request(request("cpus: 4, gpus: 1")));  // a submission is still accepted
  CHECK(pool.check_usable(request("cpus: 2")));
  CHECK(pool.check_usable(request("cpus: 4")).error().message == "--cpus 4: nodes have at most 2 cores");
  CHECK(pool.check_usable(request("gpus: 1")).error().message == "--gpus 1: no node has a GPU");
  CHECK(pool.why_not(request("cpus: 4")) == "no node has 4 cores free (1 node has 2)");
  pool.set_quarantined(id(pool, "small"), true);
  CHECK(pool.check_usable(request("cpus: 1")).error().message == "every node is quarantined");
  CHECK(pool.why_not(request("cpus: 1")) == "all 2 nodes are quarantined");
  pool.set_draining(id(pool, "small"), true);
  CHECK(pool.why_not(request("cpus: 1")) == "all 2 nodes are draining (1) or quarantined (1)");
  pool.remove_node(id(pool, "small"));
  CHECK(pool.quarantined_count() == 1);
  CHECK(pool.why_not(request("cpus: 1")) == "the only node is quarantined");
}

TEST_CASE("avoided nodes are never used", "[resources]") {
  auto pool = make_pool("2 x {cpus: 2}");
  const auto n1 = id(pool, "n1"), n2 = id(pool, "n2");
  CHECK(where(pool, request("cpus: 1"), {n1}) == "n2: cores 0");
  CHECK(where(pool, request("cpus: 1"), {n1, n2}) == "none");
  CHECK(pool.why_not(request("cpus: 1"), {n1, n2}) == "all 2 nodes are avoided for this task");
  take(pool, request("cpus: 2"), {n1});
  CHECK(pool.why_not(request("cpus: 1"), {n1}) == "only nodes this task must avoid have room now");
  CHECK(where(pool, request("nodes: 2, ranks: 2"), {n2}) == "none");
}

TEST_CASE("place_on places on the named node only", "[resources]") {
  auto pool = make_pool("2 x {cpus: 2}");
  auto p = pool.place_on(request("cpus: 2"), id(pool, "n2"));
  REQUIRE(p);
  CHECK(describe(*p, pool) == "n2: cores 0-1");
  pool.allocate(*p);
  CHECK_FALSE(pool.place_on(request("cpus: 1"), id(pool, "n2")));
}

TEST_CASE("a removed node takes its allocations with it", "[resources]") {
  auto pool = make_pool("2 x {cpus: 2}");
  auto p = *pool.place(request("cpus: 2"));
  pool.allocate(p);
  const NodeId n1 = id(pool, "n1");
  pool.remove_node(n1);
  CHECK(pool.node_count() == 1);
  CHECK_FALSE(pool.is_live(n1));
  CHECK(pool.desc(n1).name == "n1");
  pool.release(p);  // ignored
  CHECK(pool.free_cores() == 2);
  CHECK(take(pool, request("cpus: 1")) == "n2: cores 0");
  CHECK(where(pool, request("cpus: 2")) == "none");
  NodeId n3 = pool.add_node(compss::test::nodes("n3 {cpus: 4}")[0]);
  CHECK(n3.value() == 2);
  CHECK(where(pool, request("cpus: 2")) == "n3: cores 0-1");
}

TEST_CASE("place_into reuses the placement it is given", "[resources]") {
  auto pool = make_pool("1 x {cpus: 8}");
  Placement p;
  REQUIRE(pool.place_into(request("cpus: 1"), p));
  const auto* slots = p.slots.data();
  const auto* cores = p.slots[0].cores.data();
  pool.allocate(p);
  REQUIRE(pool.place_into(request("cpus: 1"), p));
  CHECK(p.slots.data() == slots);
  CHECK(p.slots[0].cores.data() == cores);
  CHECK(p.slots[0].cores == std::vector<std::uint32_t>{1});
}

TEST_CASE("check_request names the option that can never fit", "[resources][check]") {
  auto pool = make_pool("2 x {cpus: 8, gpus: 2, mem: 16G, licence: 4}; small {cpus: 2, mem: 4G}");
  pool.set_node_limit(4);
  struct Case {
    const char* req;
    const char* error;  // "" = acceptable
  };
  const Case cases[] = {
      {"cpus: 8, gpus: 2, mem: 16G", ""},
      {"nodes: 4, ranks: 4", ""},
      {"gpus: 4", "--gpus 4: no node has more than 2 GPUs"},
      {"cpus: 16", "--cpus 16: nodes have at most 8 cores"},
      {"mem: 32G", "--mem 32G: nodes have at most 16G for tasks"},
      {"licence: 5", "licence=5: no node has more than 4 licence"},
      {"fpga: 1", "fpga=1: no node offers fpga"},
      {"cpus: 0", "--cpus 0: a task needs at least one core"},
      {"ranks: 0", "--ranks 0: a task needs at least one rank"},
      {"nodes: 5, ranks: 5", "--cpus 1 --nodes 5 --ranks 5: the job may grow to at most 4 nodes"},
      {"nodes: 3, ranks: 2", "--cpus 1 --nodes 3 --ranks 2: each node needs at least one rank"},
      {"nodes: 2, ranks: 8, rpn: 3",
       "--cpus 1 --nodes 2 --ranks 8 --ranks-per-node 3: ranks must equal nodes x ranks-per-node (6)"},
      {"nodes: 1, ranks: 3, gpus: 1",
       "--cpus 1 --gpus 1 --ranks 3: needs 3 cores, 3 GPUs on one node; nodes hold at most 2 such ranks"},
      {"nodes: 0, ranks: 40, cpus: 1",
       "--cpus 1 --nodes 0 --ranks 40: needs at least 5 nodes; the job may grow to at most 4"},
  };
  for (const Case& c : cases) {
    INFO(c.req);
    auto st = pool.check_request(request(c.req));
    if (*c.error == 0) {
      CHECK(st.ok());
    } else {
      REQUIRE_FALSE(st.ok());
      CHECK(st.error().message == c.error);
    }
  }
}

TEST_CASE("check_request rejects a combination that no single node has", "[resources][check]") {
  auto pool = make_pool("cpu {cpus: 16}; gpu {cpus: 2, gpus: 2}");
  auto st = pool.check_request(request("cpus: 4, gpus: 1"));
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message == "--cpus 4 --gpus 1: no node has 4 cores, 1 GPU at once");
  CHECK(pool.check_request(request("cpus: 2, gpus: 1")));
  CHECK(ResourcePool().check_request(request("gpus: 8")));  // no nodes yet: shapes unknown
}

TEST_CASE("why_not says what is short now", "[resources][why]") {
  auto pool = make_pool("2 x {cpus: 8, gpus: 2, mem: 8G}");
  CHECK(pool.why_not(request("gpus: 2")) == "fits now");
  take(pool, request("gpus: 1, cpus: 1"));
  take(pool, request("gpus: 1, cpus: 1"));
  take(pool, request("gpus: 1, cpus: 1"));
  CHECK(pool.why_not(request("gpus: 2")) == "no node has 2 GPUs free (1 node has 1)");
  take(pool, request("cpus: 7"));  // n2: no core free, one GPU; n1: 6 cores free, no GPU
  CHECK(pool.why_not(request("cpus: 8")) == "no node has 8 cores free (1 node has 6)");
  CHECK(pool.why_not(request("mem: 9G")) == "--mem 9G: nodes have at most 8G for tasks");
  CHECK(pool.why_not(request("gpus: 1, cpus: 2")) == "no node has 2 cores and 1 GPU free at once");
  CHECK(ResourcePool().why_not(request("cpus: 1")) == "no nodes in the job yet");
}

TEST_CASE("why_not counts nodes for a multi-node request", "[resources][why][mpi]") {
  auto pool = make_pool("3 x {cpus: 4}");
  take(pool, request("cpus: 3"));
  take(pool, request("cpus: 3"));
  CHECK(pool.why_not(request("nodes: 2, ranks: 4, rpn: 2")) == "needs 2 nodes with room for 2 ranks; 1 have it");
  CHECK(pool.why_not(request("nodes: 0, ranks: 7")) == "needs room for 7 ranks; the free nodes hold 6");
}

TEST_CASE("a multi-node request stays inside one SLURM job's nodes", "[resources][mpi][allocation]") {
  // n1, n2: the job's own; n3: helper job 12; n4, n5: helper job 13.
  auto pool = make_pool("2 x {cpus: 4}; n3 {cpus: 4, job: 12}; 2 x {cpus: 4, job: 13}");
  take(pool, request("cpus: 4"));  // n1 full
  const auto two = request("mpi, nodes: 2, ranks: 4, rpn: 2");
  // n2 and n3 have room but belong to different jobs: the helper job 13 holds two nodes.
  CHECK(take(pool, two) == "n4: ranks 2 cores 0-1; n5: ranks 2 cores 0-1");
  CHECK(where(pool, two) == "n4: ranks 2 cores 2-3; n5: ranks 2 cores 2-3");
  take(pool, two);
  // Now n2 (own) and n3 (job 12) have room: enough nodes, but no one job has two.
  CHECK(where(pool, two) == "none");
  CHECK(pool.why_not(two) ==
        "a step cannot span two SLURM jobs: no one job has room for 4 ranks on 2 nodes (the job's own: 4 ranks on "
        "1 node; helper job 12: 4 ranks on 1 node)");
  CHECK(pool.why_not(request("mpi, nodes: 0, ranks: 6")) ==
        "a step cannot span two SLURM jobs: no one job has room for 6 ranks (the job's own: 4 ranks on 1 node; "
        "helper job 12: 4 ranks on 1 node)");
  // One node's worth still fits on either; a request no mix of jobs could hold keeps its own reason.
  CHECK(where(pool, request("mpi, nodes: 1, ranks: 4")) == "n2: ranks 4 cores 0-3");
  CHECK(pool.why_not(request("mpi, nodes: 0, ranks: 9")) == "needs room for 9 ranks; the free nodes hold 8");
}

TEST_CASE("nodes merged into the job form one allocation with its own", "[resources][mpi][allocation]") {
  // Merge mode: a granted node joins the job itself (allocation 0), so a step may span both.
  auto pool = make_pool("n1 {cpus: 2}; n2 {cpus: 2}");
  CHECK(where(pool, request("mpi, nodes: 2, ranks: 4")) == "n1: ranks 2 cores 0-1; n2: ranks 2 cores 0-1");
}

TEST_CASE("typical_cores and totals follow live, non-draining nodes", "[resources]") {
  auto pool = make_pool("3 x {cpus: 8}; big {cpus: 64}");
  CHECK(pool.typical_cores() == 8);
  CHECK(pool.total_cores() == 88);
  pool.set_draining(pool.find("big"), true);
  CHECK(pool.total_cores() == 24);
  CHECK(pool.free_cores() == 24);
}

TEST_CASE("random allocate and release keep the pool consistent with a simple model", "[resources][model]") {
  auto pool = make_pool("6 x {cpus: 4}; 3 x {cpus: 8, gpus: 2}; {cores: [2, 5, 9]}");
  const std::size_t n_nodes = pool.id_count();
  std::vector<std::set<std::uint32_t>> used(n_nodes);
  std::vector<Placement> live;
  std::vector<bool> draining(n_nodes, false);
  std::mt19937 rng(42);
  auto free_of = [&](std::size_t n) {
    return pool.desc(NodeId(static_cast<std::uint32_t>(n))).cores.size() - used[n].size();
  };
  for (int step = 0; step < 20000; ++step) {
    const int op = static_cast<int>(rng() % 10);
    if (op < 5 || live.empty()) {
      ResourceRequest req;
      req.cpus = 1 + rng() % 3;
      if (rng() % 8 == 0) req.gpus = 1;
      if (rng() % 10 == 0) req.nodes = 2, req.ranks = 2;
      auto p = pool.place(req);
      if (!p) {
        // Nothing open may hold a plain request that the model says fits.
        if (req.gpus == 0 && req.ranks == 1) {
          for (std::size_t n = 0; n < n_nodes; ++n) CHECK((draining[n] || free_of(n) < req.cpus));
        }
        continue;
      }
      if (req.gpus == 0 && req.ranks == 1) {
        // Best fit: no open node with fewer free cores could have held it.
        const std::size_t chosen = p->slots[0].node.value();
        for (std::size_t n = 0; n < n_nodes; ++n) {
          if (!draining[n] && free_of(n) >= req.cpus) CHECK(free_of(n) >= free_of(chosen));
        }
      }
      for (const NodeSlot& s : p->slots) {
        REQUIRE_FALSE(draining[s.node.value()]);
        REQUIRE(s.cores.size() == std::size_t{s.ranks} * req.cpus);
        for (std::uint32_t c : s.cores) REQUIRE(used[s.node.value()].insert(c).second);
      }
      pool.allocate(*p);
      live.push_back(std::move(*p));
    } else if (op < 9) {
      std::size_t i = rng() % live.size();
      pool.release(live[i]);
      for (const NodeSlot& s : live[i].slots) {
        for (std::uint32_t c : s.cores) used[s.node.value()].erase(c);
      }
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      std::size_t n = rng() % n_nodes;
      draining[n] = !draining[n];
      pool.set_draining(NodeId(static_cast<std::uint32_t>(n)), draining[n]);
    }
    std::uint64_t model_free = 0;
    for (std::size_t n = 0; n < n_nodes; ++n) {
      REQUIRE(pool.free_cores(NodeId(static_cast<std::uint32_t>(n))) == free_of(n));
      if (!draining[n]) model_free += free_of(n);
    }
    REQUIRE(pool.free_cores() == model_free);
  }
}

// Not run by default: ./test_scheduler "[bench]". Prints place+allocate+release per second for plain
// 1-core tasks on 1024 nodes, with the pool kept at a given fill by a ring of running tasks. Timed in
// thread CPU time, which a busy shared machine disturbs less than wall time.
namespace {
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
}  // namespace

TEST_CASE("micro-benchmark: plain task place, allocate, release on 1024 nodes", "[.][bench]") {
  for (const char* shape : {"1024 x {cpus: 32}", "1024 x {cpus: 32, gpus: 4}"}) {
    auto pool = make_pool(shape);
    const std::size_t total = pool.total_cores();
    ResourceRequest one;
    std::printf("nodes: %s\n", shape);
    for (double fill : {0.5, 0.99}) {
      const auto window = static_cast<std::size_t>(static_cast<double>(total) * fill);
      std::vector<Placement> ring(window);
      for (auto& p : ring) {
        REQUIRE(pool.place_into(one, p));
        pool.allocate(p);
      }
      const std::size_t n = 5'000'000;
      double t0 = cpu_seconds();
      for (std::size_t i = 0; i < n; ++i) {
        Placement& p = ring[i % window];
        pool.release(p);
        pool.place_into(one, p);
        pool.allocate(p);
      }
      double s = cpu_seconds() - t0;
      std::printf("bench resources_place_alloc_release_per_s %.0f ops/s (fill %.2f, reused placement)\n", n / s, fill);
      t0 = cpu_seconds();
      for (std::size_t i = 0; i < n; ++i) {
        Placement& p = ring[i % window];
        pool.release(p);
        p = *pool.place(one);
        pool.allocate(p);
      }
      s = cpu_seconds() - t0;
      std::printf(
          "bench resources_place_alloc_release_per_s %.0f ops/s (fill %.2f, place() returning a new placement)\n",
          n / s, fill);
      for (auto& p : ring) pool.release(p);
      CHECK(pool.free_cores() == total);
    }
  }
}

TEST_CASE("a placement released twice or naming foreign ids does not corrupt the counts", "[resources]") {
  auto pool = make_pool("n1 {cpus: 4, mem: 4G, licence: 1}");
  auto p = *pool.place(request("cpus: 2, mem: 1G, licence: 1"));
  pool.allocate(p);
  pool.release(p);
  pool.release(p);
  CHECK(pool.free_cores() == 4);
  CHECK(pool.is_idle(pool.find("n1")));
  CHECK(where(pool, request("cpus: 4, mem: 4G, licence: 1")) == "n1: cores 0-3 mem 4G licence=1");
  CHECK(where(pool, request("mem: 5G")) == "none");
  Placement foreign{{NodeSlot{pool.find("n1"), 1, {99, 2}, {7}, 0, {{"fpga", 1}}}}};
  pool.allocate(foreign);
  CHECK(pool.free_cores() == 3);  // core 2 taken, 99 and GPU 7 and fpga ignored
  pool.release(foreign);
  CHECK(pool.free_cores() == 4);
}

TEST_CASE("a CPU task on a GPU node leaves the free GPUs' close cores to GPU tasks", "[resources][gpu]") {
  auto pool = make_pool("n1 {cpus: 8, gpus: 1, close: [0-3]}");
  CHECK(take(pool, request("cpus: 2")) == "n1: cores 4-5");
  CHECK(take(pool, request("gpus: 1, cpus: 4")) == "n1: cores 0-3 gpus 0");
  // With the GPU taken its close cores are ordinary cores again; when far cores run out, near ones follow.
  auto pool2 = make_pool("n1 {cpus: 8, gpus: 1, close: [0-3]}");
  CHECK(take(pool2, request("cpus: 6")) == "n1: cores 0-1,4-7");
}
