// messages.h - the messages of the wire protocol (doc/spec/protocol.md, protocol 1) as plain structs.
//
// One struct per message type, one per nested structure; every field's default is the protocol's default,
// so a default-constructed optional field encodes to nothing and an absent field decodes to the default.
// Each message struct's kType is its wire type ("t"). `Message` is the variant of
// every message; encode/decode are in codec.h, framing in frame.h.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/proto/ids.h"
#include "common/proto/words.h"

namespace compss::proto {

inline constexpr std::uint32_t kProtocolVersion = 1;

// ---- nested structures (spec section 5) ----

struct Amount {  // a named custom resource
  std::string name;
  std::uint64_t amount = 0;
  friend bool operator==(const Amount&, const Amount&) = default;
};

struct ArraySpec {  // indices first, first+step, ... <= last
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t step = 1;
  friend bool operator==(const ArraySpec&, const ArraySpec&) = default;
};

struct TaskSpec {
  std::string name;
  std::vector<std::string> argv;
  std::string cwd;
  std::vector<std::string> env;  // KEY=VALUE
  // The submitter's environment (compss submit --export): `exported` holds its variables (KEY=VALUE,
  // the runtime's and the node's own left out: caller_variable()); with export_all they are the whole of
  // it. compssd turns them into env (what differs from the job's environment) and env_unset (what the
  // submitter no longer has) before it keeps or journals the spec.
  std::vector<std::string> exported;
  bool export_all = false;
  std::vector<std::string> env_unset;  // names the task does not get from the job's environment
  std::vector<std::string> in;
  std::vector<std::string> out;
  std::vector<std::string> inout;
  std::vector<std::uint64_t> after;
  std::uint32_t cpus = 1;
  std::uint64_t memory = 0;
  std::uint32_t gpus = 0;
  std::uint32_t nodes = 1;
  std::uint32_t ranks = 1;
  std::uint32_t ranks_per_node = 0;
  bool mpi = false;
  std::vector<Amount> custom;
  std::uint32_t time_limit_s = 0;
  OnFailure on_failure = OnFailure::kRetry;
  std::optional<std::uint32_t> retries;  // absent: the daemon's default
  std::uint32_t timeout_s = 0;
  std::int32_t priority = 0;
  std::optional<std::string> group;
  std::optional<ArraySpec> array;
  friend bool operator==(const TaskSpec&, const TaskSpec&) = default;
};

struct TaskIssue {
  std::uint64_t id = 0;
  std::string name;
  std::string reason;
  friend bool operator==(const TaskIssue&, const TaskIssue&) = default;
};

struct StateCounts {
  std::uint64_t pending = 0;
  std::uint64_t ready = 0;
  std::uint64_t scheduled = 0;
  std::uint64_t running = 0;
  std::uint64_t done = 0;
  std::uint64_t failed = 0;
  std::uint64_t cancelled = 0;
  std::uint64_t cached = 0;  // of done: taken from a resumed run's journal without running
  std::uint64_t held = 0;    // of ready: not started, they would not end before the job's time limit
  friend bool operator==(const StateCounts&, const StateCounts&) = default;
};

struct NodeInfo {  // one stay of a node in the job
  std::string name;
  NodeState state = NodeState::kUp;
  std::uint32_t cores = 0;
  std::uint32_t busy = 0;
  std::uint32_t request = 0;     // the grow request it came from; 0: one of the job's own nodes
  std::uint32_t helper_job = 0;  // helper mode: the SLURM job holding it
  double granted = -1, joined = -1, drained = -1, left = -1;  // seconds since the run began; < 0: not yet
  std::uint64_t tasks_run = 0;
  std::string why{};  // an initializer, so that {name, state, cores, busy} needs no more
  std::string cpus{};  // SLURM's ids of the CPUs the job holds there ("1", "0-1"); "" when not known
  double quarantined = -1;  // when the scheduler quarantined it (seconds since the run began); < 0: never
  friend bool operator==(const NodeInfo&, const NodeInfo&) = default;
};

struct EventRecord {  // one event of the run (doc/spec/protocol.md lists the kinds)
  double t = 0;
  std::string kind;
  std::string node;
  std::optional<std::uint64_t> task;
  std::uint32_t request = 0;
  std::uint32_t count = 0;
  std::string cause;
  std::string text;  // the whole event as a sentence
  friend bool operator==(const EventRecord&, const EventRecord&) = default;
};

struct TaskInfo {
  std::uint64_t id = 0;
  std::string name;
  TaskState state = TaskState::kPending;
  std::string node;
  std::optional<std::int32_t> exit_code;
  std::uint32_t signal = 0;
  std::uint32_t attempts = 0;
  std::string reason;
  bool cached = false;  // done without running: a resumed run's journal had it done
  friend bool operator==(const TaskInfo&, const TaskInfo&) = default;
};

struct OutputPolicy {
  OutputMode mode = OutputMode::kStream;
  std::uint64_t limit = 65536;
  friend bool operator==(const OutputPolicy&, const OutputPolicy&) = default;
};

struct OutputRef {
  std::string file;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;  // 0 with offset 0: the whole file
  friend bool operator==(const OutputRef&, const OutputRef&) = default;
};

struct GpuDesc {
  std::uint32_t id = 0;
  std::vector<std::uint32_t> close_cores;
  friend bool operator==(const GpuDesc&, const GpuDesc&) = default;
};

struct RunningTask {
  std::uint64_t task = 0;
  std::uint32_t attempt = 1;
  std::uint32_t pid = 0;
  std::vector<std::uint32_t> cores;  // as the assign gave them
  std::vector<std::uint32_t> gpus;
  friend bool operator==(const RunningTask&, const RunningTask&) = default;
};

struct MpiSlot {
  std::string node;
  std::uint32_t ranks = 1;
  std::vector<std::uint32_t> cores;  // ranks x cpus, rank-major
  std::vector<std::uint32_t> gpus;   // ranks x gpus, rank-major
  friend bool operator==(const MpiSlot&, const MpiSlot&) = default;
};

struct MpiLaunch {  // provisional in protocol 1
  std::uint32_t ranks = 1;
  std::vector<MpiSlot> slots;
  friend bool operator==(const MpiLaunch&, const MpiLaunch&) = default;
};

// ---- handshake and errors ----

struct Hello {
  static constexpr std::string_view kType = "hello";
  std::uint32_t v = kProtocolVersion;
  Role role = Role::kClient;
  std::string prog;
  std::string node;  // required for agents
  std::string auth;  // never logged
  friend bool operator==(const Hello&, const Hello&) = default;
};

struct Welcome {
  static constexpr std::string_view kType = "welcome";
  std::uint32_t v = kProtocolVersion;
  std::string prog;
  std::string job;
  std::uint32_t heartbeat_s = 10;
  std::string auth;  // to a TCP client: the daemon's MUNGE credential, carrying the client's nonce
  friend bool operator==(const Welcome&, const Welcome&) = default;
};

struct ErrorMessage {  // wire type "error"
  static constexpr std::string_view kType = "error";
  std::uint64_t rid = 0;
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  friend bool operator==(const ErrorMessage&, const ErrorMessage&) = default;
};

// ---- client -> daemon and the replies ----

struct Submit {
  static constexpr std::string_view kType = "submit";
  std::uint64_t rid = 0;
  std::vector<TaskSpec> tasks;
  std::string key;  // the client's token: the same submit sent again adds nothing (protocol.md)
  friend bool operator==(const Submit&, const Submit&) = default;
};

struct Submitted {
  static constexpr std::string_view kType = "submitted";
  std::uint64_t rid = 0;
  IdList ids;
  friend bool operator==(const Submitted&, const Submitted&) = default;
};

struct Wait {  // exactly one selector: ids, group or all
  static constexpr std::string_view kType = "wait";
  std::uint64_t rid = 0;
  IdList ids;
  std::optional<std::string> group;
  bool all = false;
  std::uint32_t timeout_s = 0;
  friend bool operator==(const Wait&, const Wait&) = default;
};

struct WaitResult {
  static constexpr std::string_view kType = "wait_result";
  std::uint64_t rid = 0;
  std::uint64_t done = 0;
  std::vector<TaskIssue> failed;
  std::vector<TaskIssue> cancelled;
  bool timed_out = false;
  std::uint64_t pending = 0;
  friend bool operator==(const WaitResult&, const WaitResult&) = default;
};

struct StatusQuery {  // wire type "status"
  static constexpr std::string_view kType = "status";
  std::uint64_t rid = 0;
  friend bool operator==(const StatusQuery&, const StatusQuery&) = default;
};

struct StatusResult {
  static constexpr std::string_view kType = "status_result";
  std::uint64_t rid = 0;
  StateCounts counts;
  std::vector<NodeInfo> nodes;
  std::vector<EventRecord> events;
  Outcome outcome = Outcome::kRunning;
  friend bool operator==(const StatusResult&, const StatusResult&) = default;
};

struct Query {
  static constexpr std::string_view kType = "query";
  std::uint64_t rid = 0;
  IdList ids;
  friend bool operator==(const Query&, const Query&) = default;
};

struct QueryResult {
  static constexpr std::string_view kType = "query_result";
  std::uint64_t rid = 0;
  std::vector<TaskInfo> tasks;
  friend bool operator==(const QueryResult&, const QueryResult&) = default;
};

struct Cancel {  // exactly one selector: ids or group
  static constexpr std::string_view kType = "cancel";
  std::uint64_t rid = 0;
  IdList ids;
  std::optional<std::string> group;
  friend bool operator==(const Cancel&, const Cancel&) = default;
};

struct Cancelled {
  static constexpr std::string_view kType = "cancelled";
  std::uint64_t rid = 0;
  std::uint64_t count = 0;
  friend bool operator==(const Cancelled&, const Cancelled&) = default;
};

struct Explain {
  static constexpr std::string_view kType = "explain";
  std::uint64_t rid = 0;
  std::uint64_t id = 0;
  friend bool operator==(const Explain&, const Explain&) = default;
};

struct Explanation {
  static constexpr std::string_view kType = "explanation";
  std::uint64_t rid = 0;
  std::uint64_t id = 0;
  std::string text;
  std::vector<std::string> items;
  friend bool operator==(const Explanation&, const Explanation&) = default;
};

struct Shutdown {
  static constexpr std::string_view kType = "shutdown";
  std::uint64_t rid = 0;
  bool drain = true;
  friend bool operator==(const Shutdown&, const Shutdown&) = default;
};

// Manual elasticity (`compss resize +N|-N`); answered with `ok`, or `error` when nothing can be done.
struct Resize {
  static constexpr std::string_view kType = "resize";
  std::uint64_t rid = 0;
  std::int32_t delta = 0;  // +N: grow by N nodes now (bounded by max-nodes); -N: drain N nodes
  friend bool operator==(const Resize&, const Resize&) = default;
};

struct Ok {
  static constexpr std::string_view kType = "ok";
  std::uint64_t rid = 0;
  friend bool operator==(const Ok&, const Ok&) = default;
};

// ---- daemon -> agent ----

struct Assign {
  static constexpr std::string_view kType = "assign";
  std::uint64_t task = 0;
  std::uint32_t attempt = 1;
  std::string name;
  std::vector<std::string> argv;
  std::string cwd;
  std::vector<std::string> env;        // KEY=VALUE
  std::vector<std::string> env_unset;  // names left out of the agent's environment
  std::vector<std::uint32_t> cores;
  std::vector<std::uint32_t> gpus;
  std::uint64_t memory = 0;
  OutputPolicy output;
  std::optional<MpiLaunch> mpi;
  friend bool operator==(const Assign&, const Assign&) = default;
};

struct Kill {
  static constexpr std::string_view kType = "kill";
  std::uint64_t task = 0;
  std::uint32_t attempt = 0;  // 0: whichever attempt runs
  std::uint32_t signal = 15;
  std::uint32_t grace_s = 10;
  std::string reason;
  friend bool operator==(const Kill&, const Kill&) = default;
};

struct Stop {
  static constexpr std::string_view kType = "stop";
  std::uint32_t grace_s = 10;
  friend bool operator==(const Stop&, const Stop&) = default;
};

// ---- agent -> daemon ----

struct Register {
  static constexpr std::string_view kType = "register";
  std::string node;
  std::vector<std::uint32_t> cores;
  std::uint64_t memory = 0;
  std::vector<GpuDesc> gpus;
  std::vector<Amount> custom;
  std::string numa;
  std::vector<RunningTask> running;
  friend bool operator==(const Register&, const Register&) = default;
};

struct Started {
  static constexpr std::string_view kType = "started";
  std::uint64_t task = 0;
  std::uint32_t attempt = 1;
  std::uint32_t pid = 0;
  friend bool operator==(const Started&, const Started&) = default;
};

struct Finished {
  static constexpr std::string_view kType = "finished";
  std::uint64_t task = 0;
  std::uint32_t attempt = 1;
  FinishCause cause = FinishCause::kExited;
  std::optional<std::int32_t> exit_code;
  std::uint32_t signal = 0;
  double cpu_time_s = 0;
  std::uint64_t max_rss = 0;  // bytes
  double wall_s = 0;
  std::optional<OutputRef> output;
  std::string reason;
  std::string output_lost;  // why some or all of its output was not stored (a full disk); "" when none was lost
  friend bool operator==(const Finished&, const Finished&) = default;
};

struct Heartbeat {
  static constexpr std::string_view kType = "heartbeat";
  friend bool operator==(const Heartbeat&, const Heartbeat&) = default;
};

using Message = std::variant<Hello, Welcome, ErrorMessage, Submit, Submitted, Wait, WaitResult, StatusQuery,
                             StatusResult, Query, QueryResult, Cancel, Cancelled, Explain, Explanation,
                             Shutdown, Ok, Assign, Kill, Stop, Register, Started, Finished, Heartbeat, Resize>;

// The wire type ("t") of a message: "hello", "submit", "wait_result", ...
std::string_view type_name(const Message& m);

}  // namespace compss::proto
