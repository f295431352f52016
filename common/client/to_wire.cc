#include "common/client/to_wire.h"

#include <unistd.h>  // environ

#include <cstdlib>
#include <string>
#include <string_view>

#include "common/proto/env.h"

namespace compss::client {

namespace {

proto::OnFailure to_wire(OnFailure p) {
  switch (p) {
    case OnFailure::kRetry:
      return proto::OnFailure::kRetry;
    case OnFailure::kCancelSuccessors:
      return proto::OnFailure::kCancelSuccessors;
    case OnFailure::kFail:
      return proto::OnFailure::kFail;
    case OnFailure::kIgnore:
      return proto::OnFailure::kIgnore;
  }
  return proto::OnFailure::kRetry;
}

std::vector<TaskIssue> from_wire(const std::vector<proto::TaskIssue>& issues) {
  std::vector<TaskIssue> out;
  out.reserve(issues.size());
  for (const auto& i : issues) out.push_back({i.id, i.name, i.reason});
  return out;
}

Error protocol(std::string message) {
  return Error{ErrorKind::kProtocol, std::move(message), {}};
}

}  // namespace

bool exported_variable(std::string_view name) {
  return proto::caller_variable(name);
}

proto::TaskSpec to_wire(const TaskSpec& t) {
  proto::TaskSpec w;
  w.name = t.name;
  w.argv = t.argv;
  w.cwd = t.cwd;
  w.env = t.env;
  if (t.export_env == ExportEnv::kAll) {
    w.export_all = true;
    for (char** e = environ; *e; ++e) {
      std::string_view kv(*e);
      auto eq = kv.find('=');
      if (eq != std::string_view::npos && eq > 0 && proto::caller_variable(kv.substr(0, eq))) w.exported.emplace_back(kv);
    }
  } else if (t.export_env == ExportEnv::kNames) {
    for (const std::string& name : t.export_names)
      if (const char* v = std::getenv(name.c_str()); v && proto::caller_variable(name)) w.exported.push_back(name + "=" + v);
  }
  w.in = t.in;
  w.out = t.out;
  w.inout = t.inout;
  w.after = t.after;
  w.cpus = t.cpus;
  w.memory = t.memory;
  w.gpus = t.gpus;
  w.nodes = t.nodes;
  w.ranks = t.ranks;
  w.ranks_per_node = t.ranks_per_node;
  w.mpi = t.mpi;
  for (const auto& c : t.custom) w.custom.push_back({c.name, c.amount});
  w.time_limit_s = t.time_limit_s;
  w.on_failure = to_wire(t.on_failure);
  w.retries = t.retries;
  w.timeout_s = t.timeout_s;
  w.priority = t.priority;
  if (!t.group.empty()) w.group = t.group;
  if (t.array) w.array = proto::ArraySpec{t.array->first, t.array->last, t.array->step};
  return w;
}

proto::IdList to_wire(const std::vector<IdRange>& ids) {
  proto::IdList out;
  out.reserve(ids.size());
  for (const auto& r : ids) out.push_back({r.first, r.last});
  return out;
}

WaitResult from_wire(const proto::WaitResult& w) {
  WaitResult r;
  r.done = w.done;
  r.failed = from_wire(w.failed);
  r.cancelled = from_wire(w.cancelled);
  r.timed_out = w.timed_out;
  r.pending = w.pending;
  return r;
}

RunStatus from_wire(const proto::StatusResult& s) {
  RunStatus r;
  const auto& c = s.counts;
  r.counts = {c.pending, c.ready, c.scheduled, c.running, c.done, c.failed, c.cancelled, c.cached, c.held};
  for (const auto& n : s.nodes) {
    // A quarantined node is up (or draining) on the wire, with the time of its quarantine; its users read
    // one state word.
    const bool quarantined =
        n.quarantined >= 0 && (n.state == proto::NodeState::kUp || n.state == proto::NodeState::kDraining);
    r.nodes.push_back({n.name, quarantined ? "quarantined" : std::string(proto::word(n.state)), n.cores, n.busy,
                       n.request, n.helper_job, n.granted, n.joined, n.drained, n.left, n.tasks_run, n.why, n.cpus,
                       n.quarantined});
  }
  for (const auto& e : s.events) r.events.push_back({e.t, e.kind, e.node, e.task, e.request, e.count, e.cause, e.text});
  r.outcome = std::string(proto::word(s.outcome));
  return r;
}

TaskInfo from_wire(const proto::TaskInfo& t) {
  TaskInfo r;
  r.id = t.id;
  r.name = t.name;
  r.state = std::string(proto::word(t.state));
  r.node = t.node;
  r.exit_code = t.exit_code;
  r.signal = t.signal;
  r.attempts = t.attempts;
  r.reason = t.reason;
  r.cached = t.cached;
  return r;
}

Explanation from_wire(const proto::Explanation& e) {
  return Explanation{e.id, e.text, e.items};
}

std::uint64_t task_count(const TaskSpec& t) {
  if (!t.array) return 1;
  return (t.array->last - t.array->first) / t.array->step + 1;
}

Result<std::vector<IdRange>> split_ids(const proto::IdList& ids, const std::vector<std::uint64_t>& counts) {
  auto bad = [](const std::string& why) {
    return protocol("the daemon's answer to submit does not fit the tasks sent: " + why);
  };
  for (const auto& r : ids)
    if (r.first > r.last) return bad("a range with first above last");
  std::vector<IdRange> out;
  std::size_t i = 0;                                    // the range of `ids` being consumed
  std::uint64_t next = ids.empty() ? 0 : ids[0].first;  // its next id
  for (std::uint64_t want : counts) {
    IdRange r{next, next};
    for (std::uint64_t got = 0; got < want;) {
      if (i == ids.size()) return bad("fewer ids than tasks");
      if (got > 0 && next != r.last + 1) return bad("an array's ids are not consecutive");
      if (got == 0) r.first = next;
      // Ids left in this range, minus one, so that [0, 2^64-1] does not overflow.
      std::uint64_t left_minus_1 = ids[i].last - next;
      std::uint64_t take = (want - got - 1 <= left_minus_1) ? want - got : left_minus_1 + 1;
      r.last = next + (take - 1);
      got += take;
      if (r.last == ids[i].last) {
        if (++i < ids.size()) next = ids[i].first;
      } else {
        next = r.last + 1;
      }
    }
    out.push_back(r);
  }
  if (i != ids.size()) return bad("more ids than tasks");
  return out;
}

}  // namespace compss::client
