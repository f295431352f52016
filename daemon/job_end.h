// job_end.h - when the job ends, and how to resume a run that it cut short (doc/spec/states.md, "The job's
// end"; doc/spec/journal.md, section 4).
//
// JobEndWatch keeps compssd's idea of the job's end in step with slurmctld. SLURM's end time is in the job
// record (slurm_load_job's end_time: the start plus the time limit, moved by `scontrol update
// TimeLimit=...` and by a suspension); compssd loaded the record at start-up anyway, and the watch loads it
// again once a minute (one RPC, on a worker thread: a slow slurmctld never blocks the event loop). Each
// change reaches the sink as the end in the run's seconds (nullopt: the job has no time limit).
//
//   JobEndWatch w(connector, worker, job, [&] { return now(); }, [&](auto end) { rt.set_job_end(end, now()); });
//   w.start(facts_loaded_at_start_up);   // no RPC
//   every tick: w.tick(now);             // reloads the job when the last load is a minute old
//
// Lifecycle: construct, start() once, tick() from the event loop; stop the worker before destroying it.
// Failure behaviour: a load that fails is logged and tried again a minute later; the last end known stays.
// Thread-safety: the event loop's thread only; the load runs on the worker (connector calls are
// thread-safe), its result comes back as a continuation.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <optional>
#include <string>

#include "common/util/runtime_options.h"
#include "connector/connector.h"
#include "daemon/elastic_worker.h"

namespace compss::daemon {

class JobEndWatch {
 public:
  using Sink = std::function<void(std::optional<double> end)>;
  using RunClock = std::function<double()>;         // the run's seconds (compssd's now())
  using WallClock = std::function<std::int64_t()>;  // seconds since the epoch, as slurmctld's end_time
  static constexpr double kReloadEveryS = 60;

  JobEndWatch(
      connector::Connector& c, Worker& worker, connector::SlurmJobId job, RunClock now, Sink sink,
      WallClock wall = [] { return static_cast<std::int64_t>(std::time(nullptr)); });

  void start(const connector::JobFacts& facts);
  void tick(double now);
  std::uint64_t loads() const { return loads_; }  // reloads asked of slurmctld so far

 private:
  void take(const connector::JobFacts& facts);

  connector::Connector& c_;
  Worker& worker_;
  connector::SlurmJobId job_;
  RunClock now_;
  Sink sink_;
  WallClock wall_;
  double last_load_ = 0;
  bool loading_ = false;
  std::uint64_t loads_ = 0;
  bool told_ = false;                      // the sink heard of an end (or of none)
  std::optional<std::int64_t> end_epoch_;  // the end it heard of, as SLURM said it
};

// The job's end in the run's seconds: `now` plus what is left of it by the wall clock; nullopt for a job
// without a time limit or an end SLURM did not say.
std::optional<double> end_in_run_seconds(const connector::JobFacts& facts, double now, std::int64_t wall);

// How to resume this run, as the summary prints it: the same --compss keys the run was given (`given`),
// with resume=<job_dir>. `job` is compssd's job id: "1234" (a batch job: sbatch), "1234.0" (an `srun
// --compss` step: srun), anything else (no SLURM: compssd --resume). `script`: the batch script SLURM ran,
// "" when not known (sbatch --wrap).
//   "sbatch --compss=max-nodes=4,resume=/w/.compss/42 /w/run.sh"
std::string resume_command(const std::string& job, const std::string& job_dir, RuntimeOptions given,
                           const std::string& script);

}  // namespace compss::daemon
