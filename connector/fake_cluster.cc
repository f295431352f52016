#include "connector/fake_cluster.h"

#include <algorithm>

#include <slurm/slurm_errno.h>

#include "common/util/parse.h"
#include "connector/hostlist.h"
#include "connector/mode.h"

namespace compss::connector {

namespace {

constexpr std::int64_t kWallEpoch = 1'700'000'000;  // a fixed "now" so that tests are reproducible

}  // namespace

ConfStrings FakeCluster::merge_capable_conf() {
  ConfStrings c;
  c.version = "22.05.8";
  c.cluster_name = "fake";
  c.scheduler_parameters = "permit_job_expansion";
  c.accounting_storage_type = "accounting_storage/slurmdbd";
  c.task_plugin = "task/none";
  return c;
}

FakeCluster::FakeCluster(Clock& clock, int nodes, ConfStrings conf)
    : clock_(clock), epoch_(clock.now()), conf_(std::move(conf)) {
  for (int i = 1; i <= nodes; ++i) nodes_.push_back("n" + std::to_string(i));
}

std::int64_t FakeCluster::wall_seconds() {
  return kWallEpoch + std::chrono::duration_cast<std::chrono::seconds>(clock_.now() - epoch_).count();
}

void FakeCluster::fail_next(RpcKind kind, int code, int times) {
  auto& q = injected_[static_cast<std::size_t>(kind)];
  for (int i = 0; i < times; ++i) q.push_back(code);
}

int FakeCluster::enter(RpcKind kind) {
  auto k = static_cast<std::size_t>(kind);
  calls_[k]++;
  clock_.sleep_for(latency_);
  if (injected_[k].empty()) return 0;
  int code = injected_[k].front();
  injected_[k].erase(injected_[k].begin());
  return code;
}

std::vector<std::string> FakeCluster::sorted(std::vector<std::string> names) const {
  auto index = [&](const std::string& n) { return std::find(nodes_.begin(), nodes_.end(), n) - nodes_.begin(); };
  std::sort(names.begin(), names.end(), [&](const auto& a, const auto& b) { return index(a) < index(b); });
  return names;
}

std::set<std::uint32_t> FakeCluster::used(const std::string& node) const {
  std::set<std::uint32_t> out;
  for (const auto& [id, j] : jobs_) {
    if (j.facts.state != JobState::kRunning) continue;
    if (auto it = j.cpus.find(node); it != j.cpus.end()) out.insert(it->second.begin(), it->second.end());
  }
  return out;
}

std::set<std::uint32_t> FakeCluster::free_cpus(const std::string& node) const {
  const std::set<std::uint32_t> busy = used(node);
  std::set<std::uint32_t> ids;
  for (std::uint32_t c = 0; c < kCpusPerNode; ++c)
    if (!busy.count(c)) ids.insert(c);
  return ids;
}

FakeCluster::Job FakeCluster::test_job(const std::string& name, std::uint32_t time_limit_min) {
  Job j;
  j.facts.id = SlurmJobId(next_id_++);
  j.facts.name = name;
  j.facts.partition = "debug";
  j.facts.user_id = 1000;
  j.facts.group_id = 1000;
  j.facts.time_limit_min = time_limit_min;
  return j;
}

std::vector<std::string> FakeCluster::free_nodes() const {
  std::vector<std::string> out;
  for (const auto& n : nodes_)
    if (used(n).empty()) out.push_back(n);
  return out;
}

const JobFacts* FakeCluster::find(SlurmJobId job) const {
  auto it = jobs_.find(job.value());
  return it == jobs_.end() ? nullptr : &it->second.facts;
}

void FakeCluster::set_cpus(Job& j, std::map<std::string, std::set<std::uint32_t>> cpus) {
  j.cpus = std::move(cpus);
  std::vector<std::string> names;
  for (const auto& [n, ids] : j.cpus) names.push_back(n);
  j.facts.nodes = sorted(std::move(names));
  j.facts.node_list = compress_hostlist(j.facts.nodes).value_or("");
  j.facts.num_nodes = static_cast<std::uint32_t>(j.facts.nodes.size());
  j.facts.num_cpus = 0;
  j.facts.alloc.clear();
  for (const auto& n : j.facts.nodes) {
    const auto& ids = j.cpus.at(n);
    NodeAlloc a;
    a.node = n;
    a.cpus = static_cast<std::uint32_t>(ids.size());
    a.cpu_ids = format_cpu_list(std::vector<std::uint32_t>(ids.begin(), ids.end()));
    j.facts.num_cpus += a.cpus;
    j.facts.alloc.push_back(std::move(a));
  }
}

// Like SLURM, an ended job still lists the nodes it had; they are free for others all the same (used()
// counts running jobs only).
void FakeCluster::end(Job& j, const char* state) {
  j.facts.state = JobState::kEnded;
  j.facts.state_name = state;
  j.facts.end_time = wall_seconds();
}

void FakeCluster::try_start(Job& j) {
  if (j.expand_target) {
    auto t = jobs_.find(j.expand_target);
    if (t == jobs_.end() || t->second.facts.state == JobState::kEnded) {
      j.facts.reason = "DependencyNeverSatisfied";
      return;
    }
    if (t->second.facts.state != JobState::kRunning) {
      j.facts.reason = "Dependency";
      return;
    }
  }
  std::map<std::string, std::set<std::uint32_t>> pick;
  for (const auto& n : nodes_) {
    if (pick.size() == j.want) break;
    if (j.exclude.count(n)) continue;
    std::set<std::uint32_t> ids = free_cpus(n);
    if (!j.expand_target) {
      if (ids.size() < kCpusPerNode) continue;  // exclusive: whole free nodes only
    } else {
      const std::uint32_t want = std::max<std::uint32_t>(1, j.min_cpus);
      if (ids.size() < want) continue;
      while (ids.size() > want) ids.erase(std::prev(ids.end()));
    }
    pick.emplace(n, std::move(ids));
  }
  if (pick.size() < j.want) {
    j.facts.reason = "Resources";
    return;
  }
  set_cpus(j, std::move(pick));
  j.facts.state = JobState::kRunning;
  j.facts.state_name = "RUNNING";
  j.facts.reason = "";
  j.facts.start_time = wall_seconds();
  if (j.expand_target) {
    // SLURM gives an expand-helper the time its target has left.
    const JobFacts& t = jobs_.at(j.expand_target).facts;
    if (t.end_time > j.facts.start_time) j.facts.time_limit_min = static_cast<std::uint32_t>((t.end_time - j.facts.start_time) / 60);
  }
  j.facts.end_time = j.facts.time_limit_min ? j.facts.start_time + 60 * std::int64_t{*j.facts.time_limit_min} : 0;
}

void FakeCluster::schedule() {
  for (auto& [id, j] : jobs_)
    if (j.facts.state == JobState::kPending) try_start(j);
}

Result<SlurmJobId> FakeCluster::start_job(const std::string& name, std::uint32_t nodes, std::uint32_t time_limit_min) {
  Job j = test_job(name, time_limit_min);
  j.want = nodes;
  j.facts.state = JobState::kPending;
  try_start(j);
  if (j.facts.state != JobState::kRunning)
    return fail("fake cluster: no ", std::to_string(nodes), " free nodes for job '", name, "'");
  j.facts.batch_host = j.facts.nodes.front();
  SlurmJobId id = j.facts.id;
  jobs_.emplace(id.value(), std::move(j));
  return id;
}

Result<SlurmJobId> FakeCluster::start_partial_job(const std::string& name, const std::string& node,
                                                  std::uint32_t cpus) {
  if (std::find(nodes_.begin(), nodes_.end(), node) == nodes_.end()) return fail("fake cluster: no node ", node);
  std::set<std::uint32_t> ids = free_cpus(node);
  if (cpus == 0 || ids.size() < cpus)
    return fail("fake cluster: node ", node, " has no ", std::to_string(cpus), " free CPUs for job '", name, "'");
  while (ids.size() > cpus) ids.erase(std::prev(ids.end()));  // the lowest free ids
  Job j = test_job(name, 60);
  j.facts.state = JobState::kRunning;
  j.facts.state_name = "RUNNING";
  j.facts.start_time = wall_seconds();
  j.facts.end_time = j.facts.start_time + 3600;
  set_cpus(j, {{node, ids}});
  j.facts.batch_host = node;
  SlurmJobId id = j.facts.id;
  jobs_.emplace(id.value(), std::move(j));
  return id;
}

int FakeCluster::load_conf(ConfStrings* out) {
  if (int e = enter(RpcKind::kLoadConf)) return e;
  *out = conf_;
  return 0;
}

int FakeCluster::load_job(std::uint32_t job_id, JobFacts* out) {
  if (int e = enter(RpcKind::kLoadJob)) return e;
  schedule();
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) return ESLURM_INVALID_JOB_ID;
  *out = it->second.facts;
  return 0;
}

int FakeCluster::load_nodes(std::vector<NodeFacts>* out) {
  if (int e = enter(RpcKind::kLoadNodes)) return e;
  out->clear();
  for (const auto& n : nodes_) out->push_back(NodeFacts{n, kCpusPerNode, {}});
  return 0;
}

int FakeCluster::load_partitions(std::map<std::string, std::vector<std::string>>* out) {
  if (int e = enter(RpcKind::kLoadNodes)) return e;
  *out = {{"debug", nodes_}};
  return 0;
}

int FakeCluster::allocate(const AllocSpec& spec, AllocReply* out) {
  if (int e = enter(RpcKind::kAllocate)) return e;
  if (spec.nodes == 0) return ESLURM_INVALID_NODE_COUNT;
  if (spec.nodes > nodes_.size()) return ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE;
  if (!spec.partition.empty() && spec.partition != "debug") return ESLURM_INVALID_PARTITION_NAME;
  Job j;
  if (!spec.dependency.empty()) {
    const std::string prefix = "expand:";
    if (spec.dependency.rfind(prefix, 0) != 0) return ESLURM_DEPENDENCY;
    auto target = jobs_.find(static_cast<std::uint32_t>(std::stoul(spec.dependency.substr(prefix.size()))));
    if (target == jobs_.end() || target->second.facts.state != JobState::kRunning) return ESLURM_DEPENDENCY;
    j.expand_target = target->first;
  }
  auto excluded = expand_hostlist(spec.exclude);
  if (!excluded) return ESLURM_INVALID_NODE_NAME;
  j.exclude.insert(excluded->begin(), excluded->end());
  j.facts.id = SlurmJobId(next_id_++);
  j.facts.name = spec.name;
  j.facts.partition = "debug";
  j.facts.user_id = spec.user_id;
  j.facts.group_id = spec.group_id;
  j.facts.time_limit_min = spec.time_limit_min;
  j.facts.state = JobState::kPending;
  j.facts.state_name = "PENDING";
  j.want = spec.nodes;
  j.min_cpus = spec.min_cpus;
  try_start(j);
  AllocReply r;
  r.job_id = j.facts.id.value();
  r.node_list = j.facts.node_list;
  jobs_.emplace(r.job_id, std::move(j));
  *out = r;
  return 0;
}

// Whole free nodes now, then the nodes of running jobs in the order their time limits end them.
int FakeCluster::will_run(const AllocSpec& spec, WillRunReply* out) {
  if (int e = enter(RpcKind::kWillRun)) return e;
  if (spec.nodes == 0) return ESLURM_INVALID_NODE_COUNT;
  if (!spec.partition.empty() && spec.partition != "debug") return ESLURM_INVALID_PARTITION_NAME;
  auto excluded = expand_hostlist(spec.exclude);
  if (!excluded) return ESLURM_INVALID_NODE_NAME;
  const std::set<std::string> skip(excluded->begin(), excluded->end());
  std::vector<std::string> got;
  for (const std::string& n : nodes_)
    if (!skip.count(n) && used(n).empty()) got.push_back(n);
  std::int64_t start = wall_seconds();
  std::vector<const Job*> ending;
  for (const auto& [id, j] : jobs_)
    if (j.facts.state == JobState::kRunning) ending.push_back(&j);
  std::sort(ending.begin(), ending.end(), [](const Job* a, const Job* b) {
    const auto end = [](const Job* j) { return j->facts.end_time ? j->facts.end_time : INT64_MAX; };
    return end(a) < end(b);
  });
  for (const Job* j : ending) {
    if (got.size() >= spec.nodes) break;
    if (j->facts.end_time == 0) break;  // unlimited: SLURM cannot say when
    for (const auto& [node, ids] : j->cpus)
      if (!skip.count(node) && std::find(got.begin(), got.end(), node) == got.end()) got.push_back(node);
    start = std::max(start, j->facts.end_time);
  }
  if (got.size() < spec.nodes) return ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE;
  got.resize(spec.nodes);
  WillRunReply r;
  r.start_time = start;
  r.node_list = compress_hostlist(sorted(got)).value_or("");
  r.cpus = spec.nodes * kCpusPerNode;
  *out = std::move(r);
  return 0;
}

FakeCluster::Job* FakeCluster::running(std::uint32_t job_id, int* code) {
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) {
    *code = ESLURM_INVALID_JOB_ID;
    return nullptr;
  }
  if (it->second.facts.state != JobState::kRunning) {
    *code = it->second.facts.state == JobState::kPending ? ESLURM_JOB_PENDING : ESLURM_ALREADY_DONE;
    return nullptr;
  }
  if (it->second.db_index_pending) {
    *code = ESLURM_JOB_SETTING_DB_INX;
    return nullptr;
  }
  return &it->second;
}

int FakeCluster::update_min_nodes(std::uint32_t job_id, std::uint32_t min_nodes) {
  if (int e = enter(RpcKind::kUpdateJob)) return e;
  int code = 0;
  Job* j = running(job_id, &code);
  if (!j) return code;
  if (min_nodes == kAllNodes) return 0;
  if (min_nodes == 0) {
    if (!j->expand_target) return ESLURM_INVALID_NODE_COUNT;
    if (!list_has(conf_.scheduler_parameters, "permit_job_expansion")) return ESLURM_NOT_SUPPORTED;
    Job* target = running(j->expand_target, &code);
    if (!target) return code;
    auto merged = target->cpus;
    for (const auto& [n, ids] : j->cpus) merged[n].insert(ids.begin(), ids.end());
    set_cpus(*j, {});
    set_cpus(*target, std::move(merged));
    end(*j, "COMPLETED");
    if (conf_.accounting_storage_type != "accounting_storage/slurmdbd") target->db_index_pending = true;
    return 0;
  }
  if (min_nodes < j->facts.num_nodes) {
    auto keep = j->cpus;
    for (std::size_t i = min_nodes; i < j->facts.nodes.size(); ++i) keep.erase(j->facts.nodes[i]);
    set_cpus(*j, std::move(keep));
    schedule();
  }
  return 0;
}

int FakeCluster::update_req_nodes(std::uint32_t job_id, const std::string& node_list) {
  if (int e = enter(RpcKind::kUpdateJob)) return e;
  int code = 0;
  Job* j = running(job_id, &code);
  if (!j) return code;
  auto want = expand_hostlist(node_list);
  if (!want || want->empty()) return ESLURM_INVALID_NODE_NAME;
  for (const auto& n : *want)
    if (std::find(j->facts.nodes.begin(), j->facts.nodes.end(), n) == j->facts.nodes.end())
      return ESLURM_INVALID_NODE_NAME;
  std::map<std::string, std::set<std::uint32_t>> keep;
  for (const auto& n : *want) keep[n] = j->cpus.at(n);
  set_cpus(*j, std::move(keep));
  schedule();
  return 0;
}

int FakeCluster::kill_job(std::uint32_t job_id) {
  if (int e = enter(RpcKind::kKillJob)) return e;
  auto it = jobs_.find(job_id);
  if (it == jobs_.end() || it->second.facts.state == JobState::kEnded) return 0;
  end(it->second, "CANCELLED");
  schedule();
  return 0;
}

}  // namespace compss::connector
