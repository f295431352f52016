#include <catch2/catch.hpp>

#include "connector/rpc_budget.h"

using namespace compss::connector;
using namespace std::chrono_literals;

TEST_CASE("a full bucket allows a burst of its capacity, then refuses", "[connector][budget]") {
  ManualClock clock;
  RpcBudget b({.capacity = 3, .refill_per_s = 1}, clock);
  CHECK(b.try_take());
  CHECK(b.try_take());
  CHECK(b.try_take());
  CHECK_FALSE(b.try_take());
}

TEST_CASE("tokens come back at the refill rate and never beyond capacity", "[connector][budget]") {
  ManualClock clock;
  RpcBudget b({.capacity = 4, .refill_per_s = 2}, clock);
  for (int i = 0; i < 4; ++i) REQUIRE(b.try_take());
  clock.advance(500ms);  // one token at 2 a second
  CHECK(b.try_take());
  CHECK_FALSE(b.try_take());
  clock.advance(1h);
  CHECK(b.tokens() == Approx(4.0));
}

TEST_CASE("fractional refill accumulates across reads", "[connector][budget]") {
  ManualClock clock;
  RpcBudget b({.capacity = 1, .refill_per_s = 0.5}, clock);
  REQUIRE(b.try_take());
  for (int i = 0; i < 3; ++i) {
    clock.advance(500ms);
    CHECK_FALSE(b.try_take());  // 0.25, 0.5, 0.75 of a token
  }
  clock.advance(500ms);
  CHECK(b.try_take());
}

TEST_CASE("the waiting time is computed from the injected clock", "[connector][budget]") {
  ManualClock clock;
  RpcBudget b({.capacity = 2, .refill_per_s = 4}, clock);
  CHECK(b.wait_time() == Clock::Duration::zero());
  REQUIRE(b.try_take());
  REQUIRE(b.try_take());
  auto w = b.wait_time();
  CHECK(to_ms(w) == Approx(250.0).margin(0.01));
  clock.advance(100ms);
  CHECK(to_ms(b.wait_time()) == Approx(150.0).margin(0.01));
}

TEST_CASE("take sleeps on the clock until a token is there", "[connector][budget]") {
  ManualClock clock;
  RpcBudget b({.capacity = 1, .refill_per_s = 10}, clock);
  auto far = clock.now() + 10s;
  REQUIRE(b.take(far).ok());
  CHECK(clock.slept() == Clock::Duration::zero());
  REQUIRE(b.take(far).ok());
  CHECK(to_ms(clock.slept()) == Approx(100.0).margin(0.01));
  for (int i = 0; i < 8; ++i) REQUIRE(b.take(far).ok());
  CHECK(to_ms(clock.slept()) == Approx(900.0).margin(0.01));  // ten calls: one free, nine at 10 a second
}

TEST_CASE("take fails without sleeping when the wait would pass the deadline", "[connector][budget]") {
  ManualClock clock;
  RpcBudget b({.capacity = 1, .refill_per_s = 1}, clock);
  REQUIRE(b.try_take());
  auto st = b.take(clock.now() + 500ms);
  REQUIRE_FALSE(st.ok());
  CHECK_THAT(st.error().message, Catch::Contains("no token"));
  CHECK(clock.slept() == Clock::Duration::zero());
}

TEST_CASE("budget configs that cannot work are refused with the value", "[connector][budget]") {
  CHECK(check_budget({.capacity = 1, .refill_per_s = 0.1}).ok());
  auto zero_cap = check_budget({.capacity = 0, .refill_per_s = 1});
  REQUIRE_FALSE(zero_cap.ok());
  CHECK_THAT(zero_cap.error().message, Catch::Contains("capacity") && Catch::Contains("got 0"));
  auto zero_rate = check_budget({.capacity = 5, .refill_per_s = 0});
  REQUIRE_FALSE(zero_rate.ok());
  CHECK_THAT(zero_rate.error().message, Catch::Contains("refill"));
}
