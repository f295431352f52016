#include "daemon/job_end.h"

#include <cctype>

#include "common/util/log.h"

namespace compss::daemon {

std::optional<double> end_in_run_seconds(const connector::JobFacts& facts, double now, std::int64_t wall) {
  if (!facts.time_limit_min || facts.end_time <= 0) return std::nullopt;
  return now + static_cast<double>(facts.end_time - wall);
}

JobEndWatch::JobEndWatch(connector::Connector& c, Worker& worker, connector::SlurmJobId job, RunClock now, Sink sink,
                         WallClock wall)
    : c_(c), worker_(worker), job_(job), now_(std::move(now)), sink_(std::move(sink)), wall_(std::move(wall)) {}

void JobEndWatch::start(const connector::JobFacts& facts) {
  last_load_ = now_();
  take(facts);
}

// The sink hears of changes of SLURM's end time only: converting the same end again would move it by the
// fraction of a second between the two clocks.
void JobEndWatch::take(const connector::JobFacts& facts) {
  std::optional<std::int64_t> end;
  if (facts.time_limit_min && facts.end_time > 0) end = facts.end_time;
  if (told_ && end == end_epoch_) return;
  told_ = true;
  end_epoch_ = end;
  sink_(end_in_run_seconds(facts, now_(), wall_()));
}

void JobEndWatch::tick(double now) {
  if (loading_ || now - last_load_ < kReloadEveryS) return;
  loading_ = true;
  last_load_ = now;
  ++loads_;
  connector::Connector* c = &c_;
  const connector::SlurmJobId job = job_;
  worker_.submit([this, c, job]() -> Continuation {
    auto facts = c->job(job);
    return [this, facts = std::move(facts)] {
      loading_ = false;
      if (!facts) return log::warn("cannot read the job's end time again (tried in a minute): ", facts.error().message);
      take(*facts);
    };
  });
}

namespace {

// A word the shell takes as it is; anything else in single quotes.
std::string shell_word(const std::string& s) {
  bool plain = !s.empty();
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string_view("/._-=,:+@%").find(c) == std::string_view::npos)
      plain = false;
  if (plain) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

std::string resume_command(const std::string& job, const std::string& job_dir, RuntimeOptions given,
                           const std::string& script) {
  given.resume_dir = job_dir;
  const std::string keys = to_string(given);
  const bool numeric = !job.empty() && job.find_first_not_of("0123456789") == std::string::npos;
  const bool step =
      !numeric && job.find('.') != std::string::npos && job.find_first_not_of("0123456789.") == std::string::npos;
  if (numeric)
    return "sbatch " + shell_word("--compss=" + keys) + " " +
           (script.empty() ? "<the job's script>" : shell_word(script));
  if (step) return "srun " + shell_word("--compss=" + keys) + " <the step's command>";
  return "compssd --resume " + shell_word(job_dir) + " -- <the driver>";
}

}  // namespace compss::daemon
