// Tests of the run's clock (daemon/run_clock.h): the time compssd did not run is not counted, so an agent
// stopped with it (a suspended job) is not taken for lost when both run again.
#include <catch2/catch.hpp>

#include "common/util/log.h"
#include "daemon/run_clock.h"
#include "daemon/runtime.h"
#include "tests/unit/daemon/fake_endpoint.h"

using namespace compss;
using namespace compss::daemon;
using compss::test::FakeEndpoint;

namespace {

const bool kQuiet = (log::set_level(log::Level::kError), true);

RunClock::Clock::time_point at(RunClock::Clock::time_point t0, double s) {
  return t0 + std::chrono::duration_cast<RunClock::Clock::duration>(std::chrono::duration<double>(s));
}

}  // namespace

TEST_CASE("a gap between two readings above 5 s is not counted, and is told once", "[run-clock]") {
  const auto t0 = RunClock::Clock::now();
  RunClock c(t0);
  CHECK(c.read(at(t0, 20)) == Approx(20));  // before watch(): start-up takes what it takes
  c.watch(at(t0, 20));
  CHECK(c.read(at(t0, 20.5)) == Approx(20.5));
  CHECK(c.read(at(t0, 24.5)) == Approx(24.5));  // 4 s: a slow tick, still counted
  CHECK(c.take_paused() == 0);
  CHECK(c.read(at(t0, 69.5)) == Approx(24.5));  // 45 s stopped
  CHECK(c.read(at(t0, 70)) == Approx(25));
  CHECK(c.take_paused() == Approx(45));
  CHECK(c.take_paused() == 0);
  CHECK(c.read(at(t0, 71)) == Approx(26));
}

TEST_CASE("an agent silent only while compssd itself stood still is not lost", "[run-clock][heartbeat]") {
  RuntimeConfig cfg = test::job_config("test");
  cfg.heartbeat_s = 10;  // lost after 30 s of silence
  Runtime rt(cfg);
  auto agent = std::make_shared<FakeEndpoint>("agent n1");
  const auto t0 = RunClock::Clock::now();
  RunClock c(t0);
  c.watch(at(t0, 1));
  test::register_agent(rt, agent, "n1", 2, c.read(at(t0, 1)));
  for (double s = 1.5; s <= 5; s += 0.5) rt.check_heartbeats(c.read(at(t0, s)));
  // The job is suspended for 45 s: compssd and the agent stop together; compssd's tick comes first.
  rt.check_heartbeats(c.read(at(t0, 50)));
  CHECK(rt.agents_connected() == 1);
  CHECK(agent->closed.empty());
  // Without the clock's correction the same silence loses the node: the case this clock exists for.
  Runtime raw(cfg);
  auto other = std::make_shared<FakeEndpoint>("agent n1");
  test::register_agent(raw, other, "n1", 2, 1);
  raw.check_heartbeats(50);
  CHECK(raw.agents_connected() == 0);
  // An agent that stays silent after compssd runs again is lost as always.
  for (double s = 50.5; s <= 75; s += 0.5) rt.check_heartbeats(c.read(at(t0, s)));  // run time 30
  CHECK(rt.agents_connected() == 1);
  rt.check_heartbeats(c.read(at(t0, 77)));  // run time 32: silent 31 s
  CHECK(rt.agents_connected() == 0);
}
