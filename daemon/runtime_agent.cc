// The agent side of the Runtime: nodes joining and leaving, assigns and kills out, started/finished in.
#include <algorithm>
#include <cstdio>
#include <string>

#include "common/proto/handshake.h"
#include "common/util/log.h"
#include "daemon/runtime.h"

namespace compss::daemon {

using scheduler::TaskState;

Runtime::Agent* Runtime::agent_of(const Endpoint* e) {
  auto it = agents_.find(e);
  return it == agents_.end() ? nullptr : &it->second;
}

Runtime::Agent* Runtime::agent_on(NodeId node) {
  for (auto& [e, a] : agents_)
    if (a.registered && a.id == node) return &a;
  return nullptr;
}

void Runtime::on_agent(const std::shared_ptr<Endpoint>& from, proto::Message&& m, double now) {
  if (auto* r = std::get_if<proto::Register>(&m)) return agent_register(from, std::move(*r), now);
  Agent* a = agent_of(from.get());
  if (!a || !a->registered) {
    from->send(proto::ErrorMessage{0, proto::ErrorCode::kUnexpected,
                                   "the first message of an agent must be 'register', got '" +
                                       std::string(proto::type_name(m)) + "'"});
    return;
  }
  a->last_heard = now;
  if (std::holds_alternative<proto::Heartbeat>(m)) return;
  if (auto* s = std::get_if<proto::Started>(&m)) {
    if (s->task >= attempts_.size()) return;
    TaskId t(static_cast<std::uint32_t>(s->task));
    if (attempts_[s->task].attempts != s->attempt) return;  // a report of an attempt that is gone
    if (auto st = sched_.task_started(t, now); !st) log::debug("started: ", st.error().message);
    return;
  }
  if (auto* f = std::get_if<proto::Finished>(&m)) {
    agent_finished(*a, *f, now);
    adopt_deferred(now);  // a restart's taken-over task may have waited for this one
    return;
  }
  from->send(proto::ErrorMessage{0, proto::ErrorCode::kUnexpected,
                                 "an agent may not send '" + std::string(proto::type_name(m)) + "'"});
}

void Runtime::agent_register(const std::shared_ptr<Endpoint>& from, proto::Register&& m, double now) {
  if (agent_of(from.get())) {
    from->send(proto::ErrorMessage{0, proto::ErrorCode::kUnexpected, "this agent has registered already"});
    return;
  }
  if (m.cores.empty()) {
    from->send(proto::ErrorMessage{0, proto::ErrorCode::kInvalid, "register: the node offers no core"});
    return;
  }
  scheduler::NodeDesc d;
  d.name = m.node;
  d.cores = m.cores;
  d.memory = m.memory;
  for (const auto& g : m.gpus) d.gpus.push_back(scheduler::Gpu{g.id, g.close_cores});
  for (const auto& c : m.custom) d.custom.emplace_back(c.name, c.amount);
  // A node has one agent. A second one for a node whose agent is still connected is refused: taking
  // it would re-run the first one's tasks while they still run (its connection closing, or falling
  // silent, is what makes a node lost; then a new agent may register).
  for (auto& [e, other] : agents_) {
    if (other.registered && other.node == m.node) {
      const std::string why = "register: node " + m.node + " has a live agent already; a second one is refused";
      table_.event(now, EventKind::kNote, m.node, why);
      from->send(proto::ErrorMessage{0, proto::ErrorCode::kInvalid, why});
      return;
    }
  }
  // Only a node that came whole from a grow request may be given back; the job's own nodes (and an
  // agent that came back by itself) stay.
  const NodeLife* before = table_.latest(m.node);
  const bool granted = before && before->state == NodeState::kStarting && before->request != 0;
  d.allocation = before ? before->helper_job : 0;  // helper mode: a step over it must stay in its job
  NodeId id = sched_.node_joined(std::move(d), now, granted);
  const NodeLife& life = table_.node_registered(m.node, id, static_cast<std::uint32_t>(m.cores.size()), now);
  Agent& me = agents_[from.get()] = Agent{from, m.node, id, now, true};
  // An agent whose daemon connection ended without a `lost` error (a compssd restarted in this job)
  // comes back with the tasks it kept running: taken over where they run, or killed.
  const std::uint64_t adopted_before = adopted_;
  for (const auto& r : m.running) adopt_or_kill(me, r, now);
  if (!m.running.empty())
    table_.event(now, EventKind::kNote, m.node,
                 "came back with " + std::to_string(m.running.size()) + " task(s); " +
                     std::to_string(adopted_ - adopted_before) + " taken over");
  table_.event(now, EventKind::kJoined, m.node,
               std::to_string(m.cores.size()) + " cores" +
                   (m.gpus.empty() ? "" : ", " + std::to_string(m.gpus.size()) + " GPUs") +
                   (m.numa.empty() ? "" : " (" + m.numa + ")"));
  if (life.request != 0) {
    char text[96];
    std::snprintf(text, sizeof text, "%.2f s after grow request %u (join latency now %.2f s)",
                  table_.join_samples().back(), life.request, table_.join_latency_s());
    Event e;
    e.t = now;
    e.kind = EventKind::kNodeReady;
    e.node = m.node;
    e.request = life.request;
    e.cause = text;
    table_.event(std::move(e));
  }
}

bool Runtime::release_agent(NodeId node, std::uint32_t grace_s) {
  Agent* a = agent_on(node);
  if (!a) return false;
  // The scheduler forgot the node already: from now on the agent's leaving is expected, not a loss. The
  // node's life is the elasticity side's to move on (stopping -> releasing -> released).
  a->registered = false;
  a->endpoint->send(proto::Stop{grace_s});
  return true;
}

void Runtime::start(const scheduler::StartTask& s, double now) {
  const auto& slot = s.placement.slots.front();
  Agent* a = agent_on(slot.node);
  const std::uint32_t ti = s.task.value();
  // Every run gets a new attempt number (protocol: +1 per re-run), including re-runs after a lost node,
  // which the scheduler does not count as failures.
  const std::uint32_t attempt = attempts_[ti].attempts + 1u;
  attempts_[ti].attempts = static_cast<std::uint16_t>(attempt);
  attempts_[ti].node = slot.node.value();
  std::string where = sched_.binding_text(s.placement);
  auto [b, added] = binding_ids_.try_emplace(std::move(where), static_cast<std::uint32_t>(bindings_.size()));
  if (added) bindings_.push_back(b->first);
  attempts_[ti].binding = b->second;
  if (!a) {  // the node vanished between the decision and now: report it lost, the task is requeued
    log::warn("no agent for ", node_name(slot.node), " to start task ", task_label(s.task));
    (void)sched_.node_lost(slot.node, now);
    return;
  }
  const Launch& l = launches_[launch_of_[ti]];
  proto::Assign m;
  m.task = ti;
  m.attempt = attempt;
  m.name = std::string(sched_.graph().name(s.task));
  m.cwd = l.cwd;
  m.env = l.env;
  m.env_unset = l.env_unset;
  m.cores = slot.cores;
  m.gpus = slot.gpus;
  m.memory = slot.memory;
  if (l.mpi) {
    // One SLURM step over the task's nodes, run by this (its first node's) agent; each rank binds itself
    // to its own cores there (daemon/agent/rank.h).
    proto::MpiLaunch mpi;
    mpi.ranks = 0;
    for (const auto& ns : s.placement.slots) {
      mpi.ranks += ns.ranks;
      mpi.slots.push_back(proto::MpiSlot{node_name(ns.node), ns.ranks, ns.cores, ns.gpus});
    }
    m.mpi = std::move(mpi);
    if (s.placement.slots.size() > 1) steps_running_.push_back(s.task);
  }
  if (l.array) {
    const auto index = sched_.graph().index(s.task);
    m.argv.reserve(l.argv.size());
    for (const auto& arg : l.argv) m.argv.push_back(scheduler::substitute_index(arg, index));
    m.env.push_back("COMPSS_ARRAY_INDEX=" + std::to_string(index));
  } else {
    m.argv = l.argv;
  }
  if (NodeLife* l = table_.life_of(slot.node)) ++l->tasks_run;
  ++assigns_sent_;
  a->endpoint->send(m);
}

void Runtime::kill(const scheduler::KillTask& k) {
  const Attempt& at = attempts_[k.task.value()];
  if (at.node == UINT32_MAX) return;
  Agent* a = agent_on(NodeId(at.node));
  if (!a) return;  // its node is gone: node_lost() settles the task
  proto::Kill m;
  m.task = k.task.value();
  m.attempt = at.attempts;
  m.grace_s = cfg_.kill_grace_s;
  m.reason = scheduler::to_string(k.reason);
  a->endpoint->send(m);
}

namespace {

scheduler::TaskExit exit_of(const proto::Finished& f) {
  using proto::FinishCause;
  switch (f.cause) {
    case FinishCause::kExited:
      return f.exit_code.value_or(1) == 0 ? scheduler::TaskExit::ok() : scheduler::TaskExit::error(*f.exit_code);
    case FinishCause::kSignaled: return scheduler::TaskExit::killed(static_cast<int>(f.signal));
    case FinishCause::kKilled: return scheduler::TaskExit::killed(static_cast<int>(f.signal ? f.signal : 15));
    case FinishCause::kOom: return scheduler::TaskExit::out_of_memory();
    case FinishCause::kTimeout: return scheduler::TaskExit::error(124);
    case FinishCause::kLaunchError: return scheduler::TaskExit::error(f.exit_code.value_or(127));
  }
  return scheduler::TaskExit::error(1);
}

std::string describe_exit(const proto::Finished& f) {
  switch (f.cause) {
    case proto::FinishCause::kExited: return "exit code " + std::to_string(f.exit_code.value_or(-1));
    case proto::FinishCause::kSignaled: return "killed by signal " + std::to_string(f.signal);
    case proto::FinishCause::kKilled: return "killed on request";
    case proto::FinishCause::kOom: return "out of memory";
    case proto::FinishCause::kTimeout: return "timed out";
    case proto::FinishCause::kLaunchError: return "could not start: " + f.reason;
  }
  return "failed";
}

}  // namespace

void Runtime::agent_finished(Agent& a, const proto::Finished& f, double now) {
  if (f.task >= attempts_.size()) return;
  const auto ti = static_cast<std::uint32_t>(f.task);
  Attempt& at = attempts_[ti];
  if (at.attempts != f.attempt || at.node != a.id.value()) return;  // a stale report
  at.exit_code = f.exit_code.value_or(-1);
  at.signal = static_cast<std::uint16_t>(f.signal);
  if (!steps_running_.empty()) std::erase(steps_running_, TaskId(ti));
  if (!f.output_lost.empty()) output_lost(TaskId(ti), a.node, f.output_lost, now);
  const auto exit = exit_of(f);
  if (exit.kind != scheduler::TaskExit::Kind::kOk) {
    std::string why = describe_exit(f) + " on " + a.node + " (attempt " + std::to_string(f.attempt) + ")";
    // An MPI step's agent names the rank that ended it ("rank 1 on n2: exited with exit code 3").
    if (launches_[launch_of_[ti]].mpi && !f.reason.empty() && f.cause != proto::FinishCause::kLaunchError)
      why += ": " + f.reason;
    if (f.output) why += ", output: " + f.output->file + (f.output->offset ? "@" + std::to_string(f.output->offset) : "");
    reasons_[ti] = std::move(why);
  }
  if (auto s = sched_.task_finished(TaskId(ti), exit, now); !s) log::warn("finished: ", s.error().message);
  journal_changes(now, &f);  // now, while the report is at hand: its exit code goes on the row
  if (sched_.graph().state(TaskId(ti)) == TaskState::kFailed) {
    Event e;
    e.t = now;
    e.kind = EventKind::kTaskFailed;
    e.node = a.node;
    e.task = ti;
    e.cause = std::string(sched_.graph().name(TaskId(ti))) + ": " + reasons_[ti];
    table_.event(std::move(e));
  }
}

void Runtime::node_lost(Agent& a, const std::string& why, double now) {
  if (!a.registered) return;
  a.registered = false;
  if (NodeLife* l = table_.life_of(a.id)) {
    l->state = NodeState::kLost;
    l->left_at = now;
    l->why = why;
  }
  table_.event(now, EventKind::kLost, a.node, why);
  // An MPI step that spans the lost node runs on from its first node's agent: it is killed there (its
  // report then answers an attempt that is over), and the task runs again like any lost one.
  std::erase_if(steps_running_, [&](TaskId t) {
    const auto* p = sched_.placement(t);
    if (!p) return true;
    const bool spans = std::any_of(p->slots.begin(), p->slots.end(), [&](const auto& ns) { return ns.node == a.id; });
    if (!spans || p->slots.front().node == a.id) return false;
    log::info("task ", task_label(t), ": its MPI step lost ", a.node, "; killing the step");
    if (Agent* first = agent_on(p->slots.front().node)) {
      proto::Kill k;
      k.task = t.value();
      k.attempt = attempts_[t.value()].attempts;
      k.grace_s = cfg_.kill_grace_s;
      k.reason = "node " + a.node + " of its MPI step was lost";
      first->endpoint->send(k);
    }
    return true;
  });
  if (auto s = sched_.node_lost(a.id, now); !s) log::warn("node_lost: ", s.error().message);
}

void Runtime::agent_gone(const Endpoint* from, const std::string& why, double now) {
  auto it = agents_.find(from);
  if (it == agents_.end()) return;
  Agent& a = it->second;
  if (agents_stopped_) {
    NodeLife* l = table_.life_of(a.id);
    if (l && (l->state == NodeState::kLive || l->state == NodeState::kDraining)) {
      l->state = NodeState::kEnded;
      l->left_at = now;
      l->why = "stopped at the end of the run";
    }
  } else {
    node_lost(a, "agent connection " + why, now);
  }
  NodeLife* l = table_.life_of(a.id);
  agents_.erase(it);
  if (l && elastic_) elastic_->node_left(*l, agents_stopped_, now);
}

// A silent agent's node is lost and its tasks run elsewhere; its connection is closed too, so that the
// agent, if it was only stalled (SIGSTOP, a suspended job, a hung write), kills its tasks when it wakes
// instead of finishing them beside their re-runs.
void Runtime::check_heartbeats(double now) {
  if (cfg_.heartbeat_s == 0) return;
  const double limit = 3.0 * cfg_.heartbeat_s;
  std::vector<std::shared_ptr<Endpoint>> silent;
  for (auto& [e, a] : agents_) {
    if (!a.registered || now - a.last_heard <= limit) continue;
    const std::string why = "no heartbeat for " + std::to_string(static_cast<int>(now - a.last_heard)) + " s";
    node_lost(a, why, now);
    silent.push_back(a.endpoint);
  }
  // The `lost` error, then the close, tell the agent (when it runs again) to kill its tasks and register
  // anew: without the error it would keep them for a restarted daemon to take over. The endpoint's record
  // goes now, with whatever the node's loss means for elasticity (a grown node is given back).
  for (const auto& e : silent) {
    e->send(proto::ErrorMessage{0, proto::ErrorCode::kInvalid, std::string(proto::kLostPrefix) + " no heartbeat"});
    e->close_after_flush("lost: no heartbeat");
    agent_gone(e.get(), "lost: no heartbeat", now);  // a no-op when close() reported it already
  }
}

}  // namespace compss::daemon
