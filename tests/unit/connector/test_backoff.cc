#include <catch2/catch.hpp>

#include <vector>

#include "connector/backoff.h"

using namespace compss::connector;
using namespace std::chrono_literals;

namespace {

// The waits handed out when each attempt itself takes no time.
std::vector<double> waits_ms(const BackoffConfig& c) {
  ManualClock clock;
  Backoff b(c, clock.now());
  std::vector<double> out;
  while (auto w = b.next(clock.now())) {
    out.push_back(to_ms(*w));
    clock.sleep_for(*w);
    if (out.size() > 100) break;
  }
  return out;
}

}  // namespace

TEST_CASE("backoff doubles from the first wait and is capped", "[connector][backoff]") {
  auto w = waits_ms({.initial = 100ms, .factor = 2, .max = 1s, .deadline = 5s, .jitter = 0});
  // 100+200+400+800+1000+1000+1000 = 4500; one more 1000 would end at 5500 > 5000.
  CHECK(w == std::vector<double>{100, 200, 400, 800, 1000, 1000, 1000});
}

TEST_CASE("backoff stops when the next attempt would start past the deadline", "[connector][backoff]") {
  auto w = waits_ms({.initial = 100ms, .factor = 2, .max = 1s, .deadline = 2s, .jitter = 0});
  CHECK(w == std::vector<double>{100, 200, 400, 800});
}

TEST_CASE("time spent in the calls themselves counts against the deadline", "[connector][backoff]") {
  ManualClock clock;
  Backoff b({.initial = 100ms, .factor = 2, .max = 1s, .deadline = 1s, .jitter = 0}, clock.now());
  clock.advance(700ms);  // a slow first attempt
  auto w = b.next(clock.now());
  REQUIRE(w);
  CHECK(to_ms(*w) == Approx(100));
  clock.advance(*w + 150ms);  // 950 ms gone
  CHECK_FALSE(b.next(clock.now()));  // 200 ms more would end at 1150
  CHECK(b.retries() == 1);
}

TEST_CASE("a zero deadline means no retry at all", "[connector][backoff]") {
  CHECK(waits_ms({.initial = 100ms, .factor = 2, .max = 1s, .deadline = 0s, .jitter = 0}).empty());
}

TEST_CASE("jitter shortens each wait by at most its fraction, reproducibly per seed", "[connector][backoff]") {
  BackoffConfig c{.initial = 100ms, .factor = 2, .max = 1s, .deadline = 60s, .jitter = 0.5, .seed = 811};
  auto plain = waits_ms({.initial = 100ms, .factor = 2, .max = 1s, .deadline = 60s, .jitter = 0});
  auto a = waits_ms(c);
  auto b = waits_ms(c);
  CHECK(a == b);
  REQUIRE(a.size() >= plain.size());
  bool some_shorter = false;
  for (std::size_t i = 0; i < plain.size(); ++i) {
    CHECK(a[i] <= plain[i]);
    CHECK(a[i] >= plain[i] * 0.5 - 0.001);
    some_shorter |= a[i] < plain[i];
  }
  CHECK(some_shorter);
  c.seed = 812;
  CHECK(waits_ms(c) != a);
}

TEST_CASE("backoff configs that cannot work are refused", "[connector][backoff]") {
  CHECK(check_backoff({}).ok());
  CHECK_FALSE(check_backoff({.initial = 0ms}).ok());
  CHECK_FALSE(check_backoff({.initial = 100ms, .factor = 0.5}).ok());
  CHECK_FALSE(check_backoff({.initial = 2s, .factor = 2, .max = 1s}).ok());
  auto j = check_backoff({.initial = 100ms, .factor = 2, .max = 1s, .deadline = 1s, .jitter = 1.5});
  REQUIRE_FALSE(j.ok());
  CHECK_THAT(j.error().message, Catch::Contains("jitter") && Catch::Contains("1.5"));
}
