// CPU sets from core ids, and binding the calling thread to them.
#include <catch2/catch.hpp>

#include "daemon/agent/binding.h"

using namespace compss::agent;
using Ids = std::vector<std::uint32_t>;

namespace {

NodeTopology synthetic(const std::string& desc) {
  TopologyOptions o;
  o.source = TopologySource::synthetic(desc);
  auto t = discover_topology(o);
  REQUIRE(t.ok());
  return *t;
}

// Restores the thread's affinity when a test is done with it.
struct AffinityGuard {
  Ids saved = current_pus().value_or({});
  ~AffinityGuard() { (void)bind_calling_thread(CpuSet::for_pus(saved)); }
};

}  // namespace

TEST_CASE("a core set holds every PU of its cores", "[binding]") {
  NodeTopology t = synthetic("pack:2 core:4 pu:2");
  auto cpus = CpuSet::for_cores(t, {8, 0, 14});
  REQUIRE(cpus.ok());
  CHECK(cpus->pus() == Ids{0, 1, 8, 9, 14, 15});
  CHECK(cpus->str() == "0-1,8-9,14-15");
}

TEST_CASE("an unknown core is an error that lists the node's cores", "[binding]") {
  NodeTopology t = synthetic("pack:1 core:4 pu:2");
  auto cpus = CpuSet::for_cores(t, {0, 3});
  REQUIRE_FALSE(cpus.ok());
  CHECK(cpus.error().message == "core 3 is not one of this node's usable cores (0,2,4,6)");
}

TEST_CASE("a repeated core or no core at all is an error", "[binding]") {
  NodeTopology t = synthetic("pack:1 core:4 pu:1");
  auto twice = CpuSet::for_cores(t, {1, 1});
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().message == "core 1 is assigned twice");
  auto none = CpuSet::for_cores(t, {});
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message.find("at least one core") != std::string::npos);
}

TEST_CASE("binding the calling thread to one core of this machine leaves it on that core only", "[binding][host]") {
  AffinityGuard guard;
  auto t = discover_topology(TopologyOptions{});
  REQUIRE(t.ok());
  CoreId last = t->cores.back().id;
  auto cpus = CpuSet::for_cores(*t, {last});
  REQUIRE(cpus.ok());
  REQUIRE(bind_calling_thread(*cpus).ok());
  CHECK(current_pus().value_or({}) == t->find_core(last)->pus);
}

TEST_CASE("binding to CPUs the machine does not have fails with a message", "[binding][host]") {
  AffinityGuard guard;
  auto st = bind_calling_thread(CpuSet::for_pus({1000}));
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message.find("cannot bind to CPUs 1000") == 0);
}
