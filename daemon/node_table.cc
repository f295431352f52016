#include "daemon/node_table.h"

#include <algorithm>
#include <cstdio>

#include "common/util/log.h"

namespace compss::daemon {

const char* to_string(NodeState s) {
  switch (s) {
    case NodeState::kStarting: return "starting";
    case NodeState::kLive: return "live";
    case NodeState::kDraining: return "draining";
    case NodeState::kStopping: return "stopping";
    case NodeState::kReleasing: return "releasing";
    case NodeState::kReleased: return "released";
    case NodeState::kLost: return "lost";
    case NodeState::kEnded: return "ended";
  }
  return "?";
}

bool holds(NodeState s) {
  return s != NodeState::kReleased && s != NodeState::kLost && s != NodeState::kEnded;
}

bool is_quarantined(const NodeLife& l) {
  return l.quarantined_at >= 0 && (l.state == NodeState::kLive || l.state == NodeState::kDraining);
}

const char* state_word(const NodeLife& l) {
  return is_quarantined(l) ? "quarantined" : to_string(l.state);
}

namespace {

std::string at(const char* label, double t) {
  if (t < 0) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "  %s %.1f s", label, t);
  return buf;
}

}  // namespace

std::string life_line(const NodeLife& l) {
  std::string from = l.request == 0 ? "job's own node" : "grow request " + std::to_string(l.request);
  if (l.helper_job) from += " (helper job " + std::to_string(l.helper_job) + ")";
  char head[128];
  const std::string cpus = l.cpus.empty() ? "" : " (cpus " + l.cpus + ")";
  std::snprintf(head, sizeof head, "%-10s %-11s %3u cores%-14s  %-32s", l.name.c_str(), state_word(l), l.cores,
                cpus.c_str(), from.c_str());
  std::string line = head;
  line += at("granted", l.granted_at) + at("joined", l.joined_at) + at("quarantined", l.quarantined_at) +
          at("drained", l.drained_at) + at("release", l.release_at) + at("left", l.left_at);
  line += "  " + std::to_string(l.tasks_run) + " task runs";
  if (!l.why.empty()) line += "  (" + l.why + ")";
  return line;
}

const char* to_string(RequestPhase p) {
  switch (p) {
    case RequestPhase::kSubmitting: return "submitting";
    case RequestPhase::kPending: return "pending";
    case RequestPhase::kGranted: return "granted";
    case RequestPhase::kJoining: return "joining";
    case RequestPhase::kJoined: return "joined";
    case RequestPhase::kWithdrawn: return "withdrawn";
    case RequestPhase::kFailed: return "failed";
  }
  return "?";
}

bool GrowRequest::is_open() const {
  return phase == RequestPhase::kSubmitting || phase == RequestPhase::kPending || phase == RequestPhase::kGranted;
}

const char* to_string(EventKind k) {
  switch (k) {
    case EventKind::kNote: return "note";
    case EventKind::kGrowWanted: return "grow-wanted";
    case EventKind::kWithdrawWanted: return "withdraw-wanted";
    case EventKind::kDrain: return "drain";
    case EventKind::kUndrain: return "undrain";
    case EventKind::kReleaseWanted: return "release-wanted";
    case EventKind::kQuarantine: return "quarantine";
    case EventKind::kTaskFailed: return "task-failed";
    case EventKind::kRequested: return "requested";
    case EventKind::kGranted: return "granted";
    case EventKind::kMergeFailed: return "merge-failed";
    case EventKind::kRequestFailed: return "request-failed";
    case EventKind::kWithdrawing: return "withdrawing";
    case EventKind::kWithdrawn: return "withdrawn";
    case EventKind::kJoined: return "joined";
    case EventKind::kNodeReady: return "node-ready";
    case EventKind::kAgentFailed: return "agent-failed";
    case EventKind::kReleasing: return "releasing";
    case EventKind::kReleased: return "released";
    case EventKind::kGiveBackFailed: return "give-back-failed";
    case EventKind::kLost: return "lost";
    case EventKind::kMismatch: return "mismatch";
    case EventKind::kGrowDeclined: return "grow-declined";
  }
  return "?";
}

namespace {

// Task failures are listed apart in the summary (with where their output is); everything else is the run's
// history of nodes and requests.
bool in_history(EventKind k) { return k != EventKind::kTaskFailed; }

}  // namespace

std::string describe(const Event& e) {
  const std::string r = std::to_string(e.request), n = std::to_string(e.count);
  std::string head;
  switch (e.kind) {
    case EventKind::kNote: return e.cause;
    case EventKind::kGrowWanted: head = "grow " + n + " node(s) wanted"; break;
    case EventKind::kWithdrawWanted: head = "withdraw " + n + " node(s) asked for"; break;
    case EventKind::kDrain: head = "drain " + e.node; break;
    case EventKind::kUndrain: head = "undrain " + e.node; break;
    case EventKind::kReleaseWanted: head = "release " + e.node; break;
    case EventKind::kQuarantine: head = "quarantine " + e.node; break;
    case EventKind::kTaskFailed: head = "task " + (e.task ? std::to_string(*e.task) : std::string("?")) + " failed"; break;
    case EventKind::kRequested: head = "grow request " + r + " (" + n + " node" + (e.count == 1 ? ")" : "s)"); break;
    case EventKind::kGranted: head = "grow request " + r + " granted " + e.node; break;
    case EventKind::kMergeFailed: head = "grow request " + r + " granted " + e.node + " but the merge failed (tried again)"; break;
    case EventKind::kRequestFailed: head = "grow request " + r + " failed"; break;
    case EventKind::kWithdrawing: head = "withdrawing grow request " + r; break;
    case EventKind::kWithdrawn: head = "grow request " + r + " withdrawn"; break;
    case EventKind::kJoined: head = "node " + e.node + " joined"; break;
    case EventKind::kNodeReady: head = "node " + e.node + " ready"; break;
    case EventKind::kAgentFailed: head = "no agent on " + e.node; break;
    case EventKind::kReleasing: head = "releasing " + e.node; break;
    case EventKind::kReleased: head = e.node + " given back to SLURM"; break;
    case EventKind::kGiveBackFailed: head = "cannot give " + e.node + " back (tried again later)"; break;
    case EventKind::kLost: head = "node " + e.node + " lost"; break;
    case EventKind::kMismatch: head = "node set mismatch"; break;
    case EventKind::kGrowDeclined: head = "no grow request"; break;
  }
  return e.cause.empty() ? head : head + ": " + e.cause;
}

NodeLife& NodeTable::node_granted(const std::string& name, std::uint32_t request, std::uint32_t helper_job, double now,
                                  std::string cpus) {
  NodeLife l;
  l.name = name;
  l.cpus = std::move(cpus);
  l.request = request;
  l.helper_job = helper_job;
  l.granted_at = now;
  lives_.push_back(std::move(l));
  return lives_.back();
}

NodeLife& NodeTable::node_registered(const std::string& name, NodeId id, std::uint32_t cores, double now) {
  NodeLife* l = latest(name);
  if (!l || l->state != NodeState::kStarting) {
    lives_.emplace_back();
    l = &lives_.back();
    l->name = name;
    if (auto it = own_cpus_.find(name); it != own_cpus_.end()) l->cpus = it->second;
  } else if (GrowRequest* q = request(l->request)) {
    q->phase = RequestPhase::kJoined;
    join_sample(now - q->asked_at - q->waited_s);
  }
  l->id = id;
  l->cores = cores;
  l->state = NodeState::kLive;
  l->joined_at = now;
  if (by_id_.size() <= id.value()) by_id_.resize(id.value() + 1, UINT32_MAX);
  by_id_[id.value()] = static_cast<std::uint32_t>(index_of(*l));
  return *l;
}

NodeLife* NodeTable::life_of(NodeId id) {
  if (!id.valid() || id.value() >= by_id_.size() || by_id_[id.value()] == UINT32_MAX) return nullptr;
  return &lives_[by_id_[id.value()]];
}

const NodeLife* NodeTable::life_of(NodeId id) const { return const_cast<NodeTable*>(this)->life_of(id); }

NodeLife* NodeTable::latest(std::string_view name) {
  for (auto it = lives_.rbegin(); it != lives_.rend(); ++it)
    if (it->name == name) return &*it;
  return nullptr;
}

const NodeLife* NodeTable::latest(std::string_view name) const {
  return const_cast<NodeTable*>(this)->latest(name);
}

std::uint32_t NodeTable::nodes_held() const {
  return static_cast<std::uint32_t>(
      std::count_if(lives_.begin(), lives_.end(), [](const NodeLife& l) { return holds(l.state); }));
}

std::uint32_t NodeTable::own_nodes_lost() const {
  std::uint32_t n = 0;
  for (const NodeLife& l : lives_)
    if (l.request == 0 && l.state == NodeState::kLost && latest(l.name) == &l) ++n;
  return n;
}

std::uint32_t NodeTable::nodes_starting() const {
  return static_cast<std::uint32_t>(std::count_if(
      lives_.begin(), lives_.end(), [](const NodeLife& l) { return l.state == NodeState::kStarting; }));
}

GrowRequest& NodeTable::add_request(double now) {
  GrowRequest q;
  q.seq = static_cast<std::uint32_t>(requests_.size() + 1);
  q.asked_at = now;
  requests_.push_back(std::move(q));
  return requests_.back();
}

GrowRequest* NodeTable::request(std::uint32_t seq) {
  return seq >= 1 && seq <= requests_.size() ? &requests_[seq - 1] : nullptr;
}

std::uint32_t NodeTable::requests_open() const {
  return static_cast<std::uint32_t>(
      std::count_if(requests_.begin(), requests_.end(), [](const GrowRequest& q) { return q.is_open(); }));
}

std::uint32_t NodeTable::requests_coming() const {
  std::uint32_t n = 0;
  for (const auto& q : requests_)
    if (q.coming()) n += q.nodes_asked;
  return n;
}

void NodeTable::join_sample(double seconds) {
  join_samples_.push_back(seconds);
  // A moving average that follows the cluster's current state within a few samples.
  join_avg_ = join_avg_ < 0 ? seconds : 0.5 * join_avg_ + 0.5 * seconds;
}

const Event& NodeTable::event(Event e) {
  log::info(describe(e));
  if (in_history(e.kind)) history_.push_back(e);
  recent_.push_back(std::move(e));
  while (recent_.size() > max_events_) recent_.pop_front();
  return recent_.back();
}

const Event& NodeTable::event(double t, EventKind kind, std::string node, std::string cause) {
  Event e;
  e.t = t;
  e.kind = kind;
  e.node = std::move(node);
  e.cause = std::move(cause);
  return event(std::move(e));
}

}  // namespace compss::daemon
