// The Runtime after a restart inside the same job (doc/spec/journal.md, section 6): the run rebuilt from
// its own journal, and the tasks the agents still run taken over instead of run again.
#include <string>

#include "common/proto/codec.h"
#include "common/util/log.h"
#include "daemon/runtime.h"

namespace compss::daemon {

using scheduler::TaskState;

Status Runtime::restore(const Replay& r, double now) {
  for (const Replay::Spec& sp : r.specs) {
    auto m = proto::decode_payload(sp.msg);
    if (!m) return fail("spec of task ", std::to_string(sp.first_task), ": ", m.error().message);
    auto* submit = std::get_if<proto::Submit>(&*m);
    if (!submit || submit->tasks.size() != 1)
      return fail("spec of task ", std::to_string(sp.first_task), ": not a one-task submit");
    auto ids = add_tasks(std::move(*submit), now);
    if (!ids) return fail("spec of task ", std::to_string(sp.first_task), ": ", ids.error().message);
    if (ids->size() != sp.task_count || ids->front() != sp.first_task)
      return fail("spec of task ", std::to_string(sp.first_task), " came back as task ",
                  std::to_string(ids->front()), ": the journal does not match this run");
  }
  // In id order: a task's predecessors come before it, so each done one is ready when reached.
  std::uint64_t failed = 0, cancelled = 0, expected = 0;
  for (std::uint32_t i = 0; i < r.tasks.size() && i < attempts_.size(); ++i) {
    const Replay::Last& l = r.tasks[i];
    const TaskId t(i);
    attempts_[i].attempts = static_cast<std::uint16_t>(l.attempt);  // the next run is attempt + 1
    if (l.state == "done") {
      if (sched_.complete_cached(t)) ++restored_;
      else log::warn("restart: task ", i, " was done but is ", scheduler::to_string(sched_.graph().state(t)), " now");
    } else if (l.state == "failed" || l.state == "cancelled") {
      if (scheduler::is_final(sched_.graph().state(t))) continue;  // cancelled with a predecessor already
      reasons_[i] = l.state + " before compssd restarted (see journal of the earlier compssd)";
      // Failed stays failed, with its policy's effect (the run fails, successors are cancelled, ...).
      if (l.state == "failed" && sched_.restore_failed(t)) ++failed;
      else if (sched_.cancel(t)) ++cancelled;
    } else if (l.state == "scheduled" || l.state == "running") {
      ++expected;  // adopted when its agent comes back with it, else run again
    }
  }
  sched_.settle_restored_failures();  // after the done ones: none of those is cancelled by a failure
  log::info("restart: ", r.specs.size(), " specs, ", attempts_.size(), " tasks from the journal: ", restored_,
            " done, ", failed, " failed, ", cancelled, " cancelled, ", expected, " were running");
  add_event(now, "restarted: " + std::to_string(restored_) + " tasks done before, " + std::to_string(expected) +
                     " running when compssd stopped; waiting for the agents to come back with them");
  return {};
}

// An agent registering again lists the tasks it still runs (or ran since its daemon connection ended).
// A task the run has not finished is taken over where it runs; anything else is killed.
void Runtime::adopt_or_kill(Agent& a, const proto::RunningTask& r, double now) {
  const auto kill = [&](const std::string& why, bool quiet = false) {
    if (quiet) log::debug("task ", r.task, " (attempt ", r.attempt, ") on ", a.node, ": ", why);
    else log::info("task ", r.task, " (attempt ", r.attempt, ") on ", a.node, " is not taken over: ", why, "; killing it");
    proto::Kill k;
    k.task = r.task;
    k.attempt = r.attempt;
    k.grace_s = cfg_.kill_grace_s;
    k.reason = "not part of the run any more";
    a.endpoint->send(k);
  };
  if (r.task >= attempts_.size()) return kill("no such task");
  const TaskId t(static_cast<std::uint32_t>(r.task));
  const TaskState st = sched_.graph().state(t);
  // Final already: most often a report the agent repeats (kResendWindow) of a task the journal has; were
  // it still running, the kill stops it.
  if (scheduler::is_final(st)) return kill(std::string(scheduler::to_string(st)) + " already", true);
  // Pending: a predecessor ended too late for the journal; its `finished` follows this register.
  if (st == TaskState::kPending && (hold_ || now - held_until_ < kDeferGraceS)) {
    deferred_.push_back(Deferred{a.endpoint, r});
    return;
  }
  if (st != TaskState::kReady) return kill(std::string("it is ") + scheduler::to_string(st));
  Attempt& at = attempts_[r.task];
  if (r.attempt < at.attempts) return kill("a later attempt exists");
  scheduler::NodeSlot where;
  where.node = a.id;
  where.cores = r.cores;
  where.gpus = r.gpus;
  if (auto s = sched_.adopt(t, where, now); !s) return kill(s.error().message);
  at.attempts = static_cast<std::uint16_t>(r.attempt);
  at.node = a.id.value();
  ++adopted_;
  if (NodeLife* l = table_.life_of(a.id)) ++l->tasks_run;
  log::info("task ", task_label(t), " adopted on ", a.node, " (attempt ", r.attempt, ", pid ", r.pid, ")");
}

void Runtime::adopt_deferred(double now) {
  if (deferred_.empty()) return;
  auto waiting = std::move(deferred_);
  deferred_.clear();
  for (auto& d : waiting) {
    auto ep = d.agent.lock();
    Agent* a = ep ? agent_of(ep.get()) : nullptr;
    if (!a || !a->registered) continue;
    const TaskId t(static_cast<std::uint32_t>(d.task.task));
    // Still pending, and the re-sent reports may still come: wait on; else settled now (taken over or killed).
    const bool may_come = hold_ || now - held_until_ < kDeferGraceS;
    if (may_come && sched_.graph().state(t) == TaskState::kPending) deferred_.push_back(std::move(d));
    else adopt_or_kill(*a, d.task, now);
  }
}

}  // namespace compss::daemon
