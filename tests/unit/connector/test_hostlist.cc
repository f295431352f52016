#include <catch2/catch.hpp>

#include "connector/hostlist.h"

using namespace compss::connector;
using Names = std::vector<std::string>;

TEST_CASE("node lists expand to names in SLURM's order", "[connector][hostlist]") {
  struct Row { const char* in; Names want; };
  for (const auto& r : {Row{"n1", {"n1"}}, Row{"n[1-3,5]", {"n1", "n2", "n3", "n5"}},
                        Row{"n[1-2],gpu7", {"n1", "n2", "gpu7"}}, Row{"node[08-10]", {"node08", "node09", "node10"}},
                        Row{"n[1-2]x[3-4]", {"n1x3", "n1x4", "n2x3", "n2x4"}}, Row{"", {}}}) {
    INFO(r.in);
    auto v = expand_hostlist(r.in);
    REQUIRE(v.ok());
    CHECK(*v == r.want);
  }
}

TEST_CASE("names compress to a ranged list, sorted and without duplicates", "[connector][hostlist]") {
  struct Row { Names in; const char* want; };
  for (const auto& r : {Row{{"n1", "n2", "n3"}, "n[1-3]"}, Row{{"n3", "n1", "n2", "n5"}, "n[1-3,5]"},
                        Row{{"n2", "n2"}, "n2"}, Row{{"node09", "node10", "node08"}, "node[08-10]"},
                        Row{{"gpu7", "n1"}, "gpu7,n1"}, Row{{}, ""}}) {
    auto s = compress_hostlist(r.in);
    REQUIRE(s.ok());
    CHECK(*s == r.want);
  }
}

TEST_CASE("expanding what was compressed gives the sorted names back", "[connector][hostlist]") {
  Names names;
  for (int i = 200; i > 0; i -= 3) names.push_back("c" + std::to_string(i));
  auto s = compress_hostlist(names);
  REQUIRE(s.ok());
  auto back = expand_hostlist(*s);
  REQUIRE(back.ok());
  CHECK(back->size() == names.size());
  CHECK(std::is_sorted(back->begin(), back->end(), [](const std::string& a, const std::string& b) {
    return std::stoi(a.substr(1)) < std::stoi(b.substr(1));
  }));
}

TEST_CASE("malformed node lists and names are refused with the input", "[connector][hostlist]") {
  for (const char* bad : {"n[1-", "n]", "n[1-2", "n[[1]]", "n[3-1]", "n[a-b]", "n[1,,2]"}) {
    INFO(bad);
    auto v = expand_hostlist(bad);
    REQUIRE_FALSE(v.ok());
    CHECK_THAT(v.error().message, Catch::Contains(std::string("'") + bad + "'"));
  }
  for (const char* bad : {"", "n[1]", "a,b", "a b"}) {
    INFO(bad);
    auto s = compress_hostlist({"n1", bad});
    REQUIRE_FALSE(s.ok());
  }
}
