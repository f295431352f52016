#include "connector/backoff.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace compss::connector {

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

Status check_backoff(const BackoffConfig& c) {
  if (c.initial <= Clock::Duration::zero()) return fail("retry: the first wait must be more than 0");
  if (!(c.factor >= 1)) return fail("retry: factor must be at least 1 (got ", num(c.factor), ")");
  if (c.max < c.initial) return fail("retry: the longest wait must not be shorter than the first");
  if (c.deadline < Clock::Duration::zero()) return fail("retry: the deadline must not be negative");
  if (!(c.jitter >= 0 && c.jitter < 1)) return fail("retry: jitter must be in [0, 1) (got ", num(c.jitter), ")");
  return ok_status();
}

Backoff::Backoff(const BackoffConfig& config, Clock::TimePoint start)
    : config_(config),
      deadline_(start + config.deadline),
      step_(static_cast<double>(config.initial.count())),
      // minstd_rand rejects a zero seed by mapping it to 1; fold the 64 bits so that job ids differ.
      rng_(static_cast<std::uint_fast32_t>(config.seed ^ (config.seed >> 32))) {}

std::optional<Clock::Duration> Backoff::next(Clock::TimePoint now) {
  double wait = std::min(step_, static_cast<double>(config_.max.count()));
  if (config_.jitter > 0) {
    std::uniform_real_distribution<double> u(0.0, config_.jitter);
    wait *= 1.0 - u(rng_);
  }
  auto d = Clock::Duration(static_cast<Clock::Duration::rep>(wait));
  if (now + d > deadline_) return std::nullopt;
  step_ = std::min(step_ * config_.factor, static_cast<double>(config_.max.count()));
  ++retries_;
  return d;
}

}  // namespace compss::connector
