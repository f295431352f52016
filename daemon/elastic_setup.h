// elastic_setup.h - compssd's start-up decision about elasticity: off, or a connector, a mode and limits.
//
//   scheduler::SchedulerConfig sched;
//   auto e = setup_elasticity(options, site, getenv("SLURM_JOB_ID"), launch, sched);
//   if (!e) exit(1);                 // e.g. elastic=merge on a site that cannot merge: the error says why
//   if (e->connector) ...            // elastic: sched.elastic/min/max/idle are filled in, e->config too
//   else log(e->note);               // off, and why
//
// Inside a SLURM job with srun-started agents it creates the SlurmConnector and loads the job with its
// per-node resources (one RPC), elasticity on or off: the agents offer exactly those CPUs. With
// elasticity on it also probes the controller (load_ctl_conf) and loads the cluster's nodes (their CPU
// counts: a grow request asks for a whole node's CPUs, the smallest node of the job's partition), all
// before the event loop starts (each blocks at most the connector's retry deadline), chooses merge or
// helper (connector/mode.h) and sets the limits: min-nodes defaults to the job's node count, max-nodes
// to the same (no growth), idle to kDefaultIdleReleaseS (60 s).
// Failure behaviour: an error only for what the user asked and cannot have (elastic=merge where merging is
// impossible, a bad site string); a cluster that cannot be reached turns elasticity off with a note.
// Thread-safety: call once, from main.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/util/allocation.h"
#include "common/util/result.h"
#include "common/util/runtime_options.h"
#include "connector/connector.h"
#include "daemon/elastic.h"
#include "scheduler/scheduler.h"

namespace compss::daemon {

struct ElasticSite {
  std::string connector;           // connector knobs (connector/config.h): "rpc-rate=2,retry-deadline=30s"
  double pending_limit_s = 60;     // a grow request pending this long is withdrawn
  double join_latency_guess_s = 5; // the policy's join latency until one is measured
  std::uint32_t max_in_flight = 256;     // nodes asked for and not yet joined, at most
  std::uint32_t request_nodes = 64;      // nodes per grow request (one helper job each), at most
  bool forecast = true;                  // ask SLURM when the nodes would start before asking for them
  // How often the policy may look at the queue. The scheduler's default (2 s) alone added up to 2 s to
  // every growth on the test cluster (a burst waits for the next look), more than SLURM's own round trip.
  double policy_period_s = 0.25;
};

struct ElasticSetup {
  std::unique_ptr<connector::Connector> connector;  // null: elasticity is off
  ElasticConfig config;
  std::string note;                                 // one line: the mode and why, or why it is off
  // The job as slurmctld sees it at start-up, whenever compssd could ask (elasticity on or off): its
  // per-node allocation is what the agents offer (JobFacts::alloc).
  std::optional<connector::JobFacts> job;
  std::string job_note;                             // why the job could not be read, when it could not
  // With elasticity off, the connector that read the job, kept to read it again (its end time: job_end.h).
  std::unique_ptr<connector::Connector> job_reader;
  // What reads the job again: the elastic connector, else job_reader; null when the job could not be read.
  connector::Connector* reader() const { return connector ? connector.get() : job_reader.get(); }
};

// The job's own allocation for the agents (COMPSS_ALLOCATION): node -> SLURM CPU ids and memory.
Allocation allocation_of(const connector::JobFacts& job);

// `step`: the runtime serves an `srun --compss` step, not the whole job (growth is then by helper jobs).
Result<ElasticSetup> setup_elasticity(const RuntimeOptions& options, const ElasticSite& site,
                                      const std::string& slurm_job, const std::string& launch,
                                      scheduler::SchedulerConfig& sched, bool step = false);

}  // namespace compss::daemon
