#include "tests/unit/connector/scenario.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <variant>

#include "connector/hostlist.h"

namespace compss::connector::scenario {

namespace {

std::string list_of(const std::vector<std::string>& v) {
  auto s = compress_hostlist(v);
  return s ? *s : "?";
}

std::set<std::string> set_of(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

// Times one step and reports it; the body returns the detail text or an error.
Status step(Context& ctx, const std::string& name, const std::function<Result<std::string>()>& body) {
  auto t0 = ctx.clock.now();
  auto s0 = ctx.c.stats();
  auto r = body();
  auto s1 = ctx.c.stats();
  char ms[32], cost[96];
  std::snprintf(ms, sizeof ms, "%.1f", to_ms(ctx.clock.now() - t0));
  // What the step cost slurmctld, and how much of its time was the budget holding calls back.
  std::snprintf(cost, sizeof cost, " [%llu RPCs, %.0f ms budget wait]",
                static_cast<unsigned long long>(s1.total_attempts() - s0.total_attempts()),
                to_ms(s1.throttled - s0.throttled));
  if (!r) {
    ctx.out("step " + name + " FAILED after " + ms + " ms" + cost + ": " + r.error().message);
    return fail(name, ": ", r.error().message);
  }
  ctx.out("step " + name + " " + ms + " ms" + cost + ": " + *r);
  return ok_status();
}

// "call 452.1 ms": the time of the connector call alone, apart from the checks around it.
std::string call_ms(Clock& clock, Clock::TimePoint t0) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "call %.1f ms", to_ms(clock.now() - t0));
  return buf;
}

// Polls until the request is granted; an Error when it fails or the timeout passes.
Result<Granted> wait_granted(Context& ctx, RequestId id) {
  auto deadline = ctx.clock.now() + ctx.grant_timeout;
  for (;;) {
    auto st = ctx.c.poll_request(id);
    if (!st) return st.error();
    if (auto* g = std::get_if<Granted>(&*st)) return *g;
    if (auto* f = std::get_if<Failed>(&*st)) return fail("request ", id.str(), " failed: ", f->reason);
    if (ctx.clock.now() >= deadline)
      return fail("request ", id.str(), " still pending after the timeout (", std::get<Pending>(*st).reason, ")");
    ctx.clock.sleep_for(ctx.poll_every);
  }
}

Result<JobFacts> expect_job(Context& ctx, SlurmJobId id, const std::set<std::string>& nodes) {
  auto j = ctx.c.job(id);
  if (!j) return j.error();
  if (j->state != JobState::kRunning) return fail("job ", id.str(), " is ", j->state_name, ", expected RUNNING");
  if (set_of(j->nodes) != nodes || j->num_nodes != nodes.size())
    return fail("job ", id.str(), " holds ", j->node_list, " (", std::to_string(j->num_nodes), " nodes), expected ",
                list_of({nodes.begin(), nodes.end()}));
  return j;
}

// An ended job may be COMPLETING (its nodes not yet free) for a moment; wait for that, bounded.
Status expect_ended(Context& ctx, SlurmJobId id) {
  auto deadline = ctx.clock.now() + ctx.grant_timeout;
  for (;;) {
    auto j = ctx.c.job(id);
    if (!j) return ok_status();  // purged already: gone is ended
    bool done = j->state == JobState::kEnded && j->state_name.find("COMPLETING") == std::string::npos;
    if (done) return ok_status();
    if (ctx.clock.now() >= deadline)
      return fail("job ", id.str(), " is ", j->state_name, " on '", j->node_list, "', expected it ended");
    ctx.clock.sleep_for(ctx.poll_every);
  }
}

Status probe_and_job(Context& ctx, std::string* first_node, GrowMode* mode) {
  Status st = step(ctx, "probe", [&]() -> Result<std::string> {
    auto f = ctx.c.probe();
    if (!f) return f.error();
    *mode = f->mode;
    return "SLURM " + f->version + ", mode " + grow_mode_name(f->mode) + " (" + f->mode_reason + ")";
  });
  if (!st) return st;
  return step(ctx, "job", [&]() -> Result<std::string> {
    auto j = ctx.c.job(ctx.job);
    if (!j) return j.error();
    if (j->state != JobState::kRunning || j->nodes.size() != 1)
      return fail("job ", ctx.job.str(), " is ", j->state_name, " on '", j->node_list, "', expected RUNNING on one node");
    *first_node = j->nodes.front();
    return "job " + ctx.job.str() + " " + j->state_name + " on " + j->node_list + ", " + std::to_string(j->num_cpus) +
           " cpus, partition " + j->partition;
  });
}

// Grows by `count` in merge mode and merges; returns the new nodes through `added`.
Status grow_and_merge(Context& ctx, const std::string& tag, std::uint32_t count, std::set<std::string> have,
                      std::vector<std::string>* added) {
  RequestId id;
  Granted g;
  Status st = step(ctx, tag + "-request", [&]() -> Result<std::string> {
    auto t0 = ctx.clock.now();
    auto r = ctx.c.request_nodes(ctx.job, count, GrowMode::kMerge, {});
    if (!r) return r.error();
    id = *r;
    auto granted = wait_granted(ctx, id);
    if (!granted) return granted.error();
    g = *granted;
    std::string took = call_ms(ctx.clock, t0);
    if (g.nodes.size() != count) return fail("granted ", list_of(g.nodes), ", expected ", std::to_string(count), " nodes");
    for (const auto& n : g.nodes)
      if (have.count(n)) return fail("granted node ", n, " is already the job's");
    return "helper job " + g.helper.str() + " granted " + list_of(g.nodes) + "; request to granted " + took.substr(5);
  });
  if (!st) return st;
  return step(ctx, tag + "-merge", [&]() -> Result<std::string> {
    auto t0 = ctx.clock.now();
    auto nodes = ctx.c.merge(ctx.job, id);
    std::string took = call_ms(ctx.clock, t0);
    if (!nodes) return nodes.error();
    for (const auto& n : g.nodes) have.insert(n);
    if (set_of(*nodes) != have) return fail("merge returned ", list_of(*nodes));
    auto j = expect_job(ctx, ctx.job, have);
    if (!j) return j.error();
    if (Status e = expect_ended(ctx, g.helper); !e) return e.error();
    *added = g.nodes;
    return "job " + ctx.job.str() + " on " + j->node_list + " (" + std::to_string(j->num_cpus) + " cpus); helper " +
           g.helper.str() + " ended; merge " + took;
  });
}

Status shrink_to(Context& ctx, const std::string& tag, const std::vector<std::string>& drop,
                 const std::set<std::string>& keep) {
  return step(ctx, tag, [&]() -> Result<std::string> {
    auto t0 = ctx.clock.now();
    auto nodes = ctx.c.shrink(ctx.job, drop);
    std::string took = call_ms(ctx.clock, t0);
    if (!nodes) return nodes.error();
    auto j = expect_job(ctx, ctx.job, keep);
    if (!j) return j.error();
    return "released " + list_of(drop) + "; job " + ctx.job.str() + " on " + j->node_list + "; shrink " + took;
  });
}

Status withdraw_unsatisfiable(Context& ctx, const std::string& first) {
  SlurmJobId blocker;
  Status st = step(ctx, "occupy-others", [&]() -> Result<std::string> {
    auto r = ctx.c.request_nodes(ctx.job, static_cast<std::uint32_t>(ctx.others), GrowMode::kHelper, {});
    if (!r) return r.error();
    auto g = wait_granted(ctx, *r);
    if (!g) return g.error();
    blocker = g->helper;
    return "helper job " + blocker.str() + " holds " + list_of(g->nodes);
  });
  if (!st) return st;
  // SLURM's will-run test now: the nodes come when the blocker's time is up (or SLURM cannot say), not at once.
  st = step(ctx, "forecast-busy", [&]() -> Result<std::string> {
    auto f = ctx.c.forecast(ctx.job, 1, GrowMode::kMerge, {});
    if (!f) return "SLURM cannot say when: " + f.error().message;
    if (f->delay_s < 1) return fail("SLURM forecasts a busy cluster's node at once (", f->node_list, ")");
    return "1 node expected in " + std::to_string(static_cast<long>(f->delay_s)) + " s on " + f->node_list;
  });
  if (!st) return st;
  RequestId id;
  SlurmJobId pending_helper;
  st = step(ctx, "unsatisfiable-request", [&]() -> Result<std::string> {
    auto r = ctx.c.request_nodes(ctx.job, 1, GrowMode::kMerge, {});
    if (!r) return r.error();
    id = *r;
    std::string reason;
    for (int i = 0; i < 3; ++i) {
      auto p = ctx.c.poll_request(id);
      if (!p) return p.error();
      auto* pend = std::get_if<Pending>(&*p);
      if (!pend) return fail("request ", id.str(), " is not pending although no node is free");
      reason = pend->reason;
      ctx.clock.sleep_for(ctx.poll_every);
    }
    return "request " + id.str() + " pending (" + reason + ")";
  });
  if (!st) return st;
  st = step(ctx, "withdraw", [&]() -> Result<std::string> {
    auto t0 = ctx.clock.now();
    if (Status w = ctx.c.withdraw(id); !w) return w.error();
    std::string took = call_ms(ctx.clock, t0);
    auto p = ctx.c.poll_request(id);
    if (!p) return p.error();
    if (!std::holds_alternative<Failed>(*p)) return fail("request ", id.str(), " not failed after withdraw");
    auto j = expect_job(ctx, ctx.job, {first});
    if (!j) return j.error();
    return "request " + id.str() + " withdrawn; job " + ctx.job.str() + " still on " + j->node_list + "; withdraw " + took;
  });
  if (!st) return st;
  return step(ctx, "release-blocker", [&]() -> Result<std::string> {
    if (Status r = ctx.c.release_helper(blocker); !r) return r.error();
    if (Status e = expect_ended(ctx, blocker); !e) return e.error();
    return "helper job " + blocker.str() + " released";
  });
}

}  // namespace

Status merge_sequence(Context& ctx) {
  std::string first;
  GrowMode mode;
  if (Status st = probe_and_job(ctx, &first, &mode); !st) return st;
  if (mode != GrowMode::kMerge) return fail("the cluster does not allow merging; see the probe step");
  std::vector<std::string> added;
  if (Status st = grow_and_merge(ctx, "grow1", 1, {first}, &added); !st) return st;
  if (Status st = shrink_to(ctx, "shrink1", added, {first}); !st) return st;
  if (Status st = withdraw_unsatisfiable(ctx, first); !st) return st;
  Status st = step(ctx, "forecast-free", [&]() -> Result<std::string> {
    RequestOptions opts;
    opts.exclude = {first};
    auto f = ctx.c.forecast(ctx.job, 2, GrowMode::kMerge, opts);
    if (!f) return f.error();
    if (f->delay_s > 0) return fail("2 idle nodes forecast in ", std::to_string(f->delay_s), " s, not at once");
    auto nodes = expand_hostlist(f->node_list);
    if (!nodes || nodes->size() != 2 || std::find(nodes->begin(), nodes->end(), first) != nodes->end())
      return fail("the forecast names ", f->node_list, ", expected 2 nodes other than ", first);
    return "2 nodes at once on " + f->node_list;
  });
  if (!st) return st;
  if (Status st = grow_and_merge(ctx, "grow2", 2, {first}, &added); !st) return st;
  return shrink_to(ctx, "shrink2", added, {first});
}

Status helper_sequence(Context& ctx) {
  std::string first;
  GrowMode mode;
  if (Status st = probe_and_job(ctx, &first, &mode); !st) return st;
  RequestId id;
  Granted g;
  Status st = step(ctx, "helper-request", [&]() -> Result<std::string> {
    auto t0 = ctx.clock.now();
    auto r = ctx.c.request_nodes(ctx.job, 2, GrowMode::kHelper, {});
    if (!r) return r.error();
    id = *r;
    auto granted = wait_granted(ctx, id);
    if (!granted) return granted.error();
    g = *granted;
    std::string took = call_ms(ctx.clock, t0);
    if (g.nodes.size() != 2 || set_of(g.nodes).count(first)) return fail("granted ", list_of(g.nodes));
    auto h = expect_job(ctx, g.helper, set_of(g.nodes));
    if (!h) return h.error();
    auto j = expect_job(ctx, ctx.job, {first});
    if (!j) return j.error();
    return "helper job " + g.helper.str() + " '" + h->name + "' granted " + h->node_list + "; job " +
           ctx.job.str() + " still on " + j->node_list + "; request to granted " + took.substr(5);
  });
  if (!st) return st;
  return step(ctx, "helper-release", [&]() -> Result<std::string> {
    auto t0 = ctx.clock.now();
    if (Status r = ctx.c.release_helper(g.helper); !r) return r.error();
    std::string took = call_ms(ctx.clock, t0);
    if (Status e = expect_ended(ctx, g.helper); !e) return e.error();
    auto p = ctx.c.poll_request(id);
    if (!p) return p.error();
    if (!std::holds_alternative<Failed>(*p)) return fail("request ", id.str(), " still live after release");
    auto j = expect_job(ctx, ctx.job, {first});
    if (!j) return j.error();
    return "helper job " + g.helper.str() + " released; job " + ctx.job.str() + " on " + j->node_list + "; release " + took;
  });
}

Status outage_sequence(Context& ctx, Clock::Duration length) {
  auto end = ctx.clock.now() + length;
  Clock::Duration longest{};
  for (int n = 1; ctx.clock.now() < end; ++n) {
    auto t0 = ctx.clock.now();
    Status st = step(ctx, "load-" + std::to_string(n), [&]() -> Result<std::string> {
      auto j = ctx.c.job(ctx.job);
      if (!j) return j.error();
      return "job " + ctx.job.str() + " " + j->state_name;
    });
    if (!st) return st;
    longest = std::max(longest, ctx.clock.now() - t0);
    ctx.clock.sleep_for(ctx.poll_every);
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "longest call %.1f ms", to_ms(longest));
  ctx.out(buf);
  return ok_status();
}

}  // namespace compss::connector::scenario
