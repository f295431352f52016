// The scheduler's node description built from a discovered topology.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "daemon/agent/node_desc.h"
#include "tests/unit/agent/paths.h"
#include "tests/unit/agent/xml_compat.h"

using namespace compss::agent;
using Ids = std::vector<std::uint32_t>;

TEST_CASE("the node description carries the usable cores, memory and GPUs with their close cores",
          "[topology]") {
  TopologyOptions o;
  o.source = TopologySource::xml_file(test::topology_file("two-packages-4gpus.xml"));
  o.allowed_pus = Ids{0, 1, 2, 3, 8, 9};
  auto t = discover_topology(o);
  REQUIRE(t.ok());
  compss::scheduler::NodeDesc d = to_node_desc(*t, "n3");
  CHECK(d.name == "n3");
  CHECK(d.cores == Ids{0, 2, 8});
  CHECK(d.memory == 64000000000ull);
  REQUIRE(d.gpus.size() == 4);
  CHECK(d.gpus[1].id == 1);
  CHECK(d.gpus[1].close_cores == Ids{0, 2});
  CHECK(d.gpus[3].close_cores == Ids{8});
  CHECK(d.custom.empty());
}

namespace {

// A task of `ranks` ranks with `cpus` cores and one GPU each, placed on the one node `source` describes (the
// agent's description, as compssd's scheduler sees it): every rank gets its own GPU and its own cores,
// all close to that GPU.
void check_gpu_ranks(const TopologySource& source, std::uint32_t cpus, std::uint32_t ranks) {
  TopologyOptions o;
  o.source = source;
  auto t = discover_topology(o);
  REQUIRE(t.ok());
  compss::scheduler::ResourceRequest req;
  req.cpus = cpus;
  req.gpus = 1;
  req.ranks = ranks;
  req.mpi = true;
  compss::scheduler::ResourcePool pool;
  pool.add_node(to_node_desc(*t, "n1"));
  auto p = pool.place(req);
  REQUIRE(p);
  REQUIRE(p->slots.size() == 1);
  const compss::scheduler::NodeSlot& s = p->slots[0];
  CHECK(s.ranks == ranks);
  REQUIRE(s.gpus.size() == ranks);
  REQUIRE(s.cores.size() == ranks * cpus);
  std::set<std::uint32_t> cores, gpus;
  for (std::uint32_t r = 0; r < s.ranks; ++r) {
    const std::uint32_t g = s.gpus[r];
    INFO("rank " << r << " GPU " << g);
    CHECK(gpus.insert(g).second);
    const auto& close = t->gpus[g].close_cores;
    for (std::uint32_t k = 0; k < cpus; ++k) {
      const std::uint32_t c = s.cores[r * cpus + k];
      CHECK(cores.insert(c).second);
      CHECK(std::find(close.begin(), close.end(), c) != close.end());
    }
  }
}

}  // namespace

TEST_CASE("a GPU task lands on cores of the package whose PCIe tree holds its GPU", "[topology][gpu][placement]") {
  check_gpu_ranks(TopologySource::xml_file(test::topology_file("two-packages-4gpus.xml")), 2, 2);
}

TEST_CASE("on the DGX-2 export a 4-rank task with a GPU per rank gets four GPUs and four cores, each next to its GPU",
          "[topology][gpu][placement][shared]") {
  auto source = test::shared_source("nvidiaDGX2.xml");
  if (!source) {
    WARN("skipped: nvidiaDGX2.xml not found (set COMPSS_SHARED_TOPOLOGIES to the shared topologies folder)");
    return;
  }
  check_gpu_ranks(*source, 1, 4);
}
