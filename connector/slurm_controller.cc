#include "connector/slurm_controller.h"

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <csignal>
#include <cstring>
#include <ctime>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

#include "connector/hostlist.h"

namespace compss::connector {

namespace {

std::string str(const char* s) { return s ? std::string(s) : std::string(); }

int last_error() {
  int e = slurm_get_errno();
  return e != 0 ? e : SLURM_ERROR;
}

// Names of the pending/failure reasons the connector acts on or reports often; others by number.
std::string reason_text(std::uint16_t reason, const char* desc) {
  std::string name;
  switch (reason) {
    case WAIT_NO_REASON: name = ""; break;
    case WAIT_PRIORITY: name = "Priority"; break;
    case WAIT_DEPENDENCY: name = "Dependency"; break;
    case WAIT_RESOURCES: name = "Resources"; break;
    case WAIT_PART_NODE_LIMIT: name = "PartitionNodeLimit"; break;
    case WAIT_PART_TIME_LIMIT: name = "PartitionTimeLimit"; break;
    case WAIT_PART_DOWN: name = "PartitionDown"; break;
    case WAIT_PART_INACTIVE: name = "PartitionInactive"; break;
    case WAIT_HELD: name = "JobHeldAdmin"; break;
    case WAIT_HELD_USER: name = "JobHeldUser"; break;
    case WAIT_TIME: name = "BeginTime"; break;
    case WAIT_RESERVATION: name = "Reservation"; break;
    case WAIT_NODE_NOT_AVAIL: name = "ReqNodeNotAvail"; break;
    case WAIT_PROLOG: name = "Prolog"; break;
    case WAIT_DEP_INVALID: name = "DependencyNeverSatisfied"; break;
    case FAIL_DOWN_PARTITION: name = "PartitionDown"; break;
    case FAIL_DOWN_NODE: name = "NodeDown"; break;
    case FAIL_BAD_CONSTRAINTS: name = "BadConstraints"; break;
    case FAIL_SYSTEM: name = "SystemFailure"; break;
    case FAIL_LAUNCH: name = "JobLaunchFailure"; break;
    case FAIL_TIMEOUT: name = "TimeLimit"; break;
    case FAIL_INACTIVE_LIMIT: name = "InactiveLimit"; break;
    default: name = "reason " + std::to_string(reason); break;
  }
  std::string d = str(desc);
  if (d.empty() || d == name) return name;
  return name.empty() ? d : name + " (" + d + ")";
}

// The first record of a load answer that really is `job_id` (an array answer may hold several).
const slurm_job_info_t* find_record(const job_info_msg_t* msg, std::uint32_t job_id) {
  for (std::uint32_t i = 0; msg && i < msg->record_count; ++i)
    if (msg->job_array[i].job_id == job_id) return &msg->job_array[i];
  return nullptr;
}

JobFacts facts_of(const slurm_job_info_t& j) {
  JobFacts f;
  f.id = SlurmJobId(j.job_id);
  f.name = str(j.name);
  f.state = job_state_kind(j.job_state);
  f.state_name = job_state_text(j.job_state);
  f.configuring = (j.job_state & JOB_CONFIGURING) != 0;
  f.reason = reason_text(j.state_reason, j.state_desc);
  f.node_list = str(j.nodes);
  // SLURM's own list cannot fail to parse; an empty vector is the safe reading if it ever did.
  f.nodes = expand_hostlist(f.node_list).value_or({});
  f.num_nodes = j.num_nodes;
  f.num_cpus = j.num_cpus;
  f.partition = str(j.partition);
  f.user_id = j.user_id;
  f.group_id = j.group_id;
  f.user_name = str(j.user_name);
  f.batch_host = str(j.batch_host);
  if (j.time_limit != INFINITE && j.time_limit != NO_VAL) f.time_limit_min = j.time_limit;
  // What the job holds on each node, from the job's resources (loaded with SHOW_DETAIL). With
  // task/none nothing on the node confines the job to these CPUs: the agent does (topology.h).
  if (j.job_resrcs && (j.job_state & JOB_STATE_BASE) == JOB_RUNNING) {
    const bool per_cpu = j.pn_min_memory != NO_VAL64 && (j.pn_min_memory & MEM_PER_CPU);
    const std::uint64_t mem = j.pn_min_memory == NO_VAL64 ? 0 : (j.pn_min_memory & ~MEM_PER_CPU);
    for (const auto& node : f.nodes) {
      NodeAlloc a;
      a.node = node;
      char ids[1024] = {};
      if (slurm_job_cpus_allocated_str_on_node(ids, sizeof ids, j.job_resrcs, node.c_str()) == 0) a.cpu_ids = ids;
      const int n = slurm_job_cpus_allocated_on_node(j.job_resrcs, node.c_str());
      a.cpus = n > 0 ? static_cast<std::uint32_t>(n) : 0;
      a.memory_mb = per_cpu ? mem * a.cpus : mem;
      f.alloc.push_back(std::move(a));
    }
  }
  f.start_time = static_cast<std::int64_t>(j.start_time);
  f.end_time = static_cast<std::int64_t>(j.end_time);
  f.command = str(j.command);
  f.work_dir = str(j.work_dir);
  return f;
}

}  // namespace

std::string job_state_text(std::uint32_t state) {
  static const char* const kBase[] = {"PENDING",   "RUNNING",   "SUSPENDED", "COMPLETED",
                                      "CANCELLED", "FAILED",    "TIMEOUT",   "NODE_FAIL",
                                      "PREEMPTED", "BOOT_FAIL", "DEADLINE",  "OUT_OF_MEMORY"};
  std::uint32_t base = state & JOB_STATE_BASE;
  std::string s = base < JOB_END ? kBase[base] : "STATE_" + std::to_string(base);
  if (state & JOB_CONFIGURING) s += "+CONFIGURING";
  if (state & JOB_RESIZING) s += "+RESIZING";
  if (state & JOB_COMPLETING) s += "+COMPLETING";
  return s;
}

JobState job_state_kind(std::uint32_t state) {
  switch (state & JOB_STATE_BASE) {
    case JOB_PENDING: return JobState::kPending;
    case JOB_RUNNING: return JobState::kRunning;
    case JOB_SUSPENDED: return JobState::kSuspended;
    default: return JobState::kEnded;
  }
}

int SlurmController::load_conf(ConfStrings* out) {
  slurm_conf_t* conf = nullptr;
  if (slurm_load_ctl_conf(static_cast<time_t>(0), &conf) != SLURM_SUCCESS || conf == nullptr) return last_error();
  ConfStrings c;
  c.version = str(conf->version);
  c.cluster_name = str(conf->cluster_name);
  c.scheduler_parameters = str(conf->sched_params);
  c.accounting_storage_type = str(conf->accounting_storage_type);
  c.task_plugin = str(conf->task_plugin);
  slurm_free_ctl_conf(conf);
  *out = std::move(c);
  return 0;
}

int SlurmController::load_job(std::uint32_t job_id, JobFacts* out) {
  job_info_msg_t* msg = nullptr;
  if (slurm_load_job(&msg, job_id, SHOW_ALL | SHOW_DETAIL) != SLURM_SUCCESS) return last_error();
  const slurm_job_info_t* rec = find_record(msg, job_id);
  int rc = ESLURM_INVALID_JOB_ID;
  if (rec) {
    *out = facts_of(*rec);
    rc = 0;
  }
  slurm_free_job_info_msg(msg);
  return rc;
}

int SlurmController::load_nodes(std::vector<NodeFacts>* out) {
  node_info_msg_t* msg = nullptr;
  if (slurm_load_node(static_cast<time_t>(0), &msg, SHOW_ALL) != SLURM_SUCCESS || msg == nullptr) return last_error();
  std::vector<NodeFacts> nodes;
  for (std::uint32_t i = 0; i < msg->record_count; ++i) {
    const node_info_t& n = msg->node_array[i];
    if (!n.name) continue;  // a slot of a node removed from the configuration
    NodeFacts f;
    f.name = n.name;
    f.cpus = n.cpus;
    nodes.push_back(std::move(f));
  }
  slurm_free_node_info_msg(msg);
  *out = std::move(nodes);
  return 0;
}

int SlurmController::load_partitions(std::map<std::string, std::vector<std::string>>* out) {
  partition_info_msg_t* msg = nullptr;
  if (slurm_load_partitions(static_cast<time_t>(0), &msg, SHOW_ALL) != SLURM_SUCCESS || msg == nullptr)
    return last_error();
  std::map<std::string, std::vector<std::string>> parts;
  for (std::uint32_t i = 0; i < msg->record_count; ++i) {
    const partition_info_t& p = msg->partition_array[i];
    if (p.name) parts[p.name] = expand_hostlist(str(p.nodes)).value_or({});
  }
  slurm_free_partition_info_msg(msg);
  *out = std::move(parts);
  return 0;
}

// libslurm exports the free function that slurm.h names for slurm_job_will_run2's reply but does not
// declare it in the public headers (SLURM 22.05); its declaration in SLURM's own protocol header is this.
extern "C" void slurm_free_will_run_response_msg(will_run_response_msg_t* msg);

namespace {

// A job description for `spec`. libslurm takes char* but does not modify the strings: they live in
// `keep`, which must outlive `d`.
struct DescStrings {
  std::string name, dep, part, exc;
  char host[HOST_NAME_MAX + 1] = {};
};

void describe(const AllocSpec& spec, job_desc_msg_t& d, DescStrings& keep) {
  slurm_init_job_desc_msg(&d);
  keep.name = spec.name, keep.dep = spec.dependency, keep.part = spec.partition, keep.exc = spec.exclude;
  gethostname(keep.host, sizeof keep.host - 1);
  if (char* dot = std::strchr(keep.host, '.')) *dot = '\0';
  d.name = keep.name.data();
  if (!keep.dep.empty()) d.dependency = keep.dep.data();
  if (!keep.part.empty()) d.partition = keep.part.data();
  if (!keep.exc.empty()) d.exc_nodes = keep.exc.data();
  d.alloc_node = keep.host;
  d.min_nodes = spec.nodes;
  d.max_nodes = spec.nodes;
  d.shared = JOB_SHARED_NONE;  // exclusive: whole nodes, as the runtime places work per node
  // SLURM ignores exclusivity for an expand-helper (it shares nodes the way its target does, and is
  // placed on the target's own node when that has a free CPU); the CPU count is what makes it whole.
  if (spec.min_cpus) d.pn_min_cpus = static_cast<std::uint16_t>(std::min<std::uint32_t>(spec.min_cpus, 0xfffe));
  if (spec.time_limit_min) d.time_limit = *spec.time_limit_min;
  d.user_id = spec.user_id;
  d.group_id = spec.group_id;
}

}  // namespace

int SlurmController::allocate(const AllocSpec& spec, AllocReply* out) {
  job_desc_msg_t d;
  DescStrings keep;
  describe(spec, d, keep);
  resource_allocation_response_msg_t* resp = nullptr;
  if (slurm_allocate_resources(&d, &resp) != SLURM_SUCCESS || resp == nullptr) {
    if (resp) slurm_free_resource_allocation_response_msg(resp);
    return last_error();
  }
  AllocReply r;
  r.job_id = resp->job_id;
  r.node_list = str(resp->node_list);
  slurm_free_resource_allocation_response_msg(resp);
  *out = std::move(r);
  return 0;
}

int SlurmController::will_run(const AllocSpec& spec, WillRunReply* out) {
  job_desc_msg_t d;
  DescStrings keep;
  describe(spec, d, keep);
  will_run_response_msg_t* resp = nullptr;
  if (slurm_job_will_run2(&d, &resp) != SLURM_SUCCESS || resp == nullptr) {
    if (resp) slurm_free_will_run_response_msg(resp);
    return last_error();
  }
  WillRunReply r;
  r.start_time = static_cast<std::int64_t>(resp->start_time);
  r.node_list = str(resp->node_list);
  r.cpus = resp->proc_cnt;
  slurm_free_will_run_response_msg(resp);
  *out = std::move(r);
  return 0;
}

int SlurmController::update_min_nodes(std::uint32_t job_id, std::uint32_t min_nodes) {
  job_desc_msg_t u;
  slurm_init_job_desc_msg(&u);
  u.job_id = job_id;
  u.min_nodes = min_nodes;
  return slurm_update_job(&u) == SLURM_SUCCESS ? 0 : last_error();
}

int SlurmController::update_req_nodes(std::uint32_t job_id, const std::string& node_list) {
  job_desc_msg_t u;
  slurm_init_job_desc_msg(&u);
  std::string list = node_list;
  u.job_id = job_id;
  u.req_nodes = list.data();
  return slurm_update_job(&u) == SLURM_SUCCESS ? 0 : last_error();
}

int SlurmController::kill_job(std::uint32_t job_id) {
  if (slurm_kill_job(job_id, SIGKILL, 0) == SLURM_SUCCESS) return 0;
  int e = last_error();
  if (e == ESLURM_ALREADY_DONE || e == ESLURM_INVALID_JOB_ID) return 0;
  return e;
}

std::int64_t SlurmController::wall_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

}  // namespace compss::connector
