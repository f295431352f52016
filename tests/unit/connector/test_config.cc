#include <catch2/catch.hpp>

#include "connector/config.h"

using namespace compss::connector;
using namespace std::chrono_literals;

TEST_CASE("connector settings parse from a key=value list", "[connector][config]") {
  auto c = parse_connector_config(
      "rpc-burst=5,rpc-rate=0.5,retry-first=250ms,retry-max=4s,retry-factor=3,retry-deadline=1m,"
      "retry-jitter=0,helper-prefix=grow-");
  REQUIRE(c.ok());
  CHECK(c->budget.capacity == 5);
  CHECK(c->budget.refill_per_s == 0.5);
  CHECK(c->retry.initial == 250ms);
  CHECK(c->retry.max == 4s);
  CHECK(c->retry.factor == 3);
  CHECK(c->retry.deadline == 60s);
  CHECK(c->retry.jitter == 0);
  CHECK(c->helper_prefix == "grow-");
}

TEST_CASE("an empty setting list keeps the defaults", "[connector][config]") {
  auto c = parse_connector_config("");
  REQUIRE(c.ok());
  CHECK(c->budget.capacity == 20);
  CHECK(c->budget.refill_per_s == 2);
  CHECK(c->retry.deadline == 30s);
  CHECK(c->helper_prefix == "compss-grow-");
}

TEST_CASE("bad connector settings name the key and the value", "[connector][config]") {
  struct Row { const char* in; const char* says; };
  for (auto r : {Row{"rpc-burst=lots", "bad rpc-burst 'lots'"}, Row{"rpc-rate=0", "refill rate"},
                 Row{"retry-first=fast", "bad retry-first 'fast'"}, Row{"retry-first=5s,retry-max=1s", "longest wait"},
                 Row{"color=red", "unknown connector setting 'color'"}, Row{"helper-prefix=", "helper-prefix"},
                 Row{"rpc-burst=1,rpc-burst=2", "given twice"}}) {
    INFO(r.in);
    auto c = parse_connector_config(r.in);
    REQUIRE_FALSE(c.ok());
    CHECK_THAT(c.error().message, Catch::Contains(r.says));
  }
}
