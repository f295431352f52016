// run_clock.h - the run's clock: seconds since compssd started, less the time it did not run at all.
//
//   RunClock c;            // starts now
//   c.watch();             // from the first tick on, gaps count as pauses
//   double t = c.read();   // the run's seconds
//   double p = c.take_paused();  // seconds of pause not taken yet (for an event)
//
// compssd reads the clock at least twice a second (its tick). A longer gap between two readings is time
// it did not run: `scontrol suspend` (SLURM stops every process of the job), a SIGSTOP, a stalled node or
// event loop. Its agents and tasks were most likely stopped too, and their messages could not be read:
// the gap is not counted, so no heartbeat is missed and no timeout runs out for the time it stood still.
// Thread-safety: every member may be called from any thread.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>

namespace compss::daemon {

class RunClock {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr double kPauseS = 5;  // a gap above this between two readings is a pause

  explicit RunClock(Clock::time_point start = Clock::now()) : t0_(start) {}

  void watch(Clock::time_point at = Clock::now()) {
    std::lock_guard lock(mu_);
    if (!last_) last_ = at;
  }
  double read(Clock::time_point at = Clock::now()) {
    std::lock_guard lock(mu_);
    if (last_) {
      const double gap = std::chrono::duration<double>(at - *last_).count();
      if (gap > kPauseS) paused_ += gap;
      if (at > *last_) last_ = at;
    }
    return std::chrono::duration<double>(at - t0_).count() - paused_;
  }
  double take_paused() {
    std::lock_guard lock(mu_);
    const double p = paused_ - taken_;
    taken_ = paused_;
    return p;
  }

 private:
  std::mutex mu_;
  Clock::time_point t0_;
  std::optional<Clock::time_point> last_;  // the last reading, once watching
  double paused_ = 0;
  double taken_ = 0;
};

}  // namespace compss::daemon
