// The scheduler's node description built from a discovered topology.
#include <catch2/catch.hpp>

#include "daemon/agent/node_desc.h"
#include "tests/unit/agent/paths.h"

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
