// Tests of the job allocation handed from compssd to its agents (COMPSS_ALLOCATION).
#include <catch2/catch.hpp>

#include "common/util/allocation.h"

using namespace compss;
using Ids = std::vector<std::uint32_t>;

TEST_CASE("an allocation is written and read back node by node", "[allocation]") {
  Allocation a;
  a["n1"] = NodeShare{{1}, 0};
  a["n2"] = NodeShare{{0, 1}, 2048};
  const std::string text = format_allocation(a);
  CHECK(text == "n1=1 n2=0-1/2048");
  auto back = parse_allocation(text);
  REQUIRE(back.ok());
  CHECK(back->at("n1").cpus == Ids{1});
  CHECK(back->at("n1").memory_mb == 0);
  CHECK(back->at("n2").cpus == Ids{0, 1});
  CHECK(back->at("n2").memory_mb == 2048);
  CHECK(parse_allocation("").value_or(Allocation{{"x", {}}}).empty());
  CHECK(parse_allocation("  n3=0,2  ").value_or(Allocation{}).at("n3").cpus == Ids{0, 2});
}

TEST_CASE("a bad allocation names the entry", "[allocation]") {
  struct Case {
    const char* text;
    const char* says;
  };
  for (auto c : {Case{"n1", "is not NODE=CPU-IDS"}, Case{"=1", "is not NODE=CPU-IDS"},
                 Case{"n1=", "has no CPU ids"}, Case{"n1=x", "node n1: bad CPU list"},
                 Case{"n1=1/lots", "node n1: "}, Case{"n1=1 n1=2", "named twice"}}) {
    auto r = parse_allocation(c.text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find(c.says) != std::string::npos);
    CHECK(r.error().message.find("COMPSS_ALLOCATION") != std::string::npos);
  }
}
