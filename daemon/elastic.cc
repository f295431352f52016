// Growing: requests, polls, merges, agents on the new nodes. Shrinking is in elastic_shrink.cc.
#include "daemon/elastic.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "common/util/log.h"
#include "common/util/parse.h"

namespace compss::daemon {

using connector::GrowMode;

// What one worker job learnt about a request: its submission (when this job made it) and where it stands.
struct Elastic::PollOutcome {
  std::optional<Result<RequestId>> submitted;
  std::optional<Result<connector::RequestStatus>> status;
  double seconds = 0;  // the connector calls' wall time in this job
};

Elastic::Elastic(connector::Connector& c, Worker& w, ElasticConfig cfg, NodeTable& table, ElasticHost& host)
    : c_(c), worker_(w), cfg_(std::move(cfg)), table_(table), host_(host) {}

void Elastic::event(double now, EventKind kind, const std::string& node, std::uint32_t request, std::string cause,
                    std::uint32_t count) {
  Event e;
  e.t = now;
  e.kind = kind;
  e.node = node;
  e.request = request;
  e.count = count;
  e.cause = std::move(cause);
  table_.event(std::move(e));
}

void Elastic::on_decision(const scheduler::Decision& d, double now) {
  if (auto* g = std::get_if<scheduler::GrowNodes>(&d)) return plan(*g, now);
  if (auto* w = std::get_if<scheduler::WithdrawGrow>(&d)) return withdraw_newest(w->count, w->why, now);
  if (auto* r = std::get_if<scheduler::ReleaseNode>(&d)) return release(r->node, r->why, now);
}

std::vector<std::string> Elastic::nodes_held_or_coming(std::uint32_t except_request) const {
  std::vector<std::string> out;
  auto add = [&](const std::string& n) {
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  };
  for (const std::string& n : cfg_.initial_nodes) add(n);
  for (const NodeLife& l : table_.lives())
    if (holds(l.state)) add(l.name);
  for (const GrowRequest& q : table_.requests())
    if (q.seq != except_request && (q.is_open() || q.phase == RequestPhase::kJoining))
      for (const auto& n : q.nodes) add(n);
  return out;
}

std::uint32_t Elastic::room() const {
  // Nodes held or starting, and requests whose nodes have not come: never more than max-nodes.
  // Own nodes whose agent was lost are still the job's in SLURM's eyes.
  const std::uint32_t busy = table_.nodes_held() + table_.own_nodes_lost() + table_.requests_coming();
  return cfg_.max_nodes > busy ? cfg_.max_nodes - busy : 0;
}

Status Elastic::grow_by_hand(std::uint32_t count, double now) {
  if (shut_down_) return fail("the run is ending");
  const std::uint32_t n = std::min(count, room());
  if (n == 0)
    return fail("the job is at max-nodes ", std::to_string(cfg_.max_nodes), " (", std::to_string(table_.nodes_held()),
                " held, ", std::to_string(table_.requests_coming()), " requested)");
  grow(n, "asked by hand (compss resize +" + std::to_string(count) + ")" +
              (n < count ? ", capped by max-nodes " + std::to_string(cfg_.max_nodes) : ""),
       now);
  return {};
}

// A policy decision: ask SLURM when the nodes would start, re-size (scheduler/grow_plan.h), then ask.
void Elastic::plan(const scheduler::GrowNodes& g, double now) {
  if (shut_down_ || planning_) return;
  const std::uint32_t count = std::min(g.count, room());
  if (count == 0) return;
  if (!cfg_.forecast) return grow(count, g.why, now);
  planning_ = true;
  table_.set_nodes_planned(count);  // coming, as far as the policy is concerned, until the plan is made
  connector::Connector* c = &c_;
  const auto job = cfg_.job;
  const auto mode = cfg_.mode;
  auto opts = cfg_.request_options;
  const std::vector<std::string> held = nodes_held_or_coming();
  opts.exclude.insert(opts.exclude.end(), held.begin(), held.end());
  const scheduler::GrowNeed need = g.need;
  worker_.submit([this, c, job, mode, opts, need, count, why = g.why]() -> Continuation {
    std::string failed;
    auto forecast = [&](std::uint32_t n) -> std::optional<double> {
      auto f = c->forecast(job, n, mode, opts);
      if (!f) {
        failed = f.error().message;
        return std::nullopt;
      }
      return f->delay_s;
    };
    scheduler::GrowPlan p = scheduler::plan_grow(need, count, forecast);
    if (!failed.empty()) p.why += " (" + failed + ")";
    return [this, p = std::move(p), why]() {
      planning_ = false;
      table_.set_nodes_planned(0);
      const double now = host_.now();
      if (shut_down_) return;
      if (p.count == 0) {
        table_.set_grow_hold(now + p.hold_s);
        char until[64];
        std::snprintf(until, sizeof until, "; no grow request for %.0f s", p.hold_s);
        event(now, EventKind::kGrowDeclined, "", 0, p.why + until);
        return;
      }
      grow(std::min(p.count, room()), why + "; " + p.why, now, p.delay_s.value_or(0));
    };
  });
}

void Elastic::grow(std::uint32_t count, const std::string& why, double now, double expected_wait_s) {
  if (shut_down_) return;
  // The policy's count of nodes coming does not know of requests made by hand: never pass max-nodes.
  count = std::min(count, room());
  if (count == 0) return;
  // Requests of at most request_nodes nodes, as even as can be: 100 nodes by 64 are 50 + 50.
  const std::uint32_t per = std::max<std::uint32_t>(1, cfg_.request_nodes);
  const std::uint32_t requests = (count + per - 1) / per;
  std::uint32_t first_seq = 0;
  for (std::uint32_t i = 0; i < requests; ++i) {
    const std::uint32_t k = count / requests + (i < count % requests ? 1 : 0);
    GrowRequest& q = table_.add_request(now);
    q.nodes_asked = k;
    q.expected_wait_s = expected_wait_s;
    if (i == 0) first_seq = q.seq;
    event(now, EventKind::kRequested, "", q.seq,
          std::string(connector::grow_mode_name(cfg_.mode)) + " mode, " +
              (i == 0 ? why : "with request " + std::to_string(first_seq)),
          k);
    poll(table_.requests().size() - 1, true);
  }
}

// A connector call about request `r` is going out: it is busy until the call's continuation runs.
GrowRequest& Elastic::begin_call(std::size_t r) {
  GrowRequest& q = table_.requests()[r];
  q.busy = true;
  q.last_call = host_.now();
  return q;
}

// One worker job: submit (when `submit`) and poll. A grant comes back to the event loop, which checks it
// against the node table before anything is merged (another request's grant may have landed meanwhile).
void Elastic::poll(std::size_t r, bool submit) {
  GrowRequest& q = begin_call(r);
  connector::Connector* c = &c_;
  const auto job = cfg_.job;
  const auto mode = cfg_.mode;
  auto opts = cfg_.request_options;
  // Never the nodes the job holds or awaits: SLURM would hand an expand-helper a free CPU of a node the
  // job already has, which is no new node at all.
  const std::vector<std::string> held = nodes_held_or_coming(q.seq);
  opts.exclude.insert(opts.exclude.end(), held.begin(), held.end());
  const RequestId known = q.id;
  const std::uint32_t count = q.nodes_asked;
  auto closing = closing_;
  worker_.submit([this, c, job, mode, opts, known, count, submit, r, closing]() -> Continuation {
    PollOutcome o;
    const auto began = std::chrono::steady_clock::now();
    RequestId id = known;
    if (submit) {
      o.submitted = c->request_nodes(job, count, mode, opts);
      if (o.submitted->ok()) id = **o.submitted;
    }
    if (id.valid() && closing->load()) {
      // The run ended while this was in flight: nobody will use what it brings.
      if (Status s = c->withdraw(id); !s) log::warn("cannot withdraw a late grow request: ", s.error().message);
      return {};
    }
    if (id.valid()) o.status = c->poll_request(id);
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    return [this, r, o = std::move(o)]() mutable { on_polled(r, std::move(o)); };
  });
}

void Elastic::on_polled(std::size_t r, PollOutcome&& o) {
  const double now = host_.now();
  GrowRequest& q = table_.requests()[r];
  q.busy = false;
  if (o.submitted) {
    if (!o.submitted->ok()) {
      q.phase = RequestPhase::kFailed;
      event(now, EventKind::kRequestFailed, "", q.seq, o.submitted->error().message);
      return;
    }
    q.id = **o.submitted;
    q.phase = RequestPhase::kPending;
  }
  if (!o.status) return;
  if (!o.status->ok()) {
    log::warn("grow request ", q.seq, ": cannot learn where it stands (asked again later): ", o.status->error().message);
    return;
  }
  const connector::RequestStatus& st = **o.status;
  if (auto* f = std::get_if<connector::Failed>(&st)) {
    if (q.phase == RequestPhase::kWithdrawn) return;
    q.phase = RequestPhase::kFailed;
    event(now, EventKind::kRequestFailed, "", q.seq, f->reason);
    return;
  }
  if (auto* p = std::get_if<connector::Pending>(&st)) {
    q.pending_reason = p->reason;
    if (q.pending_since < 0) q.pending_since = now;
    if (q.withdraw) withdraw(r);
    return;
  }
  if (q.phase == RequestPhase::kJoining || q.phase == RequestPhase::kJoined) return;
  const auto& g = std::get<connector::Granted>(st);
  q.helper_job = g.helper.valid() ? g.helper.value() : 0;
  if (q.pending_since >= 0 && q.waited_s == 0) q.waited_s = now - q.pending_since;
  // A grant on a node the job holds (or another request brought) would only add CPUs there: give it back.
  const std::vector<std::string> held = nodes_held_or_coming(q.seq);
  std::vector<std::string> dup;
  for (const auto& n : g.nodes)
    if (std::find(held.begin(), held.end(), n) != held.end()) dup.push_back(n);
  if (!dup.empty()) {
    event(now, EventKind::kRequestFailed, join(dup, ","), q.seq,
          "granted " + join(dup, ",") + ", which the job holds already: given back, not counted as a node");
    q.withdraw = true;
    return withdraw(r);
  }
  q.nodes = g.nodes;
  q.alloc.clear();
  for (const auto& a : g.alloc) {
    NodeShare share;
    share.cpus = parse_cpu_list(a.cpu_ids).value_or(std::vector<std::uint32_t>{});
    share.memory_mb = a.memory_mb;
    if (!share.cpus.empty()) q.alloc.emplace(a.node, std::move(share));
  }
  if (q.withdraw) return withdraw(r);
  const double bare = o.submitted ? o.seconds : -1;  // submitted and granted in one go
  if (cfg_.mode == GrowMode::kMerge) {
    q.phase = RequestPhase::kGranted;
    return merge(r, bare);
  }
  if (bare >= 0) counts_.bare_grow_s.push_back(bare);
  on_granted(r, now);
}

// Merge mode: one worker job moves the granted node into the job; then its agent starts.
void Elastic::merge(std::size_t r, double bare_s) {
  GrowRequest& q = begin_call(r);
  connector::Connector* c = &c_;
  const auto job = cfg_.job;
  const RequestId id = q.id;
  worker_.submit([this, c, job, id, r, bare_s]() -> Continuation {
    const auto began = std::chrono::steady_clock::now();
    auto merged = c->merge(job, id);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    return [this, r, bare_s, s, merged = std::move(merged)] {
      const double now = host_.now();
      GrowRequest& q = table_.requests()[r];
      q.busy = false;
      if (!merged) {
        event(now, EventKind::kMergeFailed, join(q.nodes, ","), q.seq, merged.error().message);
        return;  // tick() polls it again and retries the merge
      }
      // Granted and merged at once: SLURM's own round trip for this growth.
      if (bare_s >= 0) counts_.bare_grow_s.push_back(bare_s + s);
      on_granted(r, now);
      check_node_set(*merged, "merging grow request " + std::to_string(q.seq), now);
    };
  });
}

void Elastic::on_granted(std::size_t r, double now) {
  GrowRequest& q = table_.requests()[r];
  if (q.phase == RequestPhase::kJoining || q.phase == RequestPhase::kJoined) return;
  q.phase = RequestPhase::kJoining;
  char took[32];
  std::snprintf(took, sizeof took, "after %.2f s", now - q.asked_at);
  event(now, EventKind::kGranted, join(q.nodes, ","), q.seq,
        std::string(took) + " (helper job " + std::to_string(q.helper_job) +
            (cfg_.mode == GrowMode::kMerge ? ", merged into job " + cfg_.job.str() + ")" : ")"));
  const std::uint32_t helper = cfg_.mode == GrowMode::kHelper ? q.helper_job : 0;
  const std::vector<std::string> nodes = q.nodes;  // give_back() below may start work that reads the table
  const Allocation alloc = q.alloc;
  const std::uint32_t seq = q.seq;
  for (const auto& node : nodes) {
    auto it = alloc.find(node);
    const NodeShare share = it != alloc.end() ? it->second : NodeShare{};
    NodeLife& l = table_.node_granted(node, seq, helper, now, format_cpu_list(share.cpus));
    const std::size_t i = table_.index_of(l);
    if (Status s = host_.start_agent(node, helper, share); !s) {
      table_.life(i).why = "its agent did not start: " + s.error().message;
      if (GrowRequest* q = table_.request(seq)) q->phase = RequestPhase::kFailed;
      event(now, EventKind::kAgentFailed, node, seq, table_.life(i).why);
      give_back(i, now);
    }
  }
}

// `count` nodes: whole requests, the newest first, until at least that many nodes are withdrawn.
void Elastic::withdraw_newest(std::uint32_t count, const std::string& why, double now) {
  auto& requests = table_.requests();
  for (std::size_t r = requests.size(); r-- > 0 && count > 0;) {
    GrowRequest& q = requests[r];
    if (!q.coming()) continue;
    q.withdraw = true;
    count -= std::min(count, q.nodes_asked);
    event(now, EventKind::kWithdrawing, "", q.seq, why);
    if (!q.busy && q.id.valid()) withdraw(r);
  }
}

void Elastic::withdraw(std::size_t r) {
  GrowRequest& q = begin_call(r);
  q.withdraw = true;
  connector::Connector* c = &c_;
  const RequestId id = q.id;
  worker_.submit([this, c, id, r]() -> Continuation {
    Status s = c->withdraw(id);
    return [this, r, s = std::move(s)] {
      GrowRequest& q = table_.requests()[r];
      q.busy = false;
      if (!s) {
        log::warn("grow request ", q.seq, ": cannot withdraw (tried again later): ", s.error().message);
        return;
      }
      q.phase = RequestPhase::kWithdrawn;
      event(host_.now(), EventKind::kWithdrawn, "", q.seq, "helper job cancelled");
    };
  });
}

void Elastic::tick(double now) {
  auto& requests = table_.requests();
  for (std::size_t r = 0; r < requests.size(); ++r) {
    GrowRequest& q = requests[r];
    // Pending, or granted in merge mode with the merge still to do.
    if (q.busy || !q.id.valid() || q.phase == RequestPhase::kSubmitting || !q.is_open()) continue;
    if (q.withdraw) {
      if (now - q.last_call >= cfg_.retry_after_s) withdraw(r);
      continue;
    }
    // SLURM said when it would start the request: it may take that long, and the limit on top.
    const double limit = cfg_.pending_limit_s + q.expected_wait_s;
    if (q.phase == RequestPhase::kPending && now - q.asked_at > limit) {
      char why[200];
      std::snprintf(why, sizeof why, "pending for %.0f s (%s), over the limit of %.0f s%s", now - q.asked_at,
                    q.pending_reason.empty() ? "no reason given" : q.pending_reason.c_str(), limit,
                    q.expected_wait_s > 0 ? " (SLURM's forecast and --grow-timeout)" : "");
      event(now, EventKind::kWithdrawing, "", q.seq, why);
      withdraw(r);
      continue;
    }
    const double wait = q.phase == RequestPhase::kPending ? cfg_.poll_interval_s : cfg_.retry_after_s;
    if (now - q.last_call >= wait) poll(r, false);
  }
  tick_nodes(now);
  check_job(now);
}

}  // namespace compss::daemon
