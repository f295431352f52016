// The journal side of the Runtime (doc/spec/journal.md): submissions and state changes recorded, a
// resumed run's tasks matched against the earlier run's journal.
#include <cstdio>
#include <string>

#include "common/util/log.h"
#include "daemon/runtime.h"

namespace compss::daemon {

using scheduler::AccessMode;
using scheduler::TaskState;

void Runtime::attach_journal(std::unique_ptr<Journal> j) {
  journal_ = std::move(j);
  changes_.clear();
  sched_.record_changes(journal_ ? &changes_ : nullptr);
}

// What task `t` runs, as journal.md defines the fingerprint: cwd and env (the launch's prefix, hashed
// once per spec), the array index as the agent's environment gets it, argv with {i} substituted, then
// the file accesses in order with {i} substituted.
std::uint64_t Runtime::fingerprint(TaskId t, std::uint64_t launch_prefix) const {
  const auto& g = sched_.graph();
  const Launch& l = launches_[launch_of_[t.value()]];
  Fingerprint f(launch_prefix);
  if (l.array) {
    const auto index = g.index(t);
    f.env("COMPSS_ARRAY_INDEX=" + std::to_string(index));
    for (const auto& a : l.argv) f.arg(scheduler::substitute_index(a, index));
  } else {
    for (const auto& a : l.argv) f.arg(a);
  }
  for (const auto& [path, mode] : g.accesses(t)) f.access(mode, path);
  return f.value();
}

// The cache rule (journal.md section 4): the next journaled success with this fingerprint, the task
// ready (its predecessors done), every `after` task cached, no file of it written by a task that runs
// in this run (nor, for what it writes, read by one), and each file as the journaled run left it, the
// ones it writes present.
bool Runtime::take_cached(TaskId t, std::uint64_t fp, const std::vector<std::uint64_t>& after) {
  const auto& g = sched_.graph();
  const std::optional<std::uint32_t> from = resume_->take(fp);
  if (!from || g.state(t) != TaskState::kReady) return false;
  for (std::uint64_t a : after)
    if (a >= g.size() || !g.has_flag(TaskId(static_cast<std::uint32_t>(a)), scheduler::TaskGraph::kCached)) return false;
  const std::string& cwd = launches_[launch_of_[t.value()]].cwd;
  for (const auto& [path, mode] : g.accesses(t)) {
    const std::string abs = absolute_path(cwd, path);
    if (rerun_writes_.count(abs) || (mode != AccessMode::kIn && rerun_reads_.count(abs))) return false;
    const FileIdentity* last = resume_->last_identity(abs);
    const FileIdentity now = identify(abs);
    if (!last || now != *last || (mode != AccessMode::kIn && !now.exists)) return false;
  }
  if (!sched_.complete_cached(t)) return false;
  cached_from_[t.value()] = *from;
  return true;
}

// After a spec's tasks were added: its journal rows, then (resuming) each task cached or marked to run.
void Runtime::submitted(std::uint32_t launch, const proto::TaskSpec& t, const std::vector<std::uint64_t>& after,
                        TaskId first, std::uint32_t count, double now, const std::vector<std::uint8_t>* msg) {
  if (!journal_writing() && !resume_) return;
  const Launch& l = launches_[launch];
  const auto& g = sched_.graph();
  if (journal_writing()) {
    SpecRecord r;
    r.spec = launch;
    r.name = g.name(first);
    r.argv = &l.argv;
    r.cwd = l.cwd;
    r.env = &l.env;
    for (const auto& p : t.in) r.accesses.emplace_back(AccessMode::kIn, p);
    for (const auto& p : t.out) r.accesses.emplace_back(AccessMode::kOut, p);
    for (const auto& p : t.inout) r.accesses.emplace_back(AccessMode::kInout, p);
    r.after = &after;
    if (t.group) r.group = *t.group;
    if (t.array) {
      r.array = true;
      r.first = static_cast<std::int64_t>(t.array->first);
      r.last = static_cast<std::int64_t>(t.array->last);
      r.step = static_cast<std::int64_t>(t.array->step);
    }
    r.first_task = first.value();
    r.task_count = count;
    r.t = now;
    r.msg = msg;
    journal_->spec(r);
  }
  Fingerprint prefix;
  prefix.cwd(l.cwd);
  for (const auto& e : l.env) prefix.env(e);
  for (const auto& n : l.env_unset) prefix.env(n);  // a name without '=': the variable left out
  for (std::uint32_t i = 0; i < count; ++i) {
    const TaskId id(first.value() + i);
    const std::uint64_t fp = fingerprint(id, prefix.value());
    if (journal_writing())
      journal_->task(id.value(), launch, l.array ? std::optional<std::int32_t>(g.index(id)) : std::nullopt, fp);
    if (!resume_ || take_cached(id, fp, after)) continue;
    // It runs (or never will): what it writes changes, so no later task touching those files is cached,
    // nor a later writer of what it reads (it must read the version it reads now).
    for (const auto& [path, mode] : g.accesses(id))
      (mode == AccessMode::kIn ? rerun_reads_ : rerun_writes_).insert(absolute_path(l.cwd, path));
  }
}

void Runtime::journal_files(TaskId t) {
  const std::string& cwd = launches_[launch_of_[t.value()]].cwd;
  for (const auto& [path, mode] : sched_.graph().accesses(t)) {
    const std::string abs = absolute_path(cwd, path);
    journal_->file(t.value(), mode, abs, identify(abs));
  }
}

// The scheduler's changes since the last call, as rows; `finished` is the report that caused them, if any
// (its exit code and signal go on its task's row).
void Runtime::journal_changes(double now, const proto::Finished* finished) {
  if (changes_.empty()) return;
  if (!journal_writing()) {
    changes_.clear();
    return;
  }
  const auto& g = sched_.graph();
  for (const auto& c : changes_) {
    const std::uint32_t ti = c.task.value();
    const Attempt a = ti < attempts_.size() ? attempts_[ti] : Attempt{};
    StateRecord r;
    r.task = ti;
    r.state = scheduler::to_string(c.to);
    r.attempt = a.attempts;
    r.t = now;
    std::string node, reason;
    if (a.node != UINT32_MAX) node = node_name(NodeId(a.node));
    r.node = node;
    const bool reported = finished && finished->task == ti;
    if (reported) {
      r.exit_code = finished->exit_code;
      r.signal = finished->signal;
    }
    r.cached = c.to == TaskState::kDone && g.has_flag(c.task, scheduler::TaskGraph::kCached);
    if (r.cached) {
      auto it = cached_from_.find(ti);
      if (it != cached_from_.end()) reason = "cached: task " + std::to_string(it->second) + " of " + resume_->dir();
    } else if (c.to == TaskState::kFailed || c.to == TaskState::kCancelled || reported) {
      auto it = reasons_.find(ti);
      if (it != reasons_.end()) reason = it->second;
      else if (g.cause(c.task) != scheduler::FailureCause::kNone) reason = scheduler::to_string(g.cause(c.task));
    }
    r.reason = reason;
    journal_->state(r);
    if (c.to == TaskState::kDone) journal_files(c.task);
  }
  changes_.clear();
}

void Runtime::journal_stopped(double now, const std::string& why) {
  char at[32];
  std::snprintf(at, sizeof at, "%.1f", now);
  journal_note_ = "stopped at " + std::string(at) + " s: " + why +
                  "; resume from this run will redo tasks after that point";
  log::error("journal ", journal_->path(), " ", journal_note_);
  add_event(now, "journal " + journal_note_);
  sched_.record_changes(nullptr);
  changes_.clear();
  if (journal_stopped_hook_) journal_stopped_hook_();
}

void Runtime::flush_journal(double now) {
  if (!journal_) return;
  journal_changes(now);
  if (Status s = journal_->flush(now); !s) journal_stopped(now, s.error().message);
}

void Runtime::close_journal(double now) {
  if (!journal_) return;
  journal_changes(now);
  if (Status s = journal_->commit(); !s) journal_stopped(now, s.error().message);
  const std::uint64_t commits = journal_->commits();
  if (Status s = journal_->close(); !s) journal_stopped(now, s.error().message);
  sched_.record_changes(nullptr);
  log::info("journal ", journal_->path(), ": ", commits, " commits");
}

}  // namespace compss::daemon
