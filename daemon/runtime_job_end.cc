// The job's end in the Runtime: the end time handed to the scheduler, events about it and about held
// tasks, and the summary's account of what a stopped run left (doc/spec/states.md, "The job's end").
#include <cstdio>
#include <sstream>
#include <string>

#include "common/util/log.h"
#include "daemon/runtime.h"

namespace compss::daemon {

namespace {

// A SIGTERM this close to the job's end time (or after it) is SLURM enforcing the time limit: slurmctld
// checks limits periodically, so its signal comes at the end time or some seconds later, never before.
constexpr double kTimeLimitSlackS = 5;

std::string secs(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f s", s);
  return b;
}

}  // namespace

void Runtime::set_job_end(std::optional<double> end, double now) {
  if (end == job_end_) return;
  const bool first = !job_end_;
  job_end_ = end;
  sched_.set_job_end(end);
  if (!end) {
    add_event(now, "the job has no time limit now: every task may start");
    return;
  }
  const double margin = sched_.config().job_end_margin_s;
  add_event(now, std::string(first ? "the job ends" : "the job's end moved: it ends") + " in " + secs(*end - now) +
                     " (its time limit): a task whose --timeout or --time would take it past " + secs(margin) +
                     " before that is not started");
}

void Runtime::note_held(double now) {
  const std::uint64_t held = sched_.held_count();
  if (held > held_noted_) {
    std::string text = std::to_string(held - held_noted_) + " more task(s) held by the job's time limit (" +
                       std::to_string(held) + " in all)";
    if (auto e = sched_.explain(sched_.last_held()); e) text += "; the last: " + e->to_string();
    add_event(now, std::move(text));
  }
  held_noted_ = held;
}

Runtime::Left Runtime::count_left() const {
  Left l;
  const auto& g = sched_.graph();
  const TaskId first = g.first_unfinished();
  if (!first.valid()) return l;
  for (std::uint32_t i = first.value(); i < g.size(); ++i) {
    const TaskId t(i);
    if (scheduler::is_final(g.state(t))) continue;
    if (attempts_[i].attempts > 0) {
      ++l.cut;
    } else {
      ++l.never_started;
      if (g.has_flag(t, scheduler::TaskGraph::kHeld)) ++l.held;
    }
  }
  return l;
}

// What a run that did not finish its tasks left, why, and how to resume it; "" when it finished them.
std::string Runtime::left_summary() const {
  const Left l = stopped_left_ ? *stopped_left_ : count_left();
  if (l.cut + l.never_started == 0) return "";
  std::ostringstream os;
  os << "  left: " << l.cut << " task(s) cut while running, " << l.never_started << " never started";
  if (l.held)
    os << " (" << l.held << " held: their --timeout or --time would have taken them past the job's time limit)";
  os << "\n";
  if (stopped_left_) {
    const bool time_limit = job_end_ && stopped_at_ >= *job_end_ - kTimeLimitSlackS;
    os << "  stopped: " << stop_why_ << " at " << secs(stopped_at_);
    if (time_limit) os << ": the job's time limit (it ended at " << secs(*job_end_) << ")";
    os << "\n";
  } else if (draining_) {
    os << "  ended: " << drain_why_ << " and every task left waited for tasks held by the job's time limit\n";
  }
  if (!journal_) {
    os << "  cannot be resumed: this run has no journal" << (journal_note_.empty() ? "" : " (" + journal_note_ + ")")
       << "\n";
    return os.str();
  }
  os << "  to resume: "
     << (cfg_.resume_command.empty() ? "--compss=resume=<this job's directory>" : cfg_.resume_command) << "\n"
     << "    (with the job's other options";
  if (job_end_) os << " and a longer time limit";
  os << "; the tasks done in this run are not run again)\n";
  return os.str();
}

}  // namespace compss::daemon
