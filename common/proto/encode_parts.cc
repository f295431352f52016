// encode_parts.cc - see encode_parts.h.
#include "common/proto/encode_parts.h"

namespace compss::proto::detail {
namespace {

json amount_json(const Amount& a) { return json{{"name", a.name}, {"amount", a.amount}}; }

json gpu_json(const GpuDesc& g) {
  json j{{"id", g.id}};
  put_vec(j, "close_cores", g.close_cores);
  return j;
}

json running_json(const RunningTask& r) {
  json j{{"task", r.task}, {"attempt", r.attempt}, {"pid", r.pid}};
  if (!r.cores.empty()) j["cores"] = r.cores;
  if (!r.gpus.empty()) j["gpus"] = r.gpus;
  return j;
}

json output_ref_json(const OutputRef& o) {
  json j{{"file", o.file}};
  put_if(j, "offset", o.offset);
  put_if(j, "length", o.length);
  return j;
}

json output_policy_json(const OutputPolicy& o) {
  json j = json::object();
  if (o.mode != OutputMode::kStream) j["mode"] = word_json(o.mode);
  put_if(j, "limit", o.limit, OutputPolicy{}.limit);
  return j;
}

json mpi_slot_json(const MpiSlot& s) {
  json j{{"node", s.node}, {"ranks", s.ranks}, {"cores", s.cores}};
  put_vec(j, "gpus", s.gpus);
  return j;
}

json mpi_json(const MpiLaunch& m) {
  json j{{"ranks", m.ranks}};
  put_list(j, "slots", m.slots, mpi_slot_json);
  if (m.slots.empty()) j["slots"] = json::array();  // required: written even when empty
  return j;
}

json array_json(const ArraySpec& a) {
  json j{{"first", a.first}, {"last", a.last}};
  put_if(j, "step", a.step, std::uint64_t{1});
  return j;
}

}  // namespace

json ids_json(const IdList& ids) {
  json arr = json::array();
  for (const IdRange& r : ids) {
    if (r.first == r.last)
      arr.push_back(r.first);
    else
      arr.push_back(json::array({r.first, r.last}));
  }
  return arr;
}

json task_spec_json(const TaskSpec& t) {
  json j{{"argv", t.argv}, {"cwd", t.cwd}};
  put_str(j, "name", t.name);
  put_vec(j, "env", t.env);
  put_vec(j, "exported", t.exported);
  put_if(j, "export_all", t.export_all);
  put_vec(j, "env_unset", t.env_unset);
  put_vec(j, "in", t.in);
  put_vec(j, "out", t.out);
  put_vec(j, "inout", t.inout);
  put_vec(j, "after", t.after);
  put_if(j, "cpus", t.cpus, std::uint32_t{1});
  put_if(j, "memory", t.memory);
  put_if(j, "gpus", t.gpus);
  put_if(j, "nodes", t.nodes, std::uint32_t{1});
  put_if(j, "ranks", t.ranks, std::uint32_t{1});
  put_if(j, "ranks_per_node", t.ranks_per_node);
  put_if(j, "mpi", t.mpi);
  put_list(j, "custom", t.custom, amount_json);
  put_if(j, "time_limit_s", t.time_limit_s);
  if (t.on_failure != OnFailure::kRetry) j["on_failure"] = word_json(t.on_failure);
  if (t.retries) j["retries"] = *t.retries;
  put_if(j, "timeout_s", t.timeout_s);
  put_if(j, "priority", t.priority);
  if (t.group) j["group"] = *t.group;
  if (t.array) j["array"] = array_json(*t.array);
  return j;
}

json issue_json(const TaskIssue& i) {
  json j{{"id", i.id}};
  put_str(j, "name", i.name);
  put_str(j, "reason", i.reason);
  return j;
}

json counts_json(const StateCounts& c) {
  json j = json::object();
  put_if(j, "pending", c.pending);
  put_if(j, "ready", c.ready);
  put_if(j, "scheduled", c.scheduled);
  put_if(j, "running", c.running);
  put_if(j, "done", c.done);
  put_if(j, "failed", c.failed);
  put_if(j, "cancelled", c.cancelled);
  put_if(j, "cached", c.cached);
  put_if(j, "held", c.held);
  return j;
}

json node_info_json(const NodeInfo& n) {
  json j{{"name", n.name}, {"state", word_json(n.state)}};
  put_if(j, "cores", n.cores);
  put_if(j, "busy", n.busy);
  put_if(j, "request", n.request);
  put_if(j, "helper_job", n.helper_job);
  for (auto [key, t] : {std::pair{"granted", n.granted}, {"joined", n.joined}, {"drained", n.drained}, {"left", n.left}})
    if (t >= 0) j[key] = t;
  put_if(j, "tasks_run", n.tasks_run);
  put_str(j, "why", n.why);
  put_str(j, "cpus", n.cpus);
  if (n.quarantined >= 0) j["quarantined"] = n.quarantined;
  return j;
}

json event_json(const EventRecord& e) {
  json j{{"t", e.t}, {"kind", e.kind}};
  put_str(j, "node", e.node);
  if (e.task) j["task"] = *e.task;
  put_if(j, "request", e.request);
  put_if(j, "count", e.count);
  put_str(j, "cause", e.cause);
  put_str(j, "text", e.text);
  return j;
}

json task_info_json(const TaskInfo& t) {
  json j{{"id", t.id}, {"state", word_json(t.state)}};
  put_str(j, "name", t.name);
  put_str(j, "node", t.node);
  if (t.exit_code) j["exit_code"] = *t.exit_code;
  put_if(j, "signal", t.signal);
  put_if(j, "attempts", t.attempts);
  put_str(j, "reason", t.reason);
  if (t.cached) j["cached"] = true;
  return j;
}

void write(json& j, const Assign& m) {
  j["task"] = m.task;
  j["attempt"] = m.attempt;
  put_str(j, "name", m.name);
  j["argv"] = m.argv;
  j["cwd"] = m.cwd;
  put_vec(j, "env", m.env);
  put_vec(j, "env_unset", m.env_unset);
  j["cores"] = m.cores;
  put_vec(j, "gpus", m.gpus);
  put_if(j, "memory", m.memory);
  if (m.output != OutputPolicy{}) j["output"] = output_policy_json(m.output);
  if (m.mpi) j["mpi"] = mpi_json(*m.mpi);
}

void write(json& j, const Kill& m) {
  j["task"] = m.task;
  put_if(j, "attempt", m.attempt);
  put_if(j, "signal", m.signal, std::uint32_t{15});
  put_if(j, "grace_s", m.grace_s, std::uint32_t{10});
  put_str(j, "reason", m.reason);
}

void write(json& j, const Stop& m) { put_if(j, "grace_s", m.grace_s, std::uint32_t{10}); }

void write(json& j, const Register& m) {
  j["node"] = m.node;
  j["cores"] = m.cores;
  put_if(j, "memory", m.memory);
  put_list(j, "gpus", m.gpus, gpu_json);
  put_list(j, "custom", m.custom, amount_json);
  put_str(j, "numa", m.numa);
  put_list(j, "running", m.running, running_json);
}

void write(json& j, const Started& m) {
  j["task"] = m.task;
  j["attempt"] = m.attempt;
  j["pid"] = m.pid;
}

void write(json& j, const Finished& m) {
  j["task"] = m.task;
  j["attempt"] = m.attempt;
  j["cause"] = word_json(m.cause);
  if (m.exit_code) j["exit_code"] = *m.exit_code;
  put_if(j, "signal", m.signal);
  put_if(j, "cpu_time_s", m.cpu_time_s);
  put_if(j, "max_rss", m.max_rss);
  put_if(j, "wall_s", m.wall_s);
  if (m.output) j["output"] = output_ref_json(*m.output);
  put_str(j, "reason", m.reason);
  put_str(j, "output_lost", m.output_lost);
}

void write(json&, const Heartbeat&) {}

}  // namespace compss::proto::detail
