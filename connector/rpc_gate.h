// rpc_gate.h - the one door every call to slurmctld goes through: budget, retries, counts.
//
// run(kind, what, call) takes a token from the RpcBudget (waiting for one if needed), invokes `call`,
// and looks at what it returned: 0 is success; a transient SLURM code (slurm_errors.h) is retried after
// a Backoff wait, each retry taking a token again; a permanent code returns at once. Every wait, for a
// token or between retries, ends by the deadline of the BackoffConfig, so run() never blocks longer
// than that deadline plus the time of one libslurm call. libslurm bounds a call itself: it retries
// connecting for about MessageTimeout seconds, then waits up to MessageTimeout for the answer. With
// slurmctld stopped for 25 s (MessageTimeout=10), one job() call took 28 s: libslurm gave up once,
// the gate retried once, the second attempt got through (tests/integration/connector-outage.test).
// Errors name what was attempted and SLURM's message:
//   "cannot merge helper job 812 into job 811: Requested operation not supported on this system"
//   "cannot load job 811: gave up after 30 s of transient errors (6 attempts; last: Unable to contact slurm controller (connect failure))"
//
// `call` returns 0 or the error code (slurm_get_errno() after the failing libslurm function).
// stats() counts attempts per kind, retries, failures and the time spent waiting for tokens.
//
// Lifecycle: one per connector (so one budget per daemon); the clock outlives it.
// Failure behaviour: as above; nothing is thrown (a throwing `call` is a bug and propagates).
// Thread-safety: run() is serialised by an internal mutex (calls from several threads queue up);
// stats() may be called from any thread at any time and never waits for a call in progress.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "common/util/result.h"
#include "connector/backoff.h"
#include "connector/clock.h"
#include "connector/rpc_budget.h"

namespace compss::connector {

enum class RpcKind { kLoadConf, kLoadJob, kAllocate, kUpdateJob, kKillJob, kLoadNodes, kWillRun };
inline constexpr std::size_t kRpcKinds = 7;
// "load_ctl_conf", "load_job", "allocate", "update_job", "kill_job", "load_node" (node and partition tables),
// "will_run" (when an allocation would start)
std::string_view rpc_kind_name(RpcKind k);

struct RpcStats {
  std::array<std::uint64_t, kRpcKinds> attempts{};  // RPCs really sent, retries included
  std::array<std::uint64_t, kRpcKinds> retries{};   // of which were retries of a transient error
  std::array<std::uint64_t, kRpcKinds> failures{};  // run() calls that ended in an error
  Clock::Duration throttled{};                      // total time spent waiting for tokens

  std::uint64_t attempts_of(RpcKind k) const { return attempts[static_cast<std::size_t>(k)]; }
  std::uint64_t total_attempts() const;
  // "slurmctld RPCs: 14 (load_ctl_conf 1, load_job 9, allocate 2, update_job 2, kill_job 0, load_node 0); 1 retry,
  //  0 failed, 0 ms waiting for the budget"
  std::string summary() const;
};

class RpcGate {
 public:
  RpcGate(BudgetConfig budget, BackoffConfig retry, Clock& clock);

  Status run(RpcKind kind, std::string_view what, const std::function<int()>& call);
  RpcStats stats() const;
  Clock& clock() { return clock_; }

 private:
  Status attempt_loop(RpcKind kind, std::string_view what, const std::function<int()>& call);
  void bump(std::array<std::uint64_t, kRpcKinds> RpcStats::*field, RpcKind kind);
  void add_throttled(Clock::Duration d);

  Clock& clock_;
  BackoffConfig retry_;
  RpcBudget budget_;
  std::mutex run_mu_;            // one call at a time
  mutable std::mutex stats_mu_;  // short, never held across a call
  RpcStats stats_;
};

}  // namespace compss::connector
