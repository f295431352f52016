// The client side of the Runtime: submit, wait, status, query, cancel, explain, shutdown.
#include <algorithm>
#include <limits>
#include <string>

#include "common/proto/codec.h"
#include "common/util/log.h"
#include "common/util/parse.h"
#include "daemon/runtime.h"

namespace compss::daemon {

using scheduler::TaskState;
namespace {

proto::ErrorMessage refuse(std::uint64_t rid, proto::ErrorCode code, std::string message) {
  return proto::ErrorMessage{rid, code, std::move(message)};
}

scheduler::FailurePolicy policy_of(proto::OnFailure f) {
  switch (f) {
    case proto::OnFailure::kRetry: return scheduler::FailurePolicy::kRetry;
    case proto::OnFailure::kCancelSuccessors: return scheduler::FailurePolicy::kCancelSuccessors;
    case proto::OnFailure::kFail: return scheduler::FailurePolicy::kFail;
    case proto::OnFailure::kIgnore: return scheduler::FailurePolicy::kIgnore;
  }
  return scheduler::FailurePolicy::kRetry;
}

proto::TaskState state_of(TaskState s) {
  return static_cast<proto::TaskState>(static_cast<int>(s));  // same order, states.md
}

proto::NodeState node_state_of(NodeState s) {
  switch (s) {
    case NodeState::kStarting: return proto::NodeState::kJoining;
    case NodeState::kLive: return proto::NodeState::kUp;
    case NodeState::kDraining: return proto::NodeState::kDraining;
    case NodeState::kStopping: return proto::NodeState::kStopping;
    case NodeState::kReleasing: return proto::NodeState::kReleasing;
    case NodeState::kReleased: return proto::NodeState::kReleased;
    case NodeState::kLost: return proto::NodeState::kLost;
    case NodeState::kEnded: return proto::NodeState::kEnded;
  }
  return proto::NodeState::kUp;
}

}  // namespace

void Runtime::on_client(const std::shared_ptr<Endpoint>& from, proto::Message&& m, double now) {
  if (auto* s = std::get_if<proto::Submit>(&m)) return submit(*from, std::move(*s), now);
  if (auto* w = std::get_if<proto::Wait>(&m)) return wait(from, std::move(*w), now);
  if (auto* st = std::get_if<proto::StatusQuery>(&m)) return status(*from, *st);
  if (auto* q = std::get_if<proto::Query>(&m)) return query(*from, *q);
  if (auto* c = std::get_if<proto::Cancel>(&m)) return cancel(*from, *c, now);
  if (auto* e = std::get_if<proto::Explain>(&m)) return explain(*from, *e);
  if (auto* sd = std::get_if<proto::Shutdown>(&m)) return shutdown(*from, *sd, now);
  if (auto* rs = std::get_if<proto::Resize>(&m)) return resize(*from, *rs, now);
  from->send(refuse(0, proto::ErrorCode::kUnexpected,
                    "a client may not send '" + std::string(proto::type_name(m)) + "'"));
}

void Runtime::client_gone(const Endpoint* from) {
  std::erase_if(waiters_, [&](const Waiter& w) {
    auto p = w.to.lock();
    return !p || p.get() == from;
  });
}

Result<scheduler::TaskSpec> Runtime::to_sched_spec(const proto::TaskSpec& t) const {
  if ((t.ranks > 1 || t.nodes > 1) && !t.mpi)
    return fail("several ranks or nodes are for an MPI program: add --mpi (one program over all its ranks)");
  if (t.ranks == 0) return fail("an MPI task needs at least one rank");
  if (t.mpi && t.nodes > t.ranks)
    return fail("--nodes ", std::to_string(t.nodes), " is more than --ranks ", std::to_string(t.ranks),
                ": every node of an MPI task runs at least one rank");
  scheduler::TaskSpec s;
  s.command = join(t.argv, " ");
  s.name = t.name.empty() ? scheduler::default_task_name(t.argv.empty() ? "" : t.argv[0]) : t.name;
  for (const auto& p : t.in) s.accesses.push_back({p, scheduler::AccessMode::kIn});
  for (const auto& p : t.out) s.accesses.push_back({p, scheduler::AccessMode::kOut});
  for (const auto& p : t.inout) s.accesses.push_back({p, scheduler::AccessMode::kInout});
  for (auto a : t.after) {
    if (a >= sched_.graph().size()) return fail("--after ", std::to_string(a), ": no task has this id");
    s.after.push_back(TaskId(static_cast<std::uint32_t>(a)));
  }
  s.request.cpus = t.cpus;
  s.request.memory = t.memory;
  s.request.gpus = t.gpus;
  s.request.nodes = t.nodes;
  s.request.ranks = t.ranks;
  s.request.ranks_per_node = t.ranks_per_node;
  s.request.mpi = t.mpi;
  for (const auto& c : t.custom) s.request.custom.emplace_back(c.name, c.amount);
  s.on_failure = policy_of(t.on_failure);
  s.retries = t.retries ? static_cast<int>(*t.retries) : -1;
  s.timeout_s = t.timeout_s;
  s.time_limit_s = t.time_limit_s;
  s.priority = t.priority;
  if (t.group) s.group = *t.group;
  return s;
}

// All or nothing: every task is checked before any is added (spec 4.2).
Status Runtime::check_submit(const proto::Submit& m) const {
  if (draining_) return fail("the runtime is shutting down and takes no new tasks");
  // Everything the scheduler would refuse is refused here, before any task is added: a submit is all or
  // nothing (`ahead`: the tasks of this submit that come before).
  std::uint64_t ahead = 0;
  for (std::size_t i = 0; i < m.tasks.size(); ++i) {
    const auto& t = m.tasks[i];
    std::string where = "task " + std::to_string(i) + (t.name.empty() ? "" : " (" + t.name + ")") + ": ";
    auto spec = to_sched_spec(t);
    if (!spec) return fail(where, spec.error().message);
    if (sched_.pool().node_count() > 0) {
      if (auto s = sched_.pool().check_request(spec->request); !s) return fail(where, s.error().message);
    }
    if (t.array && (t.array->step == 0 || t.array->first > t.array->last || t.array->last > INT32_MAX))
      return fail(where, "bad array ", std::to_string(t.array->first), "-", std::to_string(t.array->last), ":",
                  std::to_string(t.array->step));
    if (auto s = sched_.graph().check(*spec, sched_.config().default_retries, ahead); !s)
      return fail(where, s.error().message);
    ahead += t.array ? (t.array->last - t.array->first) / t.array->step + 1 : 1;
  }
  if (sched_.graph().size() + ahead >= std::numeric_limits<std::uint32_t>::max() - 1)
    return fail("too many tasks: this submit would bring the run to ", std::to_string(sched_.graph().size() + ahead));
  return {};
}

void Runtime::submit(Endpoint& to, proto::Submit&& m, double now) {
  if (auto s = check_submit(m); !s) {
    to.send(refuse(m.rid, draining_ ? proto::ErrorCode::kShuttingDown : proto::ErrorCode::kInvalid,
                   s.error().message));
    return;
  }
  const std::uint64_t rid = m.rid;
  // The same submit again (its client lost the answer: compssd restarted meanwhile): the ids it got.
  if (!m.key.empty()) {
    if (auto it = submit_keys_.find(m.key); it != submit_keys_.end()) {
      to.send(proto::Submitted{rid, proto::compact(it->second)});
      return;
    }
  }
  auto ids = add_tasks(std::move(m), now);
  if (!ids) {
    to.send(refuse(rid, proto::ErrorCode::kInvalid, ids.error().message));
    return;
  }
  // Committed before the ids go out: a compssd restarted in this job knows every id a client was given.
  if (journal_writing()) {
    journal_changes(now);
    if (Status s = journal_->commit(); !s) journal_stopped(now, s.error().message);
  }
  to.send(proto::Submitted{rid, proto::compact(*ids)});
}

Result<std::vector<std::uint64_t>> Runtime::add_tasks(proto::Submit&& m, double now) {
  std::vector<std::uint64_t> ids;
  std::vector<std::uint8_t> msg;
  const std::string key = m.key;
  for (auto& t : m.tasks) {
    proto::resolve_export(t, job_env_);  // kept and journaled as what differs from the job's environment
    auto spec = to_sched_spec(t);
    if (!spec) return spec.error();
    // The spec as submitted, for a restart to submit again (journal.md, table submits).
    if (journal_writing()) msg = proto::encode_payload(proto::Submit{0, {t}, key});
    const auto launch = static_cast<std::uint32_t>(launches_.size());
    const std::size_t before = ids.size();
    if (t.array) {
      auto r = sched_.submit_array(*spec, static_cast<std::int64_t>(t.array->first),
                                   static_cast<std::int64_t>(t.array->last), static_cast<std::int64_t>(t.array->step));
      if (!r) return r.error();  // earlier tasks of this submit stay: the checks make this a scheduler fault
      for (std::uint32_t i = 0; i < r->count; ++i) ids.push_back(r->at(i).value());
    } else {
      auto r = sched_.submit(*spec);
      if (!r) return r.error();
      ids.push_back(r->value());
    }
    launches_.push_back(
        Launch{std::move(t.argv), std::move(t.cwd), std::move(t.env), std::move(t.env_unset), t.array.has_value(), t.mpi});
    launch_of_.resize(sched_.graph().size(), launch);
    attempts_.resize(sched_.graph().size());
    submitted(launch, t, t.after, TaskId(static_cast<std::uint32_t>(ids[before])),
              static_cast<std::uint32_t>(ids.size() - before), now, journal_writing() ? &msg : nullptr);
  }
  if (!key.empty()) {
    auto& known = submit_keys_[key];
    known.insert(known.end(), ids.begin(), ids.end());  // a restart adds a submit's specs one by one
  }
  return ids;
}

Result<std::vector<TaskId>> Runtime::resolve_ids(const proto::IdList& ids) const {
  const std::uint64_t n = sched_.graph().size();
  if (proto::count(ids) > n) return fail("more task ids asked for than tasks exist (", std::to_string(n), ")");
  auto all = proto::expand(ids, n);
  if (!all) return all.error();
  std::vector<TaskId> out;
  out.reserve(all->size());
  for (auto id : *all) {
    if (id >= n) return fail("task ", std::to_string(id), " does not exist");
    out.push_back(TaskId(static_cast<std::uint32_t>(id)));
  }
  return out;
}

void Runtime::wait(const std::shared_ptr<Endpoint>& to, proto::Wait&& m, double now) {
  Waiter w;
  w.to = to;
  w.rid = m.rid;
  w.deadline = m.timeout_s ? now + m.timeout_s : 0;
  if (m.all) {
    w.kind = Waiter::Kind::kAll;
  } else if (m.group) {
    w.kind = Waiter::Kind::kGroup;
    w.group = sched_.find_group(*m.group);
    if (!w.group.valid()) {
      to->send(refuse(m.rid, proto::ErrorCode::kNotFound, "no task group '" + *m.group + "'"));
      return;
    }
  } else {
    auto ids = resolve_ids(m.ids);
    if (!ids) {
      to->send(refuse(m.rid, proto::ErrorCode::kNotFound, ids.error().message));
      return;
    }
    w.ids = std::move(*ids);
  }
  if (!answer_if_ready(w, now)) waiters_.push_back(std::move(w));
}

proto::TaskIssue Runtime::issue(TaskId t) const {
  proto::TaskIssue i{t.value(), std::string(sched_.graph().name(t)), ""};
  auto it = reasons_.find(t.value());
  i.reason = it != reasons_.end() ? it->second : scheduler::to_string(sched_.graph().cause(t));
  return i;
}

// Answers `w` when its tasks are all final or its deadline passed; true when answered.
bool Runtime::answer_if_ready(Waiter& w, double now) {
  const auto& g = sched_.graph();
  bool all_final = false;
  switch (w.kind) {
    case Waiter::Kind::kAll: all_final = g.all_final(); break;
    case Waiter::Kind::kGroup: all_final = sched_.group_status(w.group).all_final; break;
    case Waiter::Kind::kIds: all_final = sched_.wait_status(w.ids).all_final; break;
  }
  const bool timed_out = !all_final && w.deadline > 0 && now >= w.deadline;
  if (!all_final && !timed_out) return false;
  auto to = w.to.lock();
  if (!to) return true;
  proto::WaitResult r;
  r.rid = w.rid;
  r.timed_out = timed_out;
  auto visit = [&](TaskId t) {
    switch (g.state(t)) {
      case TaskState::kDone: ++r.done; break;
      case TaskState::kFailed: r.failed.push_back(issue(t)); break;
      case TaskState::kCancelled: r.cancelled.push_back(issue(t)); break;
      default: ++r.pending; break;
    }
  };
  if (w.kind == Waiter::Kind::kIds) {
    for (TaskId t : w.ids) visit(t);
  } else {
    for (std::uint32_t i = 0; i < g.size(); ++i)
      if (w.kind == Waiter::Kind::kAll || g.group(TaskId(i)) == w.group) visit(TaskId(i));
  }
  to->send(r);
  return true;
}

void Runtime::status(Endpoint& to, const proto::StatusQuery& m) const {
  proto::StatusResult r;
  r.rid = m.rid;
  r.counts.pending = sched_.count(TaskState::kPending);
  r.counts.ready = sched_.count(TaskState::kReady);
  r.counts.scheduled = sched_.count(TaskState::kScheduled);
  r.counts.running = sched_.count(TaskState::kRunning);
  r.counts.done = sched_.count(TaskState::kDone);
  r.counts.failed = sched_.count(TaskState::kFailed);
  r.counts.cancelled = sched_.count(TaskState::kCancelled);
  r.counts.cached = sched_.cached_count() - restored_;  // a restart's done tasks were run by this run
  r.counts.held = sched_.held_count();
  for (const NodeLife& l : table_.lives()) {
    proto::NodeInfo ni;
    ni.name = l.name;
    ni.state = node_state_of(l.state);
    ni.cores = l.cores;
    if (holds(l.state) && l.id.valid() && sched_.pool().is_live(l.id)) ni.busy = l.cores - sched_.pool().free_cores(l.id);
    ni.request = l.request;
    ni.helper_job = l.helper_job;
    ni.granted = l.granted_at;
    ni.joined = l.joined_at;
    ni.drained = l.drained_at;
    ni.left = l.left_at;
    ni.tasks_run = l.tasks_run;
    ni.why = l.why;
    ni.cpus = l.cpus;
    ni.quarantined = l.quarantined_at;
    r.nodes.push_back(std::move(ni));
  }
  for (const Event& e : table_.recent()) {
    proto::EventRecord er;
    er.t = e.t;
    er.kind = to_string(e.kind);
    er.node = e.node;
    er.task = e.task;
    er.request = e.request;
    er.count = e.count;
    er.cause = e.cause;
    er.text = describe(e);
    r.events.push_back(std::move(er));
  }
  r.outcome = outcome();
  to.send(r);
}

proto::TaskInfo Runtime::info(TaskId t) const {
  const auto& g = sched_.graph();
  proto::TaskInfo i;
  i.id = t.value();
  i.name = std::string(g.name(t));
  i.state = state_of(g.state(t));
  const Attempt& a = attempts_[t.value()];
  if (a.node != UINT32_MAX) i.node = node_name(NodeId(a.node));
  if (a.exit_code >= 0) i.exit_code = a.exit_code;
  i.signal = a.signal;
  i.attempts = a.attempts;
  i.cached = g.has_flag(t, scheduler::TaskGraph::kCached);
  auto it = reasons_.find(t.value());
  if (it != reasons_.end()) i.reason = it->second;
  else if (g.cause(t) != scheduler::FailureCause::kNone) i.reason = scheduler::to_string(g.cause(t));
  if (auto c = cached_from_.find(t.value()); c != cached_from_.end() && resume_)
    i.reason = "cached: done as task " + std::to_string(c->second) + " of " + resume_->dir();
  if (g.has_flag(t, scheduler::TaskGraph::kHeld))
    if (auto e = sched_.explain(t); e && !e->reasons.empty()) i.reason = e->reasons.front().text;
  return i;
}

void Runtime::query(Endpoint& to, const proto::Query& m) const {
  auto ids = resolve_ids(m.ids);
  if (!ids) {
    to.send(refuse(m.rid, proto::ErrorCode::kNotFound, ids.error().message));
    return;
  }
  proto::QueryResult r;
  r.rid = m.rid;
  for (TaskId t : *ids) r.tasks.push_back(info(t));
  to.send(r);
}

void Runtime::cancel(Endpoint& to, const proto::Cancel& m, double now) {
  // Running tasks become cancelled when their kill is reported: count the kills this request adds, not
  // those asked for earlier and not reported yet.
  const auto& g = sched_.graph();
  auto kills = [&] {
    std::uint64_t n = 0;
    for (std::uint32_t i = 0; i < g.size(); ++i) n += g.has_flag(TaskId(i), scheduler::TaskGraph::kKillRequested);
    return n;
  };
  const std::uint64_t cancelled_before = sched_.count(TaskState::kCancelled), kills_before = kills();
  if (m.group) {
    GroupId g = sched_.find_group(*m.group);
    if (!g.valid()) {
      to.send(refuse(m.rid, proto::ErrorCode::kNotFound, "no task group '" + *m.group + "'"));
      return;
    }
    (void)sched_.cancel_group(g);
    add_event(now, "group " + *m.group + " cancelled by request");
  } else {
    auto ids = resolve_ids(m.ids);
    if (!ids) {
      to.send(refuse(m.rid, proto::ErrorCode::kNotFound, ids.error().message));
      return;
    }
    for (TaskId t : *ids)
      if (!scheduler::is_final(sched_.graph().state(t))) (void)sched_.cancel(t);
  }
  to.send(proto::Cancelled{m.rid, sched_.count(TaskState::kCancelled) - cancelled_before + kills() - kills_before});
}

void Runtime::explain(Endpoint& to, const proto::Explain& m) const {
  if (m.id >= sched_.graph().size()) {
    to.send(refuse(m.rid, proto::ErrorCode::kNotFound, "task " + std::to_string(m.id) + " does not exist"));
    return;
  }
  auto e = sched_.explain(TaskId(static_cast<std::uint32_t>(m.id)));
  if (!e) {
    to.send(refuse(m.rid, proto::ErrorCode::kInternal, e.error().message));
    return;
  }
  proto::Explanation r;
  r.rid = m.rid;
  r.id = m.id;
  r.text = e->to_string();
  for (const auto& reason : e->reasons) {
    std::string item = reason.text.empty() ? scheduler::to_string(reason.why) : reason.text;
    if (reason.node.valid()) item += " (node " + node_name(reason.node) + ")";
    r.items.push_back(std::move(item));
  }
  // Where it ran (the last attempt's exact binding), once it no longer runs.
  const auto state = e->state;
  if (const Attempt& at = attempts_[m.id]; at.binding != 0 && state != scheduler::TaskState::kRunning &&
                                              state != scheduler::TaskState::kScheduled)
    r.items.push_back((at.attempts > 1 || state != scheduler::TaskState::kDone ? "last attempt ran on "
                                                                                : "ran on ") +
                      bindings_[at.binding]);
  // How its last attempt ended, as the agent told it (an MPI step: the rank that ended it, and where).
  if (e->state == scheduler::TaskState::kFailed)
    if (auto it = reasons_.find(static_cast<std::uint32_t>(m.id)); it != reasons_.end() && !it->second.empty())
      r.items.push_back("last attempt: " + it->second);
  to.send(r);
}

void Runtime::shutdown(Endpoint& to, const proto::Shutdown& m, double now) {
  if (m.drain) {
    begin_drain("shutdown requested by " + to.name());
  } else {
    stop_now("shutdown (no drain) requested by " + to.name());
  }
  add_event(now, m.drain ? "shutdown requested: finishing the tasks there are" : "shutdown requested: stopping now");
  to.send(proto::Ok{m.rid});
}

}  // namespace compss::daemon
