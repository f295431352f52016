// backoff.h - when to try a failed call again, and when to stop.
//
// Exponential backoff: the n-th retry waits initial * factor^n, capped at `max`, each wait shortened
// by up to `jitter` (a fraction, 0..1) of itself so that many daemons retrying after the same
// slurmctld restart do not all come back in the same instant. The jitter is drawn from a generator
// seeded with `seed` (the daemon passes its job id), so a run is reproducible and tests are exact.
// The sequence stops when the next attempt would start after start + deadline.
//
//   Backoff b({.initial = 100ms, .factor = 2, .max = 1s, .deadline = 2s}, clock.now());
//   b.next(now)  // 100ms, 200ms, 400ms, 800ms, then nullopt (a 1 s wait would end at 2.5 s > 2 s)
//
// Lifecycle: one Backoff per logical call (all its retries); cheap to build.
// Failure behaviour: none; next() returning nullopt is the signal to give up.
// Thread-safety: a plain value; not for concurrent use.
#pragma once

#include <cstdint>
#include <optional>
#include <random>

#include "common/util/result.h"
#include "connector/clock.h"

namespace compss::connector {

struct BackoffConfig {
  Clock::Duration initial = std::chrono::milliseconds(200);
  double factor = 2;
  Clock::Duration max = std::chrono::seconds(5);
  Clock::Duration deadline = std::chrono::seconds(30);  // from the first attempt
  double jitter = 0.2;
  std::uint64_t seed = 0;
};

// "retry: factor must be at least 1 (got 0.5)" when a config cannot work.
Status check_backoff(const BackoffConfig& c);

class Backoff {
 public:
  Backoff(const BackoffConfig& config, Clock::TimePoint start);

  // The wait before the next attempt, or nullopt when that attempt would start past the deadline.
  std::optional<Clock::Duration> next(Clock::TimePoint now);
  int retries() const { return retries_; }  // waits handed out so far
  Clock::TimePoint deadline() const { return deadline_; }

 private:
  BackoffConfig config_;
  Clock::TimePoint deadline_;
  double step_;  // the un-jittered wait of the next retry, in the clock's ticks
  int retries_ = 0;
  std::minstd_rand rng_;
};

}  // namespace compss::connector
