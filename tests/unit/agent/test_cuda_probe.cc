// The CUDA driver's device list (cuda_probe.h) against a stand-in driver library (fake_cuda.cc), and
// how it completes the GPUs hwloc finds in the project's GPU topology.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "daemon/agent/cuda_probe.h"
#include "daemon/agent/topology.h"
#include "tests/unit/agent/paths.h"

#ifndef COMPSS_FAKE_CUDA
#error "COMPSS_FAKE_CUDA must name the stand-in driver library (tests/unit/agent/Makefile.am)"
#endif

using namespace compss::agent;

namespace {

struct FakeDriver {  // sets the stand-in's devices for one test, and clears them after
  explicit FakeDriver(const char* busids, bool fail = false) {
    ::setenv("FAKE_CUDA_BUSIDS", busids, 1);
    if (fail) ::setenv("FAKE_CUDA_FAIL", "1", 1);
  }
  ~FakeDriver() {
    ::unsetenv("FAKE_CUDA_BUSIDS");
    ::unsetenv("FAKE_CUDA_FAIL");
  }
};

}  // namespace

TEST_CASE("PCI bus ids come back in one format", "[cuda]") {
  CHECK(normal_busid("0000:3B:00.0") == "0000:3b:00.0");
  CHECK(normal_busid("00000000:3b:00.0") == "0000:3b:00.0");
  CHECK(normal_busid("0000:3b:00.0x") == "");
  CHECK(normal_busid("GPU-5bfda7ef") == "");
}

TEST_CASE("without a driver library the probe says so", "[cuda]") {
  auto d = probe_cuda("/nonexistent/libcuda.so.1");
  REQUIRE_FALSE(d.ok());
  CHECK(d.error().message.find("cannot load /nonexistent/libcuda.so.1") == 0);
}

TEST_CASE("the driver's devices in CUDA's order, bus ids normalised; a failing cuInit is an error", "[cuda]") {
  {
    FakeDriver fake("0000:81:00.0,0000:10:00.0");
    auto d = probe_cuda(COMPSS_FAKE_CUDA);
    REQUIRE(d.ok());
    REQUIRE(d->size() == 2);
    CHECK((*d)[0].ordinal == 0);
    CHECK((*d)[0].pci_busid == "0000:81:00.0");
    CHECK((*d)[1].pci_busid == "0000:10:00.0");
  }
  {
    FakeDriver fake("", true);
    auto d = probe_cuda(COMPSS_FAKE_CUDA);
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().message.find("cuInit failed with CUDA error 100") != std::string::npos);
  }
  {
    FakeDriver fake("not-a-bus-id");
    auto d = probe_cuda(COMPSS_FAKE_CUDA);
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().message.find("is not one") != std::string::npos);
  }
}

TEST_CASE("the CUDA driver names hwloc's GPUs and adds the ones hwloc missed", "[cuda][topology]") {
  TopologyOptions o;
  o.source = TopologySource::xml_file(test::topology_file("two-packages-4gpus.xml"));
  auto plain = discover_topology(o);
  REQUIRE(plain.ok());
  REQUIRE(plain->gpus.size() == 4);
  CHECK(plain->cuda.empty());  // not asked
  // The driver lists hwloc's first GPU (upper case, as CUDA writes it) and one on a bus hwloc has no
  // device on; the other three hwloc GPUs are not visible to it here.
  std::string first = plain->gpus[0].pci_busid;
  for (auto& ch : first) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  const std::string both = first + ",0000:ff:1f.0";
  FakeDriver fake(both.c_str());
  o.cuda_library = COMPSS_FAKE_CUDA;
  auto t = discover_topology(o);
  REQUIRE(t.ok());
  REQUIRE(t->gpus.size() == 5);
  CHECK(t->cuda == "CUDA driver: 2 devices; 1 hwloc did not list, added: 0000:ff:1f.0");
  CHECK(std::find(t->gpus[0].names.begin(), t->gpus[0].names.end(), "cuda0") != t->gpus[0].names.end());
  CHECK(t->gpus[0].close_cores == plain->gpus[0].close_cores);
  // The added one comes last in PCI order, numbered on, close to every core (hwloc knows no place for it).
  CHECK(t->gpus[4].pci_busid == "0000:ff:1f.0");
  CHECK(t->gpus[4].index == 4);
  CHECK(t->gpus[4].names == std::vector<std::string>{"cuda1"});
  CHECK(t->gpus[4].close_cores == t->core_ids());
  // A driver that lists only what hwloc found adds nothing.
  FakeDriver same(first.c_str());
  auto s = discover_topology(o);
  REQUIRE(s.ok());
  CHECK(s->gpus.size() == 4);
  CHECK(s->cuda == "CUDA driver: 1 device, each one hwloc found");
  // No driver: hwloc's GPUs, and the note says why.
  o.cuda_library = "/nonexistent/libcuda.so.1";
  auto none = discover_topology(o);
  REQUIRE(none.ok());
  CHECK(none->gpus.size() == 4);
  CHECK(none->cuda.find("no CUDA driver (cannot load /nonexistent/libcuda.so.1") == 0);
}
