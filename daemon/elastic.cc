// Growing: requests, polls, merges, agents on the new nodes, join latency. Shrinking is in elastic_shrink.cc.
#include "daemon/elastic.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "common/util/log.h"

namespace compss::daemon {

using connector::GrowMode;

const char* to_string(NodeLife::State s) {
  switch (s) {
    case NodeLife::State::kStarting: return "starting";
    case NodeLife::State::kLive: return "live";
    case NodeLife::State::kDraining: return "draining";
    case NodeLife::State::kStopping: return "stopping";
    case NodeLife::State::kReleasing: return "releasing";
    case NodeLife::State::kReleased: return "released";
    case NodeLife::State::kLost: return "lost";
    case NodeLife::State::kFailed: return "failed";
  }
  return "?";
}

// What one worker job learnt about a request: its submission (when this job made it), where it stands,
// and in merge mode the job's node list after merging a grant.
struct Elastic::PollOutcome {
  std::optional<Result<RequestId>> submitted;
  std::optional<Result<connector::RequestStatus>> status;
  std::optional<Result<std::vector<std::string>>> merged;
  double seconds = 0;  // the connector calls' wall time in this job
};

Elastic::Elastic(connector::Connector& c, Worker& w, ElasticConfig cfg, ElasticHooks hooks)
    : c_(c), worker_(w), cfg_(std::move(cfg)), hooks_(std::move(hooks)) {}

void Elastic::event(double now, const std::string& text) {
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "%7.1f s  ", now);
  events_.push_back(stamp + text);
  if (hooks_.event) hooks_.event(now, text);
}

void Elastic::on_decision(const scheduler::Decision& d, double now) {
  if (auto* g = std::get_if<scheduler::GrowNodes>(&d)) return grow(g->count, g->why, now);
  if (auto* w = std::get_if<scheduler::WithdrawGrow>(&d)) return withdraw_newest(w->count, w->why, now);
  if (auto* r = std::get_if<scheduler::ReleaseNode>(&d)) return release(r->node, r->why, now);
  if (auto* dn = std::get_if<scheduler::DrainNode>(&d)) return drained(dn->node, true, dn->why, now);
  if (auto* un = std::get_if<scheduler::UndrainNode>(&d)) return drained(un->node, false, un->why, now);
}

std::uint32_t Elastic::requests_in_flight() const {
  return static_cast<std::uint32_t>(std::count_if(requests_.begin(), requests_.end(), [](const Request& q) {
    return q.phase == Request::Phase::kSubmitting || q.phase == Request::Phase::kPending ||
           q.phase == Request::Phase::kGranted;
  }));
}

std::uint32_t Elastic::nodes_held() const {
  std::uint32_t n = 0;
  for (const auto& b : lives_) {
    const auto s = b.life.state;
    n += s != NodeLife::State::kReleased && s != NodeLife::State::kLost && s != NodeLife::State::kFailed;
  }
  return n;
}

std::uint32_t Elastic::requests_waiting() const {
  // A granted request has its node's life already, except a grant whose merge has not gone through yet.
  return static_cast<std::uint32_t>(std::count_if(requests_.begin(), requests_.end(), [this](const Request& q) {
    return !q.withdraw && (q.phase == Request::Phase::kSubmitting || q.phase == Request::Phase::kPending ||
                           (q.phase == Request::Phase::kGranted && cfg_.mode == GrowMode::kMerge && !q.merged));
  }));
}

Status Elastic::grow_by_hand(std::uint32_t count, double now) {
  if (shut_down_) return fail("the run is ending");
  const std::uint32_t busy = nodes_held() + requests_waiting();
  if (busy >= cfg_.max_nodes)
    return fail("the job is at max-nodes ", std::to_string(cfg_.max_nodes), " (", std::to_string(nodes_held()),
                " held, ", std::to_string(requests_waiting()), " requested)");
  const std::uint32_t n = std::min(count, cfg_.max_nodes - busy);
  grow(n, "asked by hand (compss resize +" + std::to_string(count) + ")" +
              (n < count ? ", capped by max-nodes " + std::to_string(cfg_.max_nodes) : ""),
       now);
  return {};
}

void Elastic::grow(std::uint32_t count, const std::string& why, double now) {
  if (shut_down_) {
    hooks_.grow_failed(count);
    return;
  }
  // The policy's count of nodes coming does not know of requests made by hand: never pass max-nodes.
  const std::uint32_t busy = nodes_held() + requests_waiting();
  const std::uint32_t room = cfg_.max_nodes > busy ? cfg_.max_nodes - busy : 0;
  if (count > room) {
    hooks_.grow_failed(count - room);
    count = room;
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    Request q;
    q.seq = static_cast<std::uint32_t>(requests_.size() + 1);
    q.asked_at = now;
    requests_.push_back(std::move(q));
    ++counts_.requests;
    event(now, "grow request " + std::to_string(requests_.back().seq) + " (1 node, " +
                   connector::grow_mode_name(cfg_.mode) + " mode): " +
                   (i == 0 ? why : "with request " + std::to_string(requests_.back().seq - i)));
    poll(requests_.size() - 1, true);
  }
}

// One worker job: submit (when `submit`), poll, and merge a grant at once (merge mode).
void Elastic::poll(std::size_t r, bool submit) {
  Request& q = requests_[r];
  q.busy = true;
  q.last_call = hooks_.now();
  connector::Connector* c = &c_;
  const auto job = cfg_.job;
  const auto mode = cfg_.mode;
  const auto opts = cfg_.request_options;
  const RequestId known = q.id;
  const bool merged = q.merged;
  auto closing = closing_;
  worker_.submit([this, c, job, mode, opts, known, merged, submit, r, closing]() -> Continuation {
    PollOutcome o;
    const auto began = std::chrono::steady_clock::now();
    RequestId id = known;
    if (submit) {
      o.submitted = c->request_nodes(job, 1, mode, opts);
      if (o.submitted->ok()) id = **o.submitted;
    }
    if (id.valid() && closing->load()) {
      // The run ended while this was in flight: nobody will use what it brings.
      if (Status s = c->withdraw(id); !s) log::warn("cannot withdraw a late grow request: ", s.error().message);
      return {};
    }
    if (id.valid()) {
      o.status = c->poll_request(id);
      if (o.status->ok() && mode == GrowMode::kMerge && !merged &&
          std::holds_alternative<connector::Granted>(**o.status))
        o.merged = c->merge(job, id);
    }
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    return [this, r, o = std::move(o)]() mutable { on_polled(r, std::move(o)); };
  });
}

void Elastic::on_polled(std::size_t r, PollOutcome&& o) {
  const double now = hooks_.now();
  Request& q = requests_[r];
  const std::string name = "grow request " + std::to_string(q.seq);
  q.busy = false;
  if (o.submitted) {
    if (!o.submitted->ok()) {
      q.phase = Request::Phase::kFailed;
      ++counts_.failed;
      if (!q.withdraw) hooks_.grow_failed(1);
      event(now, name + " failed: " + o.submitted->error().message);
      return;
    }
    q.id = **o.submitted;
    q.phase = Request::Phase::kPending;
  }
  if (!o.status) return;
  if (!o.status->ok()) {
    log::warn(name, ": cannot learn where it stands (asked again later): ", o.status->error().message);
    return;
  }
  const connector::RequestStatus& st = **o.status;
  if (auto* f = std::get_if<connector::Failed>(&st)) {
    if (q.phase == Request::Phase::kWithdrawn) return;
    q.phase = Request::Phase::kFailed;
    ++counts_.failed;
    if (!q.withdraw) hooks_.grow_failed(1);
    event(now, name + " failed: " + f->reason);
    return;
  }
  if (auto* p = std::get_if<connector::Pending>(&st)) {
    q.pending_reason = p->reason;
    if (q.withdraw) withdraw(r, "");
    return;
  }
  const auto& g = std::get<connector::Granted>(st);
  q.helper = g.helper;
  q.nodes = g.nodes;
  if (cfg_.mode == GrowMode::kMerge && !q.merged) {
    if (!o.merged || !o.merged->ok()) {
      q.phase = Request::Phase::kGranted;
      event(now, name + ": granted " + (q.nodes.empty() ? std::string("?") : q.nodes.front()) +
                     " but the merge failed (tried again): " + (o.merged ? o.merged->error().message : "not tried"));
      return;
    }
    q.merged = true;
  }
  // Submitted and granted (and merged) in one go: SLURM's own round trip for this growth.
  if (o.submitted) counts_.bare_grow_s.push_back(o.seconds);
  if (q.withdraw && cfg_.mode == GrowMode::kHelper) return withdraw(r, "");
  on_granted(q, now);
  if (o.merged && o.merged->ok()) check_node_set(**o.merged, "merging " + name, now);
}

void Elastic::on_granted(Request& q, double now) {
  if (q.phase == Request::Phase::kJoined) return;
  q.phase = Request::Phase::kGranted;
  ++counts_.granted;
  std::string list;
  for (const auto& n : q.nodes) list += (list.empty() ? "" : ",") + n;
  char took[48];
  std::snprintf(took, sizeof took, " after %.2f s", now - q.asked_at);
  event(now, "grow request " + std::to_string(q.seq) + " granted " + list + took + " (helper job " + q.helper.str() +
                 (cfg_.mode == GrowMode::kMerge ? ", merged into job " + cfg_.job.str() + ")" : ")"));
  for (const auto& node : q.nodes) {
    LifeBook b;
    b.life.name = node;
    b.life.request = q.seq;
    if (cfg_.mode == GrowMode::kHelper) b.life.helper = q.helper;
    b.life.granted_at = now;
    lives_.push_back(std::move(b));
    std::optional<connector::SlurmJobId> helper;
    if (cfg_.mode == GrowMode::kHelper) helper = q.helper;
    if (Status s = hooks_.start_agent(node, helper); !s) {
      event(now, "cannot start an agent on " + node + ": " + s.error().message);
      lives_.back().life.state = NodeLife::State::kFailed;
      lives_.back().life.why = "agent did not start";
      hooks_.grow_failed(1);
      give_back(lives_.size() - 1, now);
    }
  }
}

void Elastic::node_joined(const std::string& name, NodeId id, double now) {
  LifeBook* b = life_named(name);
  if (b && b->life.state == NodeLife::State::kStarting && b->life.request != 0) {
    b->life.id = id;
    return record_join(*b, now);
  }
  // One of the job's own nodes (or an agent that came back by itself).
  LifeBook fresh;
  fresh.life.name = name;
  fresh.life.id = id;
  fresh.life.state = NodeLife::State::kLive;
  fresh.life.joined_at = now;
  lives_.push_back(std::move(fresh));
}

void Elastic::record_join(LifeBook& b, double now) {
  b.life.state = NodeLife::State::kLive;
  b.life.joined_at = now;
  Request& q = requests_[b.life.request - 1];
  q.phase = Request::Phase::kJoined;
  const double sample = now - q.asked_at;
  counts_.join_latencies_s.push_back(sample);
  // A moving average that follows the cluster's current state within a few samples.
  counts_.join_latency_avg_s = counts_.join_latency_avg_s < 0 ? sample : 0.5 * counts_.join_latency_avg_s + 0.5 * sample;
  hooks_.set_join_latency(counts_.join_latency_avg_s);
  char text[160];
  std::snprintf(text, sizeof text, "node %s ready %.2f s after grow request %u (join latency now %.2f s)",
                b.life.name.c_str(), sample, q.seq, counts_.join_latency_avg_s);
  event(now, text);
}

void Elastic::withdraw_newest(std::uint32_t count, const std::string& why, double now) {
  for (std::size_t r = requests_.size(); r-- > 0 && count > 0;) {
    Request& q = requests_[r];
    const bool open = q.phase == Request::Phase::kSubmitting || q.phase == Request::Phase::kPending ||
                      (q.phase == Request::Phase::kGranted && !q.merged && q.nodes.empty());
    if (!open || q.withdraw) continue;
    q.withdraw = true;  // the scheduler has counted it out already
    --count;
    event(now, "withdrawing grow request " + std::to_string(q.seq) + ": " + why);
    if (!q.busy && q.id.valid()) withdraw(r, why);
  }
}

void Elastic::withdraw(std::size_t r, const std::string& why) {
  Request& q = requests_[r];
  q.withdraw = true;
  q.busy = true;
  q.last_call = hooks_.now();
  (void)why;
  connector::Connector* c = &c_;
  const RequestId id = q.id;
  worker_.submit([this, c, id, r]() -> Continuation {
    Status s = c->withdraw(id);
    return [this, r, s = std::move(s)] {
      const double now = hooks_.now();
      Request& q = requests_[r];
      q.busy = false;
      if (!s) {
        log::warn("grow request ", q.seq, ": cannot withdraw (tried again later): ", s.error().message);
        return;
      }
      q.phase = Request::Phase::kWithdrawn;
      ++counts_.withdrawn;
      event(now, "grow request " + std::to_string(q.seq) + " withdrawn (helper job cancelled)");
    };
  });
}

void Elastic::tick(double now) {
  for (std::size_t r = 0; r < requests_.size(); ++r) {
    Request& q = requests_[r];
    if (q.busy || !q.id.valid()) continue;
    const bool open = q.phase == Request::Phase::kPending || (q.phase == Request::Phase::kGranted && !q.merged &&
                                                             cfg_.mode == GrowMode::kMerge);
    if (!open) continue;
    if (q.withdraw) {
      if (now - q.last_call >= cfg_.retry_after_s) withdraw(r, "");
      continue;
    }
    if (q.phase == Request::Phase::kPending && now - q.asked_at > cfg_.pending_limit_s) {
      char why[160];
      std::snprintf(why, sizeof why, "pending for %.0f s (%s), over the limit of %.0f s", now - q.asked_at,
                    q.pending_reason.empty() ? "no reason given" : q.pending_reason.c_str(), cfg_.pending_limit_s);
      event(now, "withdrawing grow request " + std::to_string(q.seq) + ": " + why);
      hooks_.grow_failed(1);
      withdraw(r, why);
      continue;
    }
    const double wait = q.phase == Request::Phase::kPending ? cfg_.poll_interval_s : cfg_.retry_after_s;
    if (now - q.last_call >= wait) poll(r, false);
  }
  tick_nodes(now);
  check_job(now);
}

Elastic::LifeBook* Elastic::life_of(NodeId id) {
  if (!id.valid()) return nullptr;
  for (auto it = lives_.rbegin(); it != lives_.rend(); ++it)
    if (it->life.id == id) return &*it;
  return nullptr;
}

Elastic::LifeBook* Elastic::life_named(const std::string& name) {
  for (auto it = lives_.rbegin(); it != lives_.rend(); ++it)
    if (it->life.name == name) return &*it;
  return nullptr;
}

std::vector<NodeLife> Elastic::nodes() const {
  std::vector<NodeLife> out;
  out.reserve(lives_.size());
  for (const auto& b : lives_) out.push_back(b.life);
  return out;
}

}  // namespace compss::daemon
