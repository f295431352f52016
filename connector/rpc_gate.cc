#include "connector/rpc_gate.h"

#include <cstdio>

#include "common/util/log.h"
#include "connector/slurm_errors.h"

namespace compss::connector {

namespace {

std::string secs(Clock::Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", to_ms(d) / 1000.0);
  return buf;
}

std::string plural(std::uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string_view rpc_kind_name(RpcKind k) {
  switch (k) {
    case RpcKind::kLoadConf: return "load_ctl_conf";
    case RpcKind::kLoadJob: return "load_job";
    case RpcKind::kAllocate: return "allocate";
    case RpcKind::kUpdateJob: return "update_job";
    case RpcKind::kKillJob: return "kill_job";
    case RpcKind::kLoadNodes: return "load_node";
    case RpcKind::kWillRun: return "will_run";
  }
  return "unknown";
}

std::uint64_t RpcStats::total_attempts() const {
  std::uint64_t n = 0;
  for (auto a : attempts) n += a;
  return n;
}

std::string RpcStats::summary() const {
  std::string s = "slurmctld RPCs: " + std::to_string(total_attempts()) + " (";
  std::uint64_t retried = 0, failed = 0;
  for (std::size_t i = 0; i < kRpcKinds; ++i) {
    if (i) s += ", ";
    s += std::string(rpc_kind_name(static_cast<RpcKind>(i))) + " " + std::to_string(attempts[i]);
    retried += retries[i];
    failed += failures[i];
  }
  s += "); " + plural(retried, "retry", "retries") + ", " + std::to_string(failed) + " failed, " +
       std::to_string(static_cast<long long>(to_ms(throttled))) + " ms waiting for the budget";
  return s;
}

RpcGate::RpcGate(BudgetConfig budget, BackoffConfig retry, Clock& clock)
    : clock_(clock), retry_(retry), budget_(budget, clock) {}

void RpcGate::bump(std::array<std::uint64_t, kRpcKinds> RpcStats::*field, RpcKind kind) {
  std::lock_guard lock(stats_mu_);
  (stats_.*field)[static_cast<std::size_t>(kind)]++;
}

void RpcGate::add_throttled(Clock::Duration d) {
  std::lock_guard lock(stats_mu_);
  stats_.throttled += d;
}

RpcStats RpcGate::stats() const {
  std::lock_guard lock(stats_mu_);
  return stats_;
}

Status RpcGate::run(RpcKind kind, std::string_view what, const std::function<int()>& call) {
  std::lock_guard lock(run_mu_);
  Status st = attempt_loop(kind, what, call);
  if (!st) bump(&RpcStats::failures, kind);
  return st;
}

Status RpcGate::attempt_loop(RpcKind kind, std::string_view what, const std::function<int()>& call) {
  auto start = clock_.now();
  Backoff backoff(retry_, start);
  int last = 0;
  for (int attempt = 1;; ++attempt) {
    auto before = clock_.now();
    if (Status got = budget_.take(backoff.deadline()); !got) {
      std::string tail = attempt == 1 ? "" : " (last: " + slurm_error_text(last) + ")";
      return fail("cannot ", what, ": ", got.error().message, tail);
    }
    add_throttled(clock_.now() - before);
    bump(&RpcStats::attempts, kind);
    if (attempt > 1) bump(&RpcStats::retries, kind);
    last = call();
    if (last == 0) return ok_status();
    if (!is_transient(last)) return fail("cannot ", what, ": ", slurm_error_text(last));
    auto wait = backoff.next(clock_.now());
    if (!wait) {
      return fail("cannot ", what, ": gave up after ", secs(clock_.now() - start), " s of transient errors (",
                  plural(static_cast<std::uint64_t>(attempt), "attempt", "attempts"),
                  "; last: ", slurm_error_text(last), ")");
    }
    log::debug("connector: ", what, ": ", slurm_error_text(last), "; retry in ", to_ms(*wait), " ms");
    clock_.sleep_for(*wait);
  }
}

}  // namespace compss::connector
