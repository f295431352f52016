// decode_parts.cc - see decode_parts.h.
#include "common/proto/decode_parts.h"

#include <string>

namespace compss::proto::detail {
namespace {

void read_amount(Reader& r, Amount& a) {
  r.str("name", a.name, kRequired, true);
  r.u64("amount", a.amount, kRequired);
}

void read_array(Reader& r, ArraySpec& a) {
  r.u64("first", a.first, kRequired);
  r.u64("last", a.last, kRequired);
  r.u64("step", a.step, kOptional, 1);
  if (!r.ok()) return;
  if (a.first > a.last)
    return r.fail("last", "must be >= first (" + std::to_string(a.first) + "), got " + std::to_string(a.last));
  std::uint64_t indices = (a.last - a.first) / a.step;  // one less than the count: cannot overflow
  if (indices >= kMaxArrayIndices)
    r.fail("last", "makes more than " + std::to_string(kMaxArrayIndices) + " indices");
}

void read_gpu(Reader& r, GpuDesc& g) {
  r.u32("id", g.id, kRequired);
  r.u32_list("close_cores", g.close_cores);
}

void read_running(Reader& r, RunningTask& t) {
  r.u64("task", t.task, kRequired);
  r.u32("attempt", t.attempt, kRequired, 1);
  r.u32("pid", t.pid, kRequired, 1, kMaxPid);
  r.u32_list("cores", t.cores);
  r.u32_list("gpus", t.gpus);
}

void read_output_policy(Reader& r, OutputPolicy& o) {
  r.word("mode", o.mode);
  r.u64("limit", o.limit);
}

void read_output_ref(Reader& r, OutputRef& o) {
  r.str("file", o.file, kRequired, true);
  r.u64("offset", o.offset);
  r.u64("length", o.length);
}

void read_mpi_slot(Reader& r, MpiSlot& s) {
  r.str("node", s.node, kRequired, true);
  r.u32("ranks", s.ranks, kRequired, 1);
  r.u32_list("cores", s.cores, kRequired, true);
  r.u32_list("gpus", s.gpus);
}

void read_mpi(Reader& r, MpiLaunch& m) {
  r.u32("ranks", m.ranks, kRequired, 1);
  r.list("slots", m.slots, kRequired, true, read_mpi_slot);
}

}  // namespace

void read_task_spec(Reader& r, TaskSpec& t) {
  r.str("name", t.name);
  r.str_list("argv", t.argv, kRequired, true);
  r.str("cwd", t.cwd, kRequired, true);
  r.env_list("env", t.env);
  r.env_list("exported", t.exported);
  r.boolean("export_all", t.export_all);
  r.name_list("env_unset", t.env_unset);
  r.str_list("in", t.in);
  r.str_list("out", t.out);
  r.str_list("inout", t.inout);
  r.u64_list("after", t.after);
  r.u32("cpus", t.cpus, kOptional, 1);
  r.u64("memory", t.memory);
  r.u32("gpus", t.gpus);
  r.u32("nodes", t.nodes);
  r.u32("ranks", t.ranks, kOptional, 1);
  r.u32("ranks_per_node", t.ranks_per_node);
  r.boolean("mpi", t.mpi);
  r.list("custom", t.custom, kOptional, false, read_amount);
  r.u32("time_limit_s", t.time_limit_s);
  r.word("on_failure", t.on_failure);
  r.opt_u32("retries", t.retries);
  r.u32("timeout_s", t.timeout_s);
  r.i32("priority", t.priority);
  r.opt_str("group", t.group);
  r.opt_object("array", t.array, read_array);
}

void read_issue(Reader& r, TaskIssue& i) {
  r.u64("id", i.id, kRequired);
  r.str("name", i.name);
  r.str("reason", i.reason);
}

void read_counts(Reader& r, StateCounts& c) {
  r.u64("pending", c.pending);
  r.u64("ready", c.ready);
  r.u64("scheduled", c.scheduled);
  r.u64("running", c.running);
  r.u64("done", c.done);
  r.u64("failed", c.failed);
  r.u64("cancelled", c.cancelled);
  r.u64("cached", c.cached);
  r.u64("held", c.held);
}

void read_node_info(Reader& r, NodeInfo& n) {
  r.str("name", n.name, kRequired);
  r.word("state", n.state, kRequired);
  r.u32("cores", n.cores);
  r.u32("busy", n.busy);
  r.u32("request", n.request);
  r.u32("helper_job", n.helper_job);
  r.seconds("granted", n.granted);
  r.seconds("joined", n.joined);
  r.seconds("drained", n.drained);
  r.seconds("left", n.left);
  r.u64("tasks_run", n.tasks_run);
  r.str("why", n.why);
  r.str("cpus", n.cpus);
  r.seconds("quarantined", n.quarantined);
}

void read_event(Reader& r, EventRecord& e) {
  r.seconds("t", e.t);
  r.str("kind", e.kind, kRequired, true);
  r.str("node", e.node);
  if (r.has("task")) {
    std::uint64_t t = 0;
    r.u64("task", t);
    e.task = t;
  }
  r.u32("request", e.request);
  r.u32("count", e.count);
  r.str("cause", e.cause);
  r.str("text", e.text);
}

void read_task_info(Reader& r, TaskInfo& t) {
  r.u64("id", t.id, kRequired);
  r.str("name", t.name);
  r.word("state", t.state, kRequired);
  r.str("node", t.node);
  r.opt_i32("exit_code", t.exit_code);
  r.u32("signal", t.signal, kOptional, 0, kMaxSignal);
  r.u32("attempts", t.attempts);
  r.str("reason", t.reason);
  r.boolean("cached", t.cached);
}

void read(Reader& r, Assign& m) {
  r.u64("task", m.task, kRequired);
  r.u32("attempt", m.attempt, kRequired, 1);
  r.str("name", m.name);
  r.str_list("argv", m.argv, kRequired, true);
  r.str("cwd", m.cwd, kRequired, true);
  r.env_list("env", m.env);
  r.name_list("env_unset", m.env_unset);
  r.u32_list("cores", m.cores, kRequired);
  r.u32_list("gpus", m.gpus);
  r.u64("memory", m.memory);
  r.object("output", m.output, kOptional, read_output_policy);
  r.opt_object("mpi", m.mpi, read_mpi);
  if (r.ok() && m.cores.empty() && !m.mpi) r.fail("cores", "must not be empty (only an MPI launch may omit cores)");
}

void read(Reader& r, Kill& m) {
  r.u64("task", m.task, kRequired);
  r.u32("attempt", m.attempt);
  r.u32("signal", m.signal, kOptional, 1, kMaxSignal);
  r.u32("grace_s", m.grace_s);
  r.str("reason", m.reason);
}

void read(Reader& r, Stop& m) { r.u32("grace_s", m.grace_s); }

void read(Reader& r, Register& m) {
  r.str("node", m.node, kRequired, true);
  r.u32_list("cores", m.cores, kRequired, true);
  r.u64("memory", m.memory);
  r.list("gpus", m.gpus, kOptional, false, read_gpu);
  r.list("custom", m.custom, kOptional, false, read_amount);
  r.str("numa", m.numa);
  r.list("running", m.running, kOptional, false, read_running);
}

void read(Reader& r, Started& m) {
  r.u64("task", m.task, kRequired);
  r.u32("attempt", m.attempt, kRequired, 1);
  r.u32("pid", m.pid, kRequired, 1, kMaxPid);
}

void read(Reader& r, Finished& m) {
  r.u64("task", m.task, kRequired);
  r.u32("attempt", m.attempt, kRequired, 1);
  r.word("cause", m.cause, kRequired);
  r.opt_i32("exit_code", m.exit_code);
  r.u32("signal", m.signal, kOptional, 0, kMaxSignal);
  r.seconds("cpu_time_s", m.cpu_time_s);
  r.u64("max_rss", m.max_rss);
  r.seconds("wall_s", m.wall_s);
  r.opt_object("output", m.output, read_output_ref);
  r.str("reason", m.reason);
  r.str("output_lost", m.output_lost);
}

void read(Reader&, Heartbeat&) {}

}  // namespace compss::proto::detail
