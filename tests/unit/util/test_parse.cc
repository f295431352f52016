#include <catch2/catch.hpp>

#include "common/util/parse.h"

using namespace compss;

TEST_CASE("sizes accept binary units", "[util][parse]") {
  struct Row { const char* in; std::uint64_t want; };
  for (auto r : {Row{"512", 512}, Row{"1K", 1024}, Row{"4M", 4ull << 20}, Row{"2g", 2ull << 30},
                 Row{"1T", 1ull << 40}, Row{"4GB", 4ull << 30}}) {
    INFO(r.in);
    auto v = parse_size(r.in);
    REQUIRE(v.ok());
    CHECK(*v == r.want);
  }
}

TEST_CASE("bad sizes say what is accepted", "[util][parse]") {
  for (const char* in : {"", "G", "4X", "4 G", "-1", "99999999999999999999"}) {
    INFO(in);
    auto v = parse_size(in);
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().message.find(std::string("'") + in + "'") != std::string::npos);
  }
}

TEST_CASE("durations accept seconds, units and SLURM clock forms", "[util][parse]") {
  struct Row { const char* in; std::uint64_t want; };
  for (auto r : {Row{"90", 90}, Row{"90s", 90}, Row{"5m", 300}, Row{"2h", 7200}, Row{"1d", 86400},
                 Row{"1h30m", 5400}, Row{"10:00", 600}, Row{"01:00:05", 3605}, Row{"1-00:00:00", 86400}}) {
    INFO(r.in);
    auto v = parse_duration(r.in);
    REQUIRE(v.ok());
    CHECK(*v == r.want);
  }
  for (const char* in : {"", "5x", "1h30", "a:b", "1:2:3:4"}) {
    INFO(in);
    CHECK_FALSE(parse_duration(in).ok());
  }
}

TEST_CASE("a duration too long to hold is refused, never wrapped around", "[util][parse]") {
  // 213503982334602 days * 86400 s wraps 64 bits to 61184 s: once accepted as idle=61184.
  // 18088:8838888888883 (found by fuzz_compss_option): a field alone above the limit.
  for (const char* in : {"213503982334602d", "99999999999999999999999:00", "36500001d", "200000000-00:00:00",
                         "18088:8838888888883"}) {
    INFO(in);
    auto v = parse_duration(in);
    REQUIRE_FALSE(v.ok());
  }
  auto r = parse_duration("213503982334602d");
  CHECK_THAT(r.error().message, Catch::Contains("longer than 100 years"));
  CHECK(*parse_duration("36500d") == 36500ull * 86400);  // within: a century
}

TEST_CASE("whole numbers are range-checked with the value's name", "[util][parse]") {
  CHECK(*parse_uint("4", "max-nodes", 1, 10) == 4);
  auto r = parse_uint("0", "max-nodes", 1, 10);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "bad max-nodes '0': must be between 1 and 10");
  CHECK(parse_uint("4a", "retries").error().message == "bad retries '4a': expected a whole number");
}

TEST_CASE("key=value lists keep order and reject repeats", "[util][parse]") {
  auto r = parse_kv_list("max-nodes=8, idle=30,trace");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 3);
  CHECK((*r)[0] == std::pair<std::string, std::string>{"max-nodes", "8"});
  CHECK((*r)[1] == std::pair<std::string, std::string>{"idle", "30"});
  CHECK((*r)[2] == std::pair<std::string, std::string>{"trace", ""});
  CHECK(parse_kv_list("a=1,a=2").error().message == "key 'a' given twice");
  CHECK_FALSE(parse_kv_list("a=1,,b").ok());
  CHECK_FALSE(parse_kv_list("=3").ok());
  CHECK(parse_kv_list("")->empty());
}

TEST_CASE("split keeps empty fields", "[util][parse]") {
  auto v = split("a,,b", ',');
  REQUIRE(v.size() == 3);
  CHECK(v[1].empty());
  CHECK(trim("  x y \t") == "x y");
}

TEST_CASE("join puts the separator between parts only", "[util][parse]") {
  CHECK(compss::join({}, ",") == "");
  CHECK(compss::join({"n1"}, ",") == "n1");
  CHECK(compss::join({"n1", "n2", "n3"}, ",") == "n1,n2,n3");
  CHECK(compss::join({"", "a"}, ", ") == ", a");
}

TEST_CASE("join keeps empty items and takes string views and integers too", "[util][parse]") {
  CHECK(join(std::vector<std::string>{"", "b", ""}, ",") == ",b,");
  CHECK(join(std::vector<std::string_view>{"x", "y"}, " - ") == "x - y");
  CHECK(join(std::vector<std::uint32_t>{0, 2, 15}, ",") == "0,2,15");
  CHECK(join(split("a,b,c", ','), "/") == "a/b/c");
}

TEST_CASE("CPU lists are written and read in cpulist notation", "[parse]") {
  CHECK(compss::format_cpu_list({}) == "");
  CHECK(compss::format_cpu_list({3}) == "3");
  CHECK(compss::format_cpu_list({0, 1}) == "0-1");
  CHECK(compss::format_cpu_list({5, 0, 1, 2, 9, 10, 2}) == "0-2,5,9-10");
  using Ids = std::vector<std::uint32_t>;
  CHECK(compss::parse_cpu_list("0-2,5,9-10").value_or(Ids{}) == Ids{0, 1, 2, 5, 9, 10});
  CHECK(compss::parse_cpu_list("1").value_or(Ids{}) == Ids{1});
  CHECK(compss::parse_cpu_list("").value_or(Ids{7}).empty());
  CHECK(compss::parse_cpu_list("3,1,3").value_or(Ids{}) == Ids{1, 3});
  for (const char* bad : {"a", "2-1", "1-", "-3", "1,,2", "0-99999999"}) {
    auto r = compss::parse_cpu_list(bad);
    CHECK_FALSE(r.ok());
    if (!r.ok()) CHECK(r.error().message.find("bad CPU list") != std::string::npos);
  }
}
