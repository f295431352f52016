#include "connector/rpc_budget.h"

#include <algorithm>
#include <cmath>
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

Status check_budget(const BudgetConfig& c) {
  if (!(c.capacity >= 1))
    return fail("rpc budget: capacity must be at least 1 (got ", num(c.capacity), ")");
  if (!(c.refill_per_s > 0))
    return fail("rpc budget: refill rate must be more than 0 a second (got ", num(c.refill_per_s), ")");
  return ok_status();
}

RpcBudget::RpcBudget(BudgetConfig config, Clock& clock)
    : config_(config), clock_(clock), tokens_(config.capacity), last_(clock.now()) {}

void RpcBudget::refill() {
  auto now = clock_.now();
  if (now <= last_) return;
  double secs = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(config_.capacity, tokens_ + secs * config_.refill_per_s);
  last_ = now;
}

double RpcBudget::tokens() {
  refill();
  return tokens_;
}

bool RpcBudget::try_take() {
  refill();
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

Clock::Duration RpcBudget::wait_time() {
  refill();
  if (tokens_ >= 1) return Clock::Duration::zero();
  double secs = (1 - tokens_) / config_.refill_per_s;
  // Round up so that after sleeping this long a whole token is really there.
  auto d = std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double>(secs));
  return d + Clock::Duration(1);
}

Status RpcBudget::take(Clock::TimePoint deadline) {
  auto wait = wait_time();
  if (wait > Clock::Duration::zero()) {
    if (clock_.now() + wait > deadline)
      return fail("the RPC budget has no token for ", std::to_string(static_cast<long>(to_ms(wait))),
                  " ms, past the deadline");
    clock_.sleep_for(wait);
  }
  if (!try_take()) return fail("the RPC budget has no token after waiting (clock went backwards?)");
  return ok_status();
}

}  // namespace compss::connector
