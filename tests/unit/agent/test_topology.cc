// Topology discovery on synthetic topologies, the project's own GPU XML, the shared real-machine XML
// exports (when present) and this machine.
#include <sched.h>

#include <catch2/catch.hpp>

#include "common/util/parse.h"
#include "daemon/agent/topology.h"
#include "tests/unit/agent/paths.h"
#include "tests/unit/agent/xml_compat.h"

using namespace compss::agent;
using Ids = std::vector<std::uint32_t>;

namespace {

NodeTopology discover_ok(TopologyOptions options) {
  auto t = discover_topology(options);
  INFO((t ? std::string() : t.error().message));
  REQUIRE(t.ok());
  return *t;
}

NodeTopology synthetic(const std::string& desc, std::optional<std::vector<PuId>> allowed = std::nullopt) {
  TopologyOptions o;
  o.source = TopologySource::synthetic(desc);
  o.allowed_pus = std::move(allowed);
  return discover_ok(o);
}

NodeTopology gpu_xml(std::optional<std::vector<PuId>> allowed = std::nullopt,
                     std::optional<std::vector<GpuIndex>> visible = std::nullopt) {
  TopologyOptions o;
  o.source = TopologySource::xml_file(test::topology_file("two-packages-4gpus.xml"));
  o.allowed_pus = std::move(allowed);
  o.visible_gpus = std::move(visible);
  return discover_ok(o);
}

Ids pus_of(const NodeTopology& t, CoreId id) {
  const CoreDesc* c = t.find_core(id);
  REQUIRE(c != nullptr);
  return c->pus;
}

Ids range(std::uint32_t first, std::uint32_t last, std::uint32_t step = 1) {
  Ids v;
  for (std::uint32_t i = first; i <= last; i += step) v.push_back(i);
  return v;
}

}  // namespace

TEST_CASE("a synthetic two-package topology lists one core per physical core, named by its first PU",
          "[topology]") {
  NodeTopology t = synthetic("pack:2 core:4 pu:2");
  CHECK(t.core_ids() == range(0, 14, 2));
  CHECK(pus_of(t, 0) == Ids{0, 1});
  CHECK(pus_of(t, 14) == Ids{14, 15});
  CHECK(t.find_core(1) == nullptr);
  CHECK(t.packages == 2);
  CHECK(t.find_core(6)->package == 0);
  CHECK(t.find_core(8)->package == 1);
  CHECK(t.gpus.empty());
  CHECK(t.pu_count() == 16);
}

TEST_CASE("a synthetic two-NUMA topology puts each core on its own NUMA node", "[topology]") {
  NodeTopology t = synthetic("node:2 core:4 pu:2");
  CHECK(t.core_ids() == range(0, 14, 2));
  CHECK(t.numa_nodes == 2);
  CHECK(t.find_core(6)->numa == 0);
  CHECK(t.find_core(8)->numa == 1);
  CHECK(summarize(t).find("2 NUMA, 8 cores (16 PUs), 0 GPUs") != std::string::npos);
}

TEST_CASE("a topology without a core level treats each PU as a core", "[topology]") {
  NodeTopology t = synthetic("pack:2 pu:3");
  CHECK(t.core_ids() == range(0, 5));
}

TEST_CASE("two agents with disjoint cpusets on one host each describe only their own cores", "[topology]") {
  NodeTopology first = synthetic("pack:2 core:4 pu:2", range(0, 7));
  NodeTopology second = synthetic("pack:2 core:4 pu:2", range(8, 15));
  CHECK(first.core_ids() == Ids{0, 2, 4, 6});
  CHECK(second.core_ids() == Ids{8, 10, 12, 14});
  CHECK(first.packages == 1);
  CHECK(second.packages == 1);
}

TEST_CASE("a core that keeps only some of its PUs lists those PUs and keeps its id", "[topology]") {
  NodeTopology t = synthetic("pack:1 core:2 pu:2", Ids{1, 2, 3});
  CHECK(t.core_ids() == Ids{0, 2});
  CHECK(pus_of(t, 0) == Ids{1});
  CHECK(pus_of(t, 2) == Ids{2, 3});
}

TEST_CASE("a cpuset that leaves no PU of the topology is an error", "[topology]") {
  TopologyOptions o;
  o.source = TopologySource::synthetic("pack:1 core:2 pu:1");
  o.allowed_pus = Ids{7};
  auto t = discover_topology(o);
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().message.find("no usable core") != std::string::npos);
}

TEST_CASE("a bad synthetic description or a missing XML file is an error naming the source", "[topology]") {
  TopologyOptions bad;
  bad.source = TopologySource::synthetic("pack:two");
  auto t = discover_topology(bad);
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().message.find("pack:two") != std::string::npos);

  TopologyOptions missing;
  missing.source = TopologySource::xml_file("/nonexistent/topo.xml");
  auto m = discover_topology(missing);
  REQUIRE_FALSE(m.ok());
  CHECK(m.error().message.find("/nonexistent/topo.xml") != std::string::npos);
}

TEST_CASE("GPUs of the XML are numbered in PCI order, counted once, with the cores of their package",
          "[topology][gpu]") {
  NodeTopology t = gpu_xml();
  CHECK(t.core_ids() == range(0, 14, 2));
  REQUIRE(t.gpus.size() == 4);  // card0 (a BMC display) and eth0 are not GPUs
  CHECK(t.gpus[0].pci_busid == "0000:12:00.0");
  CHECK(t.gpus[0].names == std::vector<std::string>{"cuda1", "nvml0"});
  CHECK(t.gpus[1].pci_busid == "0000:13:00.0");
  CHECK(t.gpus[1].names == std::vector<std::string>{"cuda0", "nvml1"});
  CHECK(t.gpus[2].names == std::vector<std::string>{"cuda2", "nvml2"});
  CHECK(t.gpus[3].pci_busid == "0000:83:00.0");
  CHECK(t.gpus[3].names.empty());  // seen on PCI only, as with a hwloc built without CUDA/NVML
  for (GpuIndex i = 0; i < 4; ++i) CHECK(t.gpus[i].index == i);
  CHECK(t.gpus[0].close_cores == Ids{0, 2, 4, 6});
  CHECK(t.gpus[1].close_cores == Ids{0, 2, 4, 6});
  CHECK(t.gpus[2].close_cores == Ids{8, 10, 12, 14});
  CHECK(t.gpus[3].close_cores == Ids{8, 10, 12, 14});
  CHECK(t.memory_bytes == 64000000000ull);
  CHECK(summarize(t) == "2 packages, 2 NUMA, 8 cores (16 PUs), 4 GPUs, 59.6 GiB");
}

TEST_CASE("an agent bound to one package still sees every GPU, close cores only where it has cores",
          "[topology][gpu]") {
  NodeTopology t = gpu_xml(range(8, 15));
  REQUIRE(t.gpus.size() == 4);
  CHECK(t.gpus[0].close_cores.empty());
  CHECK(t.gpus[3].close_cores == Ids{8, 10, 12, 14});
  CHECK(t.memory_bytes == 32000000000ull);
}

TEST_CASE("visible GPUs keep their physical numbers; an unknown one is an error", "[topology][gpu]") {
  NodeTopology t = gpu_xml(std::nullopt, std::vector<GpuIndex>{3, 1});
  REQUIRE(t.gpus.size() == 2);
  CHECK(t.gpus[0].index == 1);
  CHECK(t.gpus[1].index == 3);

  TopologyOptions o;
  o.source = TopologySource::xml_file(test::topology_file("two-packages-4gpus.xml"));
  o.visible_gpus = std::vector<GpuIndex>{7};
  auto bad = discover_topology(o);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "visible GPU 7 is not on this node (4 GPUs found)");
}

TEST_CASE("the DGX-2 export shows 16 GPUs, each close to the cores of its own package", "[topology][gpu][shared]") {
  auto source = test::shared_source("nvidiaDGX2.xml");
  if (!source) {
    WARN("skipped: nvidiaDGX2.xml not found (set COMPSS_SHARED_TOPOLOGIES to the shared topologies folder)");
    return;
  }
  TopologyOptions o;
  o.source = *source;
  NodeTopology t = discover_ok(o);
  CHECK(t.core_ids() == Ids{0, 1, 24, 25});  // the export keeps two cores per package
  CHECK(t.packages == 2);
  REQUIRE(t.gpus.size() == 16);
  for (GpuIndex i = 0; i < 16; ++i) {
    INFO("GPU " << i);
    CHECK(t.gpus[i].index == i);
    CHECK(t.gpus[i].names == std::vector<std::string>{"nvml" + std::to_string(i)});
    CHECK(t.gpus[i].close_cores == (i < 8 ? Ids{0, 1} : Ids{24, 25}));
  }
}

TEST_CASE("an export with disallowed PUs lists only the allowed cores", "[topology][shared]") {
  auto source = test::shared_source("16amd64-8n2c-cpusets.xml");
  if (!source) {
    WARN("skipped: 16amd64-8n2c-cpusets.xml not found (set COMPSS_SHARED_TOPOLOGIES)");
    return;
  }
  TopologyOptions o;
  o.source = *source;
  NodeTopology t = discover_ok(o);
  CHECK(t.core_ids() == Ids{0, 1, 2, 3, 5, 6, 12, 13, 14, 15});
  CHECK(t.gpus.empty());
  CHECK(t.numa_nodes == 3);  // the NUMA nodes of cores 2, 3, 5 and 6; the others are disallowed or CPU-less
}

TEST_CASE("this machine's topology loads with its usable cores and no GPUs", "[topology][host]") {
  NodeTopology t = discover_ok(TopologyOptions{});
  REQUIRE_FALSE(t.cores.empty());
  CHECK(t.gpus.empty());
  CHECK(t.memory_bytes > 0);
  cpu_set_t mine;
  REQUIRE(sched_getaffinity(0, sizeof mine, &mine) == 0);
  for (const CoreDesc& c : t.cores) {
    for (PuId pu : c.pus) CHECK(CPU_ISSET(pu, &mine));
  }
  WARN("this machine: " << summarize(t));
}

TEST_CASE("on this machine the process binding limits the cores an agent claims", "[topology][host]") {
  cpu_set_t saved;
  REQUIRE(sched_getaffinity(0, sizeof saved, &saved) == 0);
  if (CPU_COUNT(&saved) < 2) {
    WARN("skipped: needs at least two usable CPUs");
    return;
  }
  int first = 0;
  while (!CPU_ISSET(first, &saved)) ++first;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  REQUIRE(sched_setaffinity(0, sizeof one, &one) == 0);
  auto bound = discover_topology(TopologyOptions{});
  TopologyOptions unrestricted;
  unrestricted.restrict_to_binding = false;
  auto all = discover_topology(unrestricted);
  sched_setaffinity(0, sizeof saved, &saved);
  REQUIRE(bound.ok());
  REQUIRE(all.ok());
  REQUIRE(bound->cores.size() == 1);
  CHECK(bound->cores[0].pus == Ids{static_cast<std::uint32_t>(first)});
  CHECK(all->cores.size() > 1);
}

TEST_CASE("the agent's own CUDA_VISIBLE_DEVICES becomes the visible GPU list", "[topology][gpu]") {
  CHECK(parse_visible_gpus("0,2").value_or({}) == Ids{0, 2});
  CHECK(parse_visible_gpus(" 3 ").value_or({}) == Ids{3});
  CHECK(parse_visible_gpus("").value_or({9}).empty());
  CHECK(parse_visible_gpus("NoDevFiles").value_or({9}).empty());
  auto uuid = parse_visible_gpus("GPU-5bfda7ef-6aec-a775-5ae1-a1c3dcaef094");
  REQUIRE_FALSE(uuid.ok());
  CHECK(uuid.error().message.find("only GPU numbers are understood") != std::string::npos);
  CHECK_FALSE(parse_visible_gpus("0,,1").ok());
}

// SLURM numbers a node's CPUs in hwloc's logical order; the machine may number them otherwise (here, as
// on many Intel nodes, the second thread of core 0 is PU 4).
TEST_CASE("only the PUs of the job's SLURM CPU ids are offered, through hwloc's logical order", "[topology]") {
  TopologyOptions o;
  o.source = TopologySource::synthetic("pack:2 core:2 pu:2(indexes=0,4,1,5,2,6,3,7)");
  o.slurm_cpus = Ids{0, 1, 2};
  auto t = discover_topology(o);
  REQUIRE(t.ok());
  REQUIRE(t->cores.size() == 2);
  CHECK(t->cores[0].id == 0);
  CHECK(t->cores[0].pus == Ids{0, 4});
  CHECK(t->cores[1].id == 1);
  CHECK(t->cores[1].pus == Ids{1});

  o.slurm_cpus = Ids{7, 8};
  auto beyond = discover_topology(o);
  REQUIRE_FALSE(beyond.ok());
  CHECK(beyond.error().message.find("SLURM CPU id 8 is not on this node") != std::string::npos);

  // The job's CPUs and the process' other limits do not meet: nothing to offer, said so.
  o.slurm_cpus = Ids{0};
  o.allowed_pus = Ids{5};
  auto none = discover_topology(o);
  REQUIRE_FALSE(none.ok());
}

TEST_CASE("the memory offered is capped by the job's allocation on the node", "[topology]") {
  TopologyOptions o;
  o.source = TopologySource::synthetic("numa:2(memory=1073741824) core:2 pu:1");
  auto whole = discover_topology(o);
  REQUIRE(whole.ok());
  REQUIRE(whole->memory_bytes == 2ull << 30);
  o.memory_limit_bytes = 512ull << 20;
  auto capped = discover_topology(o);
  REQUIRE(capped.ok());
  CHECK(capped->memory_bytes == 512ull << 20);
}

TEST_CASE("without GPU discovery the same cores come back and no GPU", "[topology][gpu]") {
  NodeTopology full = gpu_xml();
  TopologyOptions o;
  o.source = TopologySource::xml_file(test::topology_file("two-packages-4gpus.xml"));
  o.gpus = false;
  NodeTopology bare = discover_ok(o);
  CHECK(bare.core_ids() == full.core_ids());
  CHECK(bare.memory_bytes == full.memory_bytes);
  CHECK(bare.gpus.empty());
  CHECK(full.gpus.size() == 4);
}
