// expand_roundtrip.cc - integration probe: one job expansion round trip through libslurm.
//
//   expand_roundtrip JOBID               grow the running job JOBID by one node, then shrink it back
//   expand_roundtrip grow JOBID          only the grow half
//   expand_roundtrip shrink JOBID NODE   only the shrink half: JOBID keeps NODE, its other nodes go idle
//
// Grow: allocate a helper job with dependency expand:JOBID, --exclusive, one node and no steps
// (slurm_allocate_resources_blocking), merge it (helper min_nodes=0, then JOBID min_nodes=INFINITE)
// and check with slurm_load_job that JOBID holds its nodes plus the helper's node.
// Shrink: update JOBID req_nodes=NODE, check it holds NODE only and that the released nodes are idle
// (slurm_load_node).
//
// Every step prints "step <what>: <detail> (<ms> ms)". Any mismatch prints "error: <what>" and the
// exit status is 1 (2 for a usage error). A helper job that could not be merged is cancelled.
// Needs a cluster with SchedulerParameters=permit_job_expansion, slurmdbd accounting and
// TaskPlugin=task/none (tests/cluster/). Single-threaded.
#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/util/parse.h"
#include "common/util/result.h"

namespace compss::itest {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kAllocateTimeoutS = 60;
constexpr int kIdleTimeoutMs = 10000;

struct Job {
  uint32_t id = 0;
  uint32_t state = 0;
  std::vector<std::string> hosts;  // in host-list order
  std::string nodes;               // the compact host list, e.g. "n[1-2]"
};

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

void step(std::string_view what, const std::string& detail, Clock::time_point t0) {
  std::printf("step %.*s: %s (%.1f ms)\n", static_cast<int>(what.size()), what.data(), detail.c_str(), ms_since(t0));
  std::fflush(stdout);
}

std::string slurm_error() {
  return slurm_strerror(slurm_get_errno());
}

// libslurm has names for states but does not declare them in slurm.h; these tables follow the enums.
std::string job_state_name(uint32_t state) {
  static const char* const kNames[] = {"PENDING", "RUNNING",   "SUSPENDED", "COMPLETED", "CANCELLED", "FAILED",
                                       "TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE",  "OOM"};
  uint32_t base = state & JOB_STATE_BASE;
  return base < std::size(kNames) ? kNames[base] : "state " + std::to_string(state);
}

std::string node_state_name(uint32_t state) {
  static const char* const kNames[] = {"UNKNOWN", "DOWN", "IDLE", "ALLOCATED", "ERROR", "MIXED", "FUTURE"};
  uint32_t base = state & NODE_STATE_BASE;
  std::string name = base < std::size(kNames) ? kNames[base] : "state " + std::to_string(base);
  if (state & NODE_STATE_COMPLETING) name += "+COMPLETING";
  if (state & NODE_STATE_DRAIN) name += "+DRAIN";
  if (state & NODE_STATE_NO_RESPOND) name += "+NOT_RESPONDING";
  return name;
}

std::vector<std::string> expand_hosts(const char* list) {
  std::vector<std::string> hosts;
  if (list == nullptr || *list == '\0') return hosts;
  hostlist_t hl = slurm_hostlist_create(list);
  while (char* h = slurm_hostlist_shift(hl)) {
    hosts.emplace_back(h);
    free(h);
  }
  slurm_hostlist_destroy(hl);
  return hosts;
}

Result<Job> load_job(uint32_t id) {
  job_info_msg_t* msg = nullptr;
  if (slurm_load_job(&msg, id, SHOW_ALL) != SLURM_SUCCESS)
    return fail("slurm_load_job(", std::to_string(id), "): ", slurm_error());
  if (msg->record_count == 0) {
    slurm_free_job_info_msg(msg);
    return fail("job ", std::to_string(id), " is unknown to slurmctld");
  }
  const slurm_job_info_t& j = msg->job_array[0];
  Job job{id, j.job_state & JOB_STATE_BASE, expand_hosts(j.nodes), j.nodes ? j.nodes : ""};
  slurm_free_job_info_msg(msg);
  return job;
}

Status update_job(job_desc_msg_t& desc, std::string_view what) {
  if (slurm_update_job(&desc) == SLURM_SUCCESS) return ok_status();
  return fail("update job ", std::to_string(desc.job_id), " ", what, ": ", slurm_error());
}

Status set_min_nodes(uint32_t id, uint32_t min_nodes, std::string_view what) {
  job_desc_msg_t desc;
  slurm_init_job_desc_msg(&desc);
  desc.job_id = id;
  desc.min_nodes = min_nodes;
  return update_job(desc, what);
}

Status set_req_nodes(uint32_t id, const std::string& nodes) {
  job_desc_msg_t desc;
  slurm_init_job_desc_msg(&desc);
  desc.job_id = id;
  std::string copy = nodes;  // the API takes a mutable string
  desc.req_nodes = copy.data();
  return update_job(desc, "req_nodes=" + nodes);
}

// The helper job: no batch script and hence no step, which is what lets slurmctld merge it.
Result<Job> allocate_helper(uint32_t job_id) {
  std::string dependency = "expand:" + std::to_string(job_id);
  std::string name = "compss_expand_probe";
  job_desc_msg_t desc;
  slurm_init_job_desc_msg(&desc);
  desc.name = name.data();
  desc.dependency = dependency.data();
  desc.min_nodes = 1;
  desc.max_nodes = 1;
  desc.shared = JOB_SHARED_NONE;
  desc.user_id = getuid();
  desc.group_id = getgid();
  resource_allocation_response_msg_t* r = slurm_allocate_resources_blocking(&desc, kAllocateTimeoutS, nullptr);
  if (r == nullptr) return fail("allocating the helper job (", dependency, "): ", slurm_error());
  Job helper{r->job_id, JOB_RUNNING, expand_hosts(r->node_list), r->node_list ? r->node_list : ""};
  slurm_free_resource_allocation_response_msg(r);
  if (helper.hosts.size() != 1)
    return fail("helper job ", std::to_string(helper.id), " got nodes '", helper.nodes, "', expected one node");
  return helper;
}

Result<Job> running_job(uint32_t id) {
  auto job = load_job(id);
  if (!job) return job;
  if (job->state != JOB_RUNNING)
    return fail("job ", std::to_string(id), " is ", job_state_name(job->state), ", not RUNNING");
  return job;
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

Status check_grown(const Job& before, const Job& helper) {
  auto after = running_job(before.id);
  if (!after) return after.error();
  bool kept_all = std::all_of(before.hosts.begin(), before.hosts.end(),
                              [&](const std::string& h) { return contains(after->hosts, h); });
  if (after->hosts.size() != before.hosts.size() + 1 || !kept_all || !contains(after->hosts, helper.hosts[0]))
    return fail("after the merge job ", std::to_string(before.id), " holds '", after->nodes, "', expected '",
                before.nodes, "' plus ", helper.hosts[0]);
  auto h = load_job(helper.id);
  if (h && h->state == JOB_RUNNING && !h->hosts.empty())
    return fail("helper job ", std::to_string(helper.id), " still runs on '", h->nodes, "' after the merge");
  return ok_status();
}

Result<Job> grow(uint32_t id) {
  auto before = running_job(id);
  if (!before) return before.error();
  auto t0 = Clock::now();
  auto t = t0;
  auto helper = allocate_helper(id);
  if (!helper) return helper.error();
  step("allocate helper", "job " + std::to_string(helper->id) + " on " + helper->nodes, t);
  t = Clock::now();
  if (auto s = set_min_nodes(helper->id, 0, "min_nodes=0 (merge into " + std::to_string(id) + ")"); !s) {
    slurm_kill_job(helper->id, SIGKILL, 0);
    return s.error();
  }
  step("merge helper", "helper min_nodes=0", t);
  t = Clock::now();
  if (auto s = set_min_nodes(id, INFINITE, "min_nodes=INFINITE (take all nodes)"); !s) return s.error();
  step("take merged nodes", "job min_nodes=INFINITE", t);
  t = Clock::now();
  if (auto s = check_grown(*before, *helper); !s) return s.error();
  auto after = load_job(id);
  if (!after) return after;
  step("check grown", "job " + std::to_string(id) + " holds " + after->nodes, t);
  step("grow total", before->nodes + " -> " + after->nodes, t0);
  return after;
}

Status wait_idle(const std::vector<std::string>& nodes) {
  auto t0 = Clock::now();
  for (const auto& name : nodes) {
    uint32_t state = NODE_STATE_UNKNOWN;
    while (true) {
      node_info_msg_t* msg = nullptr;
      std::string copy = name;
      if (slurm_load_node_single(&msg, copy.data(), SHOW_ALL) != SLURM_SUCCESS)
        return fail("slurm_load_node(", name, "): ", slurm_error());
      state = msg->record_count ? msg->node_array[0].node_state : uint32_t{NODE_STATE_UNKNOWN};
      slurm_free_node_info_msg(msg);
      if ((state & NODE_STATE_BASE) == NODE_STATE_IDLE && !(state & NODE_STATE_COMPLETING)) break;
      if (ms_since(t0) > kIdleTimeoutMs)
        return fail("released node ", name, " is ", node_state_name(state), ", not idle, after ",
                    std::to_string(kIdleTimeoutMs), " ms");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  step("released nodes idle", compss::join(nodes, ","), t0);
  return ok_status();
}

Status shrink(uint32_t id, const std::string& keep) {
  auto before = running_job(id);
  if (!before) return before.error();
  if (!contains(before->hosts, keep))
    return fail("job ", std::to_string(id), " holds '", before->nodes, "', which does not include ", keep);
  std::vector<std::string> released;
  for (const auto& h : before->hosts)
    if (h != keep) released.push_back(h);
  auto t = Clock::now();
  if (auto s = set_req_nodes(id, keep); !s) return s;
  step("shrink", "job req_nodes=" + keep, t);
  t = Clock::now();
  auto after = running_job(id);
  if (!after) return after.error();
  if (after->hosts != std::vector<std::string>{keep})
    return fail("after the shrink job ", std::to_string(id), " holds '", after->nodes, "', expected ", keep);
  step("check shrunk", "job " + std::to_string(id) + " holds " + after->nodes, t);
  return released.empty() ? ok_status() : wait_idle(released);
}

Status roundtrip(uint32_t id) {
  auto before = running_job(id);
  if (!before) return before.error();
  if (before->hosts.empty()) return fail("job ", std::to_string(id), " holds no nodes");
  auto t0 = Clock::now();
  auto grown = grow(id);
  if (!grown) return grown.error();
  if (auto s = shrink(id, before->hosts[0]); !s) return s;
  step("round trip total", before->nodes + " -> " + grown->nodes + " -> " + before->hosts[0], t0);
  return ok_status();
}

Result<uint32_t> parse_job_id(std::string_view s) {
  uint32_t id = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || end != s.data() + s.size() || id == 0) return fail("'", s, "' is not a job id");
  return id;
}

int usage() {
  std::fprintf(stderr,
               "usage: expand_roundtrip JOBID | grow JOBID | shrink JOBID NODE\n"
               "  JOBID: a running job (sbatch -N1 --exclusive) on a cluster with permit_job_expansion\n");
  return 2;
}

Status run(const std::vector<std::string_view>& args) {
  std::string_view mode = args.size() == 1 ? "roundtrip" : args[0];
  auto id = parse_job_id(args.size() == 1 ? args[0] : args[1]);
  if (!id) return id.error();
  if (mode == "roundtrip") return roundtrip(*id);
  if (mode == "grow") {
    auto grown = grow(*id);
    return grown ? ok_status() : Status(grown.error());
  }
  return shrink(*id, std::string(args[2]));
}

bool valid_args(const std::vector<std::string_view>& a) {
  return a.size() == 1 || (a.size() == 2 && a[0] == "grow") || (a.size() == 3 && a[0] == "shrink");
}

}  // namespace
}  // namespace compss::itest

int main(int argc, char** argv) {
  using namespace compss::itest;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (!valid_args(args)) return usage();
  slurm_init(nullptr);
  auto status = run(args);
  slurm_fini();
  if (!status) {
    std::printf("error: %s\n", status.error().message.c_str());
    return 1;
  }
  return 0;
}
