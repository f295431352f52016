// clock.h - the connector's view of time, injected so that tests control it.
//
// Clock is an interface: now() reads a monotonic time, sleep_for() waits. SteadyClock is the real one
// (std::chrono::steady_clock, std::this_thread::sleep_for). ManualClock is for tests and the
// FakeConnector: time only moves when advance() or sleep_for() is called, and sleep_for() returns at
// once after moving time forward, so a test of a 30 s retry deadline runs in microseconds.
//
// Lifecycle: a Clock outlives everything that holds a reference to it.
// Failure behaviour: none; negative durations are treated as zero.
// Thread-safety: SteadyClock is safe from any thread. ManualClock is safe from any thread (an atomic
// tick count), but a test that advances it from one thread while another sleeps gets what it asked for.
#pragma once

#include <atomic>
#include <chrono>

namespace compss::connector {

class Clock {
 public:
  using Duration = std::chrono::steady_clock::duration;
  using TimePoint = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  virtual TimePoint now() = 0;
  virtual void sleep_for(Duration d) = 0;
};

class SteadyClock final : public Clock {
 public:
  TimePoint now() override;
  void sleep_for(Duration d) override;
};

class ManualClock final : public Clock {
 public:
  TimePoint now() override;
  void sleep_for(Duration d) override;  // advances time by d and returns at once
  void advance(Duration d);
  Duration slept() const;               // the sum of every sleep_for so far

 private:
  std::atomic<Duration::rep> ticks_{0};
  std::atomic<Duration::rep> slept_{0};
};

// Milliseconds as a double, for logs and reports ("merge 438.3 ms").
double to_ms(Clock::Duration d);

}  // namespace compss::connector
