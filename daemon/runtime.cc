#include "daemon/runtime.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "common/util/log.h"

namespace compss::daemon {

using scheduler::TaskState;

Runtime::Runtime(RuntimeConfig cfg) : cfg_(std::move(cfg)), sched_(cfg_.sched) {}

std::string Runtime::node_name(NodeId n) const {
  if (n.valid() && n.value() < nodes_.size()) return nodes_[n.value()].name;
  return "node " + n.str();
}

std::string Runtime::task_label(TaskId t) const {
  return t.str() + " (" + std::string(sched_.graph().name(t)) + ")";
}

void Runtime::add_event(double now, std::string text) {
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "%.1fs ", now);
  log::info(text);
  events_.push_back(stamp + text);
  while (events_.size() > cfg_.max_events) events_.pop_front();
}

void Runtime::pump(double now) {
  decisions_.clear();
  sched_.decide_into(now, decisions_);
  for (const auto& d : decisions_) {
    if (auto* s = std::get_if<scheduler::StartTask>(&d)) {
      start(*s, now);
    } else if (auto* k = std::get_if<scheduler::KillTask>(&d)) {
      kill(*k);
    } else if (auto* g = std::get_if<scheduler::GrowNodes>(&d)) {
      add_event(now, "grow " + std::to_string(g->count) + " node(s) wanted: " + g->why);
      if (cfg_.on_elastic) cfg_.on_elastic(d);
    } else if (auto* w = std::get_if<scheduler::WithdrawGrow>(&d)) {
      add_event(now, "withdraw " + std::to_string(w->count) + " grow request(s): " + w->why);
      if (cfg_.on_elastic) cfg_.on_elastic(d);
    } else if (auto* dn = std::get_if<scheduler::DrainNode>(&d)) {
      add_event(now, "drain " + node_name(dn->node) + ": " + dn->why);
      if (cfg_.on_elastic) cfg_.on_elastic(d);
    } else if (auto* un = std::get_if<scheduler::UndrainNode>(&d)) {
      add_event(now, "undrain " + node_name(un->node) + ": " + un->why);
      if (cfg_.on_elastic) cfg_.on_elastic(d);
    } else if (auto* r = std::get_if<scheduler::ReleaseNode>(&d)) {
      add_event(now, "release " + node_name(r->node) + ": " + r->why);
      if (cfg_.on_elastic) cfg_.on_elastic(d);
    } else if (auto* sn = std::get_if<scheduler::SuspectNode>(&d)) {
      add_event(now, "suspect " + node_name(sn->node) + ": " + sn->why);
    }
  }
  // Answer the waiters whose tasks are all final (or whose time is up), dropping those of gone clients.
  std::erase_if(waiters_, [&](Waiter& w) { return w.to.expired() || answer_if_ready(w, now); });
}

void Runtime::begin_drain(const std::string& why) {
  if (draining_) return;
  draining_ = true;
  drain_why_ = why;
  log::info("draining: ", why);
}

void Runtime::stop_now(const std::string& why) {
  begin_drain(why);
  const auto& g = sched_.graph();
  for (std::uint32_t i = 0; i < g.size(); ++i) {
    TaskId t(i);
    if (!scheduler::is_final(g.state(t))) (void)sched_.cancel(t);
  }
}

bool Runtime::finished() const {
  if (!draining_) return false;
  return sched_.graph().all_final() || (sched_.stopped() && sched_.count(TaskState::kRunning) == 0 &&
                                        sched_.count(TaskState::kScheduled) == 0);
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
  os << "  tasks: " << c.total << " submitted, " << c.done << " done, " << c.failed << " failed, " << c.cancelled
     << " cancelled";
  const std::uint64_t unfinished = c.total - c.done - c.failed - c.cancelled;
  if (unfinished) os << ", " << unfinished << " not finished";
  os << "\n";
  char wall[32];
  std::snprintf(wall, sizeof wall, "%.1f", now);
  os << "  elapsed: " << wall << " s\n";
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
  os << "  nodes:\n";
  for (const auto& n : nodes_) {
    char left[48] = "until the end";
    if (n.left >= 0) std::snprintf(left, sizeof left, "left %.1f s", n.left);
    char line[200];
    std::snprintf(line, sizeof line, "    %-10s %3u cores  joined %7.1f s  %-16s %llu task runs", n.name.c_str(),
                  n.cores, n.joined, left, static_cast<unsigned long long>(n.tasks_run));
    os << line;
    if (n.left >= 0 && !n.left_why.empty()) os << " (" << n.left_why << ")";
    os << "\n";
  }
  return os.str();
}

}  // namespace compss::daemon
