// rpc_budget.h - the token bucket every call to slurmctld passes through.
//
// A bucket holds up to `capacity` tokens and gains `refill_per_s` tokens a second (fractions count).
// Each RPC takes one token. A full bucket allows a burst of `capacity` calls at once; after that calls
// are spaced 1/refill_per_s apart. The site sets both (connector config "rpc-burst", "rpc-rate");
// the defaults (burst 20, 2 a second) keep one job's daemon far below what slurmctld's own rate
// limiter (when a site turns it on) would refuse.
//
//   RpcBudget b({.capacity = 3, .refill_per_s = 1}, clock);
//   b.try_take();            // true three times in a row, then false
//   b.wait_time();           // 1 s after the third take: the time until the next token
//   b.take(deadline);        // sleeps (on the injected clock) until a token is there, or fails
//
// Lifecycle: built once per connector; the clock must outlive it.
// Failure behaviour: take() fails, without sleeping, when the wait would pass the deadline.
// Thread-safety: not thread-safe; its owner (RpcGate) serialises calls.
#pragma once

#include "common/util/result.h"
#include "connector/clock.h"

namespace compss::connector {

struct BudgetConfig {
  double capacity = 20;     // tokens; at least 1
  double refill_per_s = 2;  // tokens a second; more than 0
};

// "rpc budget: capacity must be at least 1 (got 0)" when a config cannot work.
Status check_budget(const BudgetConfig& c);

class RpcBudget {
 public:
  RpcBudget(BudgetConfig config, Clock& clock);  // starts full

  bool try_take();                       // takes a token if one is there now
  Clock::Duration wait_time();           // until a token is there; zero when one is
  Status take(Clock::TimePoint deadline);  // waits for a token (at most until deadline) and takes it
  double tokens();                       // tokens there now (after refill)
  const BudgetConfig& config() const { return config_; }

 private:
  void refill();

  BudgetConfig config_;
  Clock& clock_;
  double tokens_;
  Clock::TimePoint last_;
};

}  // namespace compss::connector
