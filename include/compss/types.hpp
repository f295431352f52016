// compss/types.hpp - the values of the public C++ client API: what a task asks for, and what the
// runtime answers (wait results, status, task details, explanations).
//
// They follow doc/spec/protocol.md section 5 field for field; defaults are the protocol's defaults, so a
// TaskSpec with only argv and cwd set is a one-core task under the `retry` policy.
//
//   compss::client::TaskSpec t;
//   t.argv = {"./simulate", "--member", "3"};
//   t.cwd = "/home/me/run";
//   t.cpus = 4;
//   t.out = {"/home/me/run/out/3.nc"};
//
// Task ids are plain 64-bit numbers, as on the wire and in the C API (the daemon's internal ids are its
// own business). Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace compss::client {

using TaskId = std::uint64_t;

// Consecutive task ids, first..last inclusive (first == last for a single task).
struct IdRange {
  TaskId first = 0;
  TaskId last = 0;
  std::uint64_t count() const { return last - first + 1; }
  friend bool operator==(const IdRange&, const IdRange&) = default;
};

enum class OnFailure { kRetry, kCancelSuccessors, kFail, kIgnore };

// "retry", "cancel-successors", "fail", "ignore" (the words of the protocol and the CLI).
std::string_view to_string(OnFailure policy);
std::optional<OnFailure> on_failure_from_string(std::string_view word);

struct Amount {
  std::string name;  // a custom resource of the site ("license", "fpga")
  std::uint64_t amount = 0;
  friend bool operator==(const Amount&, const Amount&) = default;
};

// One task per index: first, first+step, ... up to last. `{i}` in argv items becomes the index.
struct ArraySpec {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t step = 1;
  friend bool operator==(const ArraySpec&, const ArraySpec&) = default;
};

// Which of the submitting process's environment variables a task gets (compss submit --export). kNone:
// the job's environment as it started, plus TaskSpec::env. kAll: this process's environment as it is at
// the submit (a variable it has unset is unset for the task too). kNames: the job's, plus the variables
// named in TaskSpec::export_names as this process has them. The runtime's and the node's own variables
// (COMPSS_*, SLURM_*, OMP_NUM_THREADS, CUDA_VISIBLE_DEVICES, ...) always come from where the task runs.
enum class ExportEnv : std::uint8_t { kNone, kAll, kNames };

struct TaskSpec {
  std::string name;                         // empty: the daemon names it after argv[0]
  std::vector<std::string> argv;            // required, non-empty
  std::string cwd;                          // required: an absolute path where the task runs
  std::vector<std::string> env;             // KEY=VALUE items added to the job's environment
  ExportEnv export_env = ExportEnv::kNone;  // what of this process's environment the task gets (above)
  std::vector<std::string> export_names;    // with kNames
  std::vector<std::string> in, out, inout;  // file accesses; dependencies follow from them
  std::vector<TaskId> after;                // explicit dependencies on earlier tasks
  std::uint32_t cpus = 1;                   // cores per rank
  std::uint64_t memory = 0;                 // bytes per rank (0: no request)
  std::uint32_t gpus = 0;                   // GPUs per rank
  std::uint32_t nodes = 1;                  // 0: as many as placement needs
  std::uint32_t ranks = 1;
  std::uint32_t ranks_per_node = 0;  // 0: as placement finds room
  bool mpi = false;
  std::vector<Amount> custom;
  std::uint32_t time_limit_s = 0;  // expected longest run (0: unknown)
  OnFailure on_failure = OnFailure::kRetry;
  std::optional<std::uint32_t> retries;  // absent: the daemon's default
  std::uint32_t timeout_s = 0;           // a longer run is killed and counts as a failure (0: none)
  std::int32_t priority = 0;             // higher runs first among ready tasks
  std::string group;                     // empty: no group
  std::optional<ArraySpec> array;

  friend bool operator==(const TaskSpec&, const TaskSpec&) = default;
};

// Which tasks a wait or a cancel is about: exactly one of ids, group, all.
struct Selection {
  std::vector<IdRange> ids;
  std::string group;
  bool all = false;

  static Selection of(std::vector<TaskId> ids);
  static Selection of_ranges(std::vector<IdRange> ids);
  static Selection of_group(std::string group);
  static Selection everything();
};

struct TaskIssue {
  TaskId id = 0;
  std::string name;
  std::string reason;  // "exit code 3 on n2", "predecessor 7 failed"
};

struct WaitResult {
  std::uint64_t done = 0;
  std::vector<TaskIssue> failed;
  std::vector<TaskIssue> cancelled;
  bool timed_out = false;
  std::uint64_t pending = 0;  // not final yet (only when timed_out)

  bool succeeded() const { return failed.empty() && cancelled.empty() && !timed_out; }
};

struct StateCounts {
  std::uint64_t pending = 0, ready = 0, scheduled = 0, running = 0, done = 0, failed = 0, cancelled = 0;
  std::uint64_t cached = 0;  // of done: taken from a resumed run's journal without running (resume=DIR)
  std::uint64_t held = 0;    // of ready: not started, they would not end before the job's time limit
};

// One stay of a node in the job (a node given back and granted again has two).
struct NodeInfo {
  std::string name;
  std::string state;  // joining, up, quarantined, draining, stopping, releasing, released, lost, ended
  std::uint32_t cores = 0;
  std::uint32_t busy = 0;
  std::uint32_t request = 0;     // the grow request it came from; 0: one of the job's own nodes
  std::uint32_t helper_job = 0;  // helper mode: the SLURM job holding it; 0: the job itself
  double granted = -1, joined = -1, drained = -1, left = -1;  // seconds since the run began; < 0: not (yet)
  std::uint64_t tasks_run = 0;
  std::string why;               // why it was drained, given back or lost
  std::string cpus;              // SLURM's ids of the CPUs the job holds there ("1", "0-1"); "" when not known
  double quarantined = -1;       // when it was quarantined: it takes no new task (state "quarantined"); < 0: never
};

// One event of the run; the kinds are listed in doc/spec/protocol.md (status_result).
struct Event {
  double t = 0;                      // seconds since the run began
  std::string kind;                  // "joined", "granted", "drain", "released", "lost", "note", ...
  std::string node;                  // the node it is about, or ""
  std::optional<std::uint64_t> task;
  std::uint32_t request = 0;         // the grow request it is about, or 0
  std::uint32_t count = 0;           // nodes or requests, for the kinds that count
  std::string cause;                 // why, for a person
  std::string text;                  // the whole event as one sentence
};

struct RunStatus {
  StateCounts counts;
  std::vector<NodeInfo> nodes;
  std::vector<Event> events;        // the recent ones, oldest first
  std::string outcome;              // running, succeeded, failed
};

struct TaskInfo {
  TaskId id = 0;
  std::string name;
  std::string state;  // pending, ready, scheduled, running, done, failed, cancelled
  std::string node;
  std::optional<std::int32_t> exit_code;
  std::uint32_t signal = 0;
  std::uint32_t attempts = 0;
  std::string reason;
  bool cached = false;  // done (cached): a resumed run's journal had it done, so it did not run
};

struct Explanation {
  TaskId id = 0;
  std::string text;                // one line
  std::vector<std::string> items;  // one reason per item
};

// What the daemon said about itself in its welcome.
struct ServerInfo {
  std::uint32_t version = 0;
  std::string prog;
  std::string job;
};

}  // namespace compss::client
