#include <catch2/catch.hpp>

#include <vector>

#include <slurm/slurm_errno.h>

#include "connector/rpc_gate.h"
#include "connector/slurm_errors.h"

using namespace compss::connector;
using namespace std::chrono_literals;

namespace {

BackoffConfig exact_retry(Clock::Duration deadline = 10s) {
  return {.initial = 100ms, .factor = 2, .max = 1s, .deadline = deadline, .jitter = 0};
}

// A call that fails with the given codes in turn, then succeeds.
struct Script {
  std::vector<int> codes;
  std::size_t n = 0;
  int operator()() { return n < codes.size() ? codes[n++] : (n++, 0); }
};

}  // namespace

TEST_CASE("a transient error is retried with backoff and then succeeds", "[connector][gate]") {
  ManualClock clock;
  RpcGate gate({.capacity = 10, .refill_per_s = 1}, exact_retry(), clock);
  Script s{{SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR}};
  auto st = gate.run(RpcKind::kLoadJob, "load job 811", std::ref(s));
  REQUIRE(st.ok());
  CHECK(s.n == 3);
  CHECK(to_ms(clock.slept()) == Approx(300));  // 100 + 200
  auto stats = gate.stats();
  CHECK(stats.attempts_of(RpcKind::kLoadJob) == 3);
  CHECK(stats.retries[static_cast<int>(RpcKind::kLoadJob)] == 2);
  CHECK(stats.failures[static_cast<int>(RpcKind::kLoadJob)] == 0);
}

TEST_CASE("a permanent error returns at once with what was attempted and SLURM's message", "[connector][gate]") {
  ManualClock clock;
  RpcGate gate({}, exact_retry(), clock);
  Script s{{ESLURM_NOT_SUPPORTED}};
  auto st = gate.run(RpcKind::kUpdateJob, "merge helper job 812 into job 811", std::ref(s));
  REQUIRE_FALSE(st.ok());
  CHECK(s.n == 1);
  CHECK(clock.slept() == Clock::Duration::zero());
  CHECK(st.error().message ==
        "cannot merge helper job 812 into job 811: " + slurm_error_text(ESLURM_NOT_SUPPORTED));
  CHECK(gate.stats().failures[static_cast<int>(RpcKind::kUpdateJob)] == 1);
}

TEST_CASE("transient errors give up at the deadline, saying how long and how often", "[connector][gate]") {
  ManualClock clock;
  RpcGate gate({.capacity = 100, .refill_per_s = 100}, exact_retry(2s), clock);
  Script s{std::vector<int>(50, ECONNREFUSED)};
  auto start = clock.now();
  auto st = gate.run(RpcKind::kLoadConf, "read the SLURM controller's configuration", std::ref(s));
  REQUIRE_FALSE(st.ok());
  CHECK(s.n == 5);  // waits 100, 200, 400, 800; the next (1000) would pass 2 s
  CHECK(clock.now() - start <= 2s);
  CHECK_THAT(st.error().message, Catch::StartsWith("cannot read the SLURM controller's configuration: gave up after 1.5 s"));
  CHECK_THAT(st.error().message, Catch::Contains("5 attempts") && Catch::Contains(slurm_error_text(ECONNREFUSED)));
}

TEST_CASE("every attempt, retries included, takes a token from the one budget", "[connector][gate]") {
  ManualClock clock;
  RpcGate gate({.capacity = 2, .refill_per_s = 1}, exact_retry(), clock);
  REQUIRE(gate.run(RpcKind::kLoadJob, "a", [] { return 0; }).ok());
  REQUIRE(gate.run(RpcKind::kKillJob, "b", [] { return 0; }).ok());
  // The bucket is empty: the third call waits a whole second for its token.
  REQUIRE(gate.run(RpcKind::kAllocate, "c", [] { return 0; }).ok());
  CHECK(to_ms(clock.slept()) == Approx(1000).margin(0.01));
  CHECK(to_ms(gate.stats().throttled) == Approx(1000).margin(0.01));
  CHECK(gate.stats().total_attempts() == 3);
}

TEST_CASE("a burst of calls is spread out at the refill rate", "[connector][gate]") {
  ManualClock clock;
  RpcGate gate({.capacity = 5, .refill_per_s = 2}, exact_retry(), clock);
  auto start = clock.now();
  for (int i = 0; i < 25; ++i) REQUIRE(gate.run(RpcKind::kLoadJob, "poll", [] { return 0; }).ok());
  // 5 at once, then 20 more at 2 a second.
  CHECK(std::chrono::duration<double>(clock.now() - start).count() == Approx(10.0).margin(0.01));
}

TEST_CASE("waiting for a token also ends at the deadline", "[connector][gate]") {
  ManualClock clock;
  RpcGate gate({.capacity = 1, .refill_per_s = 0.1}, exact_retry(2s), clock);
  REQUIRE(gate.run(RpcKind::kLoadJob, "first", [] { return 0; }).ok());
  int called = 0;
  auto st = gate.run(RpcKind::kLoadJob, "load job 9", [&] { return ++called, 0; });
  REQUIRE_FALSE(st.ok());
  CHECK(called == 0);
  CHECK_THAT(st.error().message, Catch::StartsWith("cannot load job 9: the RPC budget has no token"));
}

TEST_CASE("the summary names every kind of call with its count", "[connector][gate]") {
  ManualClock clock;
  RpcGate gate({}, exact_retry(), clock);
  REQUIRE(gate.run(RpcKind::kLoadJob, "x", [] { return 0; }).ok());
  Script s{{EAGAIN}};
  REQUIRE(gate.run(RpcKind::kUpdateJob, "y", std::ref(s)).ok());
  CHECK(gate.stats().summary() ==
        "slurmctld RPCs: 3 (load_ctl_conf 0, load_job 1, allocate 0, update_job 2, kill_job 0, load_node 0, will_run 0); 1 retry, 0 failed, "
        "0 ms waiting for the budget");
}
