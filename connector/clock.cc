#include "connector/clock.h"

#include <thread>

namespace compss::connector {

Clock::TimePoint SteadyClock::now() { return std::chrono::steady_clock::now(); }

void SteadyClock::sleep_for(Duration d) {
  if (d > Duration::zero()) std::this_thread::sleep_for(d);
}

Clock::TimePoint ManualClock::now() { return TimePoint(Duration(ticks_.load())); }

void ManualClock::sleep_for(Duration d) {
  if (d <= Duration::zero()) return;
  ticks_ += d.count();
  slept_ += d.count();
}

void ManualClock::advance(Duration d) {
  if (d > Duration::zero()) ticks_ += d.count();
}

Clock::Duration ManualClock::slept() const { return Duration(slept_.load()); }

double to_ms(Clock::Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace compss::connector
