// types.h - the plain values the connector hands out: cluster facts, job facts, request outcomes.
//
// None of these hold SLURM types, so the daemon and its tests use them without SLURM headers.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/util/ids.h"

namespace compss::connector {

struct SlurmJobTag {};
using SlurmJobId = compss::Id<SlurmJobTag>;  // SLURM's job id (a number), kept apart from our own ids

// How the job grows: merge helper jobs into the job itself, or keep them as separate helper jobs.
enum class GrowMode { kMerge, kHelper };
const char* grow_mode_name(GrowMode m);  // "merge" / "helper"

// What the site's slurmctld says about itself (slurm_load_ctl_conf), and the growth mode it allows.
struct ClusterFacts {
  std::string version;                  // "22.05.8"
  std::string cluster_name;
  std::string scheduler_parameters;     // as configured, may be empty
  bool permit_job_expansion = false;    // SchedulerParameters holds permit_job_expansion
  std::string accounting_storage_type;  // "accounting_storage/slurmdbd"
  std::string task_plugin;              // "task/none", "task/affinity,task/cgroup"
  GrowMode mode = GrowMode::kHelper;    // the best mode these facts allow
  std::string mode_reason;              // why, in words (mode.h)
};

enum class JobState { kPending, kRunning, kSuspended, kEnded };

// What a job holds on one node. The CPU ids are SLURM's own numbering of the node's CPUs (as
// `scontrol show job -d` prints them: CPU_IDs=1); the agent turns them into the machine's (topology.h).
struct NodeAlloc {
  std::string node;
  std::string cpu_ids;          // "0-1", "1,3"; empty when SLURM did not say
  std::uint32_t cpus = 0;       // how many
  std::uint64_t memory_mb = 0;  // 0: SLURM does not limit the job's memory on the node
};

// One node of the cluster, as slurmctld describes it.
struct NodeFacts {
  std::string name;
  std::uint32_t cpus = 0;
  std::vector<std::string> partitions;
};

struct JobFacts {
  SlurmJobId id;
  std::string name;
  JobState state = JobState::kEnded;
  std::string state_name;               // SLURM's word: "RUNNING", "COMPLETED", "RUNNING+CONFIGURING" ...
  bool configuring = false;             // running, but its nodes are still booting
  std::string reason;                   // why pending / why it ended, when SLURM says ("Resources")
  std::vector<std::string> nodes;       // expanded, in SLURM's order (an ended job keeps listing its last nodes)
  std::string node_list;                // as SLURM writes it: "n[1-2]"
  std::uint32_t num_nodes = 0;
  std::uint32_t num_cpus = 0;
  std::string partition;
  std::uint32_t user_id = 0;
  std::uint32_t group_id = 0;
  std::string user_name;                // empty when SLURM does not say
  std::string batch_host;               // the node running the batch script, if any
  std::vector<NodeAlloc> alloc;         // per node of `nodes`, what the job holds there (running jobs)
  std::optional<std::uint32_t> time_limit_min;  // nullopt: unlimited
  std::int64_t start_time = 0;          // seconds since the epoch, 0 when not known
  std::int64_t end_time = 0;            // actual or expected; 0 when not known
  std::string command;                  // a batch job's script path as submitted; empty when none (--wrap)
  std::string work_dir;                 // the job's working directory
};

// Extra knobs of a grow request; empty fields take the job's own values.
struct RequestOptions {
  std::string partition;                // default: the job's partition
  std::optional<std::uint32_t> time_limit_min;  // helper mode; default: the job's remaining time
  std::string name;                     // default: "compss-grow-<job>"
  std::vector<std::string> exclude;     // nodes the request must not get (those the job holds or awaits)
  std::uint32_t min_cpus = 0;           // CPUs wanted on the node (SLURM's --mincpus); 0: SLURM's default
};

// When SLURM expects a request to start (Connector::forecast).
struct StartForecast {
  std::int64_t start_time = 0;  // seconds since the epoch
  double delay_s = 0;           // from now; 0: at once
  std::string node_list;        // the nodes SLURM would give it
};

// What became of a grow request.
struct Pending {
  std::string reason;                   // SLURM's pending reason ("Resources", "Dependency", "Priority")
};
struct Granted {
  SlurmJobId helper;                    // the helper job holding (or, once merged, having held) the nodes
  std::vector<std::string> nodes;
  std::vector<NodeAlloc> alloc;         // what the helper was given on each node
};
struct Failed {
  std::string reason;
};
using RequestStatus = std::variant<Pending, Granted, Failed>;

}  // namespace compss::connector
