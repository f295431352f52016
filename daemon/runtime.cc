#include "daemon/runtime.h"

#include <unistd.h>  // environ

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "common/util/log.h"

namespace compss::daemon {

using scheduler::TaskState;

Runtime::Runtime(RuntimeConfig cfg)
    : cfg_(std::move(cfg)), sched_(cfg_.sched), table_(cfg_.max_events), job_env_(proto::env_map(environ)) {}

std::string Runtime::node_name(NodeId n) const {
  if (const NodeLife* l = table_.life_of(n)) return l->name;
  return "node " + n.str();
}

std::string Runtime::task_label(TaskId t) const {
  return t.str() + " (" + std::string(sched_.graph().name(t)) + ")";
}

void Runtime::add_event(double now, std::string text) { table_.event(now, EventKind::kNote, "", std::move(text)); }

void Runtime::set_draining(NodeId node, bool draining, const std::string& why, double now) {
  NodeLife* l = table_.life_of(node);
  if (!l || (l->state != NodeState::kLive && l->state != NodeState::kDraining)) return;
  l->state = draining ? NodeState::kDraining : NodeState::kLive;
  l->drained_at = draining ? now : -1;
  l->why = draining ? why : "";
}

// The event a scheduler decision other than start and kill makes, for `compss status` and the log.
void Runtime::decision_event(const scheduler::Decision& d, double now) {
  Event e;
  e.t = now;
  if (auto* g = std::get_if<scheduler::GrowNodes>(&d)) {
    e.kind = EventKind::kGrowWanted, e.count = g->count, e.cause = g->why;
  } else if (auto* w = std::get_if<scheduler::WithdrawGrow>(&d)) {
    e.kind = EventKind::kWithdrawWanted, e.count = w->count, e.cause = w->why;
  } else if (auto* dn = std::get_if<scheduler::DrainNode>(&d)) {
    e.kind = EventKind::kDrain, e.node = node_name(dn->node), e.cause = dn->why;
    set_draining(dn->node, true, dn->why, now);
  } else if (auto* un = std::get_if<scheduler::UndrainNode>(&d)) {
    e.kind = EventKind::kUndrain, e.node = node_name(un->node), e.cause = un->why;
    set_draining(un->node, false, un->why, now);
  } else if (auto* r = std::get_if<scheduler::ReleaseNode>(&d)) {
    e.kind = EventKind::kReleaseWanted, e.node = node_name(r->node), e.cause = r->why;
  } else if (auto* q = std::get_if<scheduler::QuarantineNode>(&d)) {
    e.kind = EventKind::kQuarantine, e.node = node_name(q->node), e.cause = q->why;
    if (NodeLife* l = table_.life_of(q->node)) l->quarantined_at = now, l->why = q->why;
  } else {
    return;
  }
  table_.event(std::move(e));
}

void Runtime::output_lost(TaskId t, const std::string& node, const std::string& why, double now) {
  if (output_lost_++ > 0) return;
  first_output_lost_ = "task " + task_label(t) + " on " + node + ": " + why;
  log::error("task output not stored: ", first_output_lost_);
  add_event(now, "task output not stored (later losses are counted in the summary): " + first_output_lost_);
}

void Runtime::pump(double now) {
  last_now_ = now;
  // The scheduler's view of growth comes from the one record of the requests.
  sched_.set_nodes_coming(table_.nodes_coming());
  sched_.set_grow_hold(table_.grow_hold_until());
  sched_.set_nodes_held_unusable(table_.own_nodes_lost());
  if (table_.join_latency_s() >= 0) sched_.set_join_latency(table_.join_latency_s());
  journal_changes(now);  // the messages' changes, before starts give their tasks new attempt numbers
  decisions_.clear();
  if (!hold_) adopt_deferred(now);  // what still waits for a predecessor kDeferGraceS after the hold is killed
  if (!hold_) sched_.decide_into(now, decisions_);  // a restarted compssd waits for its agents first
  for (const auto& d : decisions_) {
    if (auto* s = std::get_if<scheduler::StartTask>(&d)) {
      start(*s, now);
    } else if (auto* k = std::get_if<scheduler::KillTask>(&d)) {
      kill(*k);
    } else {
      decision_event(d, now);
      const bool for_elastic = std::holds_alternative<scheduler::GrowNodes>(d) ||
                               std::holds_alternative<scheduler::WithdrawGrow>(d) ||
                               std::holds_alternative<scheduler::ReleaseNode>(d);
      if (elastic_ && for_elastic) elastic_->on_decision(d, now);
    }
  }
  if (sched_.held_count() != held_noted_) note_held(now);
  // Answer the waiters whose tasks are all final (or whose time is up), dropping those of gone clients.
  std::erase_if(waiters_, [&](Waiter& w) { return w.to.expired() || answer_if_ready(w, now); });
  flush_journal(now);  // one commit per pump
}

void Runtime::begin_drain(const std::string& why) {
  if (draining_) return;
  draining_ = true;
  drain_why_ = why;
  log::info("draining: ", why);
}

void Runtime::stop_now(const std::string& why) {
  begin_drain(why);
  if (!stopped_left_) {
    stopped_left_ = count_left();
    stopped_at_ = last_now_;
    stop_why_ = why;
  }
  const auto& g = sched_.graph();
  for (std::uint32_t i = 0; i < g.size(); ++i) {
    TaskId t(i);
    if (!scheduler::is_final(g.state(t))) (void)sched_.cancel(t);
  }
}

bool Runtime::finished() const {
  if (!draining_) return false;
  if (sched_.graph().all_final()) return true;
  const bool idle = sched_.count(TaskState::kRunning) == 0 && sched_.count(TaskState::kScheduled) == 0;
  // Ready tasks all held: the pending ones wait for them, and nothing that runs can release any.
  const bool only_held = sched_.held_count() > 0 && sched_.count(TaskState::kReady) == sched_.held_count();
  return idle && (sched_.stopped() || only_held);
}

void Runtime::send_stop_to_agents(std::uint32_t grace_s) {
  agents_stopped_ = true;
  for (auto& [e, a] : agents_) a.endpoint->send(proto::Stop{grace_s});
}

proto::Outcome Runtime::outcome() const {
  switch (sched_.outcome()) {
    case scheduler::Outcome::kRunning: return proto::Outcome::kRunning;
    case scheduler::Outcome::kSuccess: return proto::Outcome::kSucceeded;
    case scheduler::Outcome::kFailure: return proto::Outcome::kFailed;
  }
  return proto::Outcome::kRunning;
}

RunCounts Runtime::counts() const {
  RunCounts c;
  c.done = sched_.count(TaskState::kDone);
  c.failed = sched_.count(TaskState::kFailed);
  c.cancelled = sched_.count(TaskState::kCancelled);
  c.cached = sched_.cached_count() - restored_;  // done before a restart: done in this run, not cached
  c.total = sched_.graph().size();
  return c;
}

std::string Runtime::summary(double now) const {
  std::ostringstream os;
  const auto c = counts();
  const char* outcome_word = sched_.graph().size() == 0 ? "no tasks"
                             : outcome() == proto::Outcome::kFailed ? "FAILED"
                             : c.done + c.failed + c.cancelled == c.total ? "succeeded"
                                                                          : "unfinished";
  if (outcome() != proto::Outcome::kFailed && c.cancelled > 0 && c.done + c.failed + c.cancelled == c.total)
    outcome_word = "finished with cancelled tasks";
  os << "compss summary: job " << (cfg_.job_id.empty() ? "-" : cfg_.job_id) << ", " << outcome_word << "\n";
  os << "  tasks: " << c.total << " submitted, " << c.done << " done";
  if (c.cached) os << " (" << c.cached << " cached)";
  os << ", " << c.failed << " failed, " << c.cancelled << " cancelled";
  const std::uint64_t unfinished = c.total - c.done - c.failed - c.cancelled;
  if (unfinished) os << ", " << unfinished << " not finished";
  os << "\n";
  char wall[32];
  std::snprintf(wall, sizeof wall, "%.1f", now);
  os << "  elapsed: " << wall << " s\n";
  if (resume_)
    os << "  resumed from " << resume_->dir() << ": " << c.cached << " of " << c.total
       << " tasks cached (done there, their files unchanged), the others ran\n";
  if (journal_ && journal_note_.empty())
    os << "  journal: " << journal_->path() << "\n";
  else if (!journal_note_.empty())
    os << "  journal: " << journal_note_ << "\n";
  if (output_lost_)
    os << "  output: " << output_lost_
       << " task(s) could not store some or all of their output; the first: " << first_output_lost_ << "\n";
  // Failures with where their output is, at most 20 of them.
  int shown = 0;
  const auto& g = sched_.graph();
  for (std::uint32_t i = 0; i < g.size() && shown < 20; ++i) {
    TaskId t(i);
    if (g.state(t) != TaskState::kFailed) continue;
    ++shown;
    auto it = reasons_.find(i);
    os << "  failed: task " << task_label(t) << ": " << (it != reasons_.end() ? it->second : "failed") << "\n";
  }
  if (c.failed > 20) os << "  ... and " << c.failed - 20 << " more failed tasks\n";
  // Quarantined nodes (states.md section 5), with the scheduler's reason as its event recorded it.
  for (const Event& e : table_.history()) {
    if (e.kind != EventKind::kQuarantine) continue;
    char at[32];
    std::snprintf(at, sizeof at, "%.1f", e.t);
    os << "  quarantined: " << e.node << " at " << at << " s (" << e.cause << ")\n";
  }
  os << left_summary();
  os << "  nodes:\n";
  for (const auto& l : table_.lives()) os << "    " << life_line(l) << "\n";
  return os.str();
}

}  // namespace compss::daemon
