// Shrinking: drains, releases, giving nodes back to SLURM, the job's node set, and the end of the run.
#include <algorithm>
#include <set>

#include "common/util/log.h"
#include "common/util/parse.h"
#include "daemon/elastic.h"

namespace compss::daemon {

using connector::GrowMode;

void Elastic::release(NodeId id, const std::string& why, double now) {
  NodeLife* l = table_.life_of(id);
  if (!l) {
    log::warn("elastic: release of node ", id.str(), " that this daemon does not know");
    return;
  }
  if (l->name == cfg_.batch_host || l->request == 0) {
    // The scheduler releases only nodes that joined from grow requests; this guards the rule here too.
    event(now, EventKind::kNote, l->name, 0,
          "not releasing " + l->name + ": " +
              (l->name == cfg_.batch_host ? "it runs the job's batch script"
                                          : "the job holds it from its start (only granted nodes are given back)"));
    return;
  }
  l->state = NodeState::kStopping;
  l->release_at = now;
  l->why = why;
  const std::size_t i = table_.index_of(*l);
  if (!host_.stop_agent(id, why, now)) return give_back(i, now);
  event(now, EventKind::kReleasing, l->name, l->request, why + "; its agent was told to stop");
}

void Elastic::node_left(NodeLife& l, bool end_of_run, double now) {
  const std::size_t i = table_.index_of(l);
  if (l.state == NodeState::kStopping) return give_back(i, now);
  if (end_of_run || l.request == 0 || l.state != NodeState::kLost) return;
  // The scheduler has re-queued its tasks and forgotten it: a grown node without an agent only costs.
  event(now, EventKind::kNote, l.name, l.request, "node " + l.name + " lost: giving it back");
  give_back(i, now);
}

void Elastic::give_back(std::size_t i, double now) {
  NodeLife& l = table_.life(i);
  l.state = NodeState::kReleasing;
  if (l.release_at < 0) l.release_at = now;
  if (cfg_.mode == GrowMode::kMerge || l.request == 0) {
    l.shrink_due = true;
    return flush_shrinks();
  }
  for (const auto& other : table_.lives())
    if (other.helper_job == l.helper_job && holds(other.state) && other.state != NodeState::kReleasing) return;
  end_helper(l.helper_job);
}

// Merge mode: every node due to leave the job goes in one shrink call. While one is in flight, nodes that
// become due wait for it and leave together in the next: hundreds of released nodes cost a few RPCs.
void Elastic::flush_shrinks() {
  if (shrinking_) return;
  std::vector<std::size_t> batch;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < table_.lives().size(); ++i) {
    NodeLife& l = table_.life(i);
    if (!l.shrink_due || l.busy || l.state != NodeState::kReleasing) continue;
    l.shrink_due = false;
    l.busy = true;
    batch.push_back(i);
    names.push_back(l.name);
  }
  if (batch.empty()) return;
  shrinking_ = true;
  connector::Connector* c = &c_;
  const auto job = cfg_.job;
  worker_.submit([this, c, job, names, batch]() -> Continuation {
    auto left = c->shrink(job, names);
    return [this, batch, names, left = std::move(left)] {
      shrinking_ = false;
      const double now = host_.now();
      for (std::size_t i : batch) {
        NodeLife& l = table_.life(i);
        l.busy = false;
        if (!left) {
          l.retry_at = now + cfg_.retry_after_s;
          event(now, EventKind::kGiveBackFailed, l.name, l.request, left.error().message);
          continue;
        }
        l.state = NodeState::kReleased;
        l.left_at = now;
        event(now, EventKind::kReleased, l.name, l.request, "job " + cfg_.job.str() + " now has " + join(*left, ","));
      }
      if (left) check_node_set(*left, "giving " + join(names, ",") + " back", now);
      flush_shrinks();
    };
  });
}

void Elastic::end_helper(std::uint32_t helper_job) {
  std::vector<std::size_t> mine;
  for (std::size_t i = 0; i < table_.lives().size(); ++i) {
    const NodeLife& l = table_.lives()[i];
    if (l.helper_job == helper_job && l.state == NodeState::kReleasing) mine.push_back(i);
  }
  for (std::size_t i : mine) table_.life(i).busy = true;
  connector::Connector* c = &c_;
  worker_.submit([this, c, helper_job, mine]() -> Continuation {
    Status s = c->release_helper(connector::SlurmJobId(helper_job));
    return [this, helper_job, mine, s = std::move(s)] {
      const double now = host_.now();
      for (std::size_t i : mine) {
        NodeLife& l = table_.life(i);
        l.busy = false;
        if (!s) {
          l.retry_at = now + cfg_.retry_after_s;
          event(now, EventKind::kGiveBackFailed, l.name, l.request,
                "cannot end helper job " + std::to_string(helper_job) + ": " + s.error().message);
          continue;
        }
        l.state = NodeState::kReleased;
        l.left_at = now;
        event(now, EventKind::kReleased, l.name, l.request, "helper job " + std::to_string(helper_job) + " ended");
      }
    };
  });
}

std::vector<std::string> Elastic::expected_nodes() const {
  std::set<std::string> names;
  for (const auto& n : cfg_.initial_nodes) names.insert(n);  // until their lives say otherwise
  // Lives are in time order: the latest stay of a node decides.
  for (const auto& l : table_.lives()) {
    if (l.request != 0 && cfg_.mode != GrowMode::kMerge) continue;  // in a helper job, not this one
    if (l.state == NodeState::kReleased)
      names.erase(l.name);
    else
      names.insert(l.name);
  }
  return {names.begin(), names.end()};
}

void Elastic::check_node_set(const std::vector<std::string>& job_nodes, const std::string& after, double now) {
  std::vector<std::string> have(job_nodes);
  std::sort(have.begin(), have.end());
  const std::vector<std::string> want = expected_nodes();
  if (have == want) return;
  auto list = [](const std::vector<std::string>& v) { return v.empty() ? std::string("none") : join(v, ","); };
  event(now, EventKind::kMismatch, "", 0,
        "after " + after + ": SLURM says job " + cfg_.job.str() + " has " + list(have) + ", this daemon expected " +
            list(want));
}

// Between resizes: someone may have changed the job behind the daemon's back (scontrol update). Only
// while nothing is in flight, so that a resize under way does not look like a difference.
void Elastic::check_job(double now) {
  if (checking_ || shut_down_ || now - last_check_ < cfg_.check_every_s) return;
  for (const auto& q : table_.requests())
    if (q.busy || (q.phase == RequestPhase::kGranted && cfg_.mode == GrowMode::kMerge)) return;
  for (const auto& l : table_.lives())
    if (l.busy) return;
  checking_ = true;
  last_check_ = now;
  connector::Connector* c = &c_;
  const auto job = cfg_.job;
  worker_.submit([this, c, job]() -> Continuation {
    auto facts = c->job(job);
    return [this, facts = std::move(facts)] {
      checking_ = false;
      if (!facts) return log::warn("elastic: cannot load job ", cfg_.job.str(), ": ", facts.error().message);
      check_node_set(facts->nodes, "the periodic check", host_.now());
    };
  });
}

void Elastic::tick_nodes(double now) {
  for (std::size_t i = 0; i < table_.lives().size(); ++i) {
    NodeLife& l = table_.life(i);
    if (l.busy) continue;
    if (l.state == NodeState::kStarting && l.granted_at >= 0 && now - l.granted_at > cfg_.join_limit_s) {
      l.why = "its agent never registered (" + std::to_string(int(now - l.granted_at)) + " s after the grant)";
      if (GrowRequest* q = table_.request(l.request)) q->phase = RequestPhase::kFailed;
      event(now, EventKind::kAgentFailed, l.name, l.request, l.why + ": giving the node back");
      give_back(i, now);
    } else if (l.state == NodeState::kStopping && now - l.release_at > cfg_.stop_wait_s) {
      log::warn("elastic: the agent on ", l.name, " did not leave within ", cfg_.stop_wait_s, " s; giving it back");
      give_back(i, now);
    } else if (l.state == NodeState::kReleasing && l.retry_at > 0 && now >= l.retry_at) {
      l.retry_at = 0;
      give_back(i, now);
    }
  }
}

void Elastic::shutdown(double now) {
  if (shut_down_) return;
  shut_down_ = true;
  closing_->store(true);
  connector::Connector* c = &c_;
  std::uint32_t withdrawn = 0, ended = 0;
  for (auto& q : table_.requests()) {
    if (!q.is_open() || !q.id.valid()) continue;
    ++withdrawn;
    worker_.submit([c, id = q.id, seq = q.seq]() -> Continuation {
      if (Status s = c->withdraw(id); !s) log::warn("grow request ", seq, ": cannot withdraw at the end: ", s.error().message);
      return {};
    });
  }
  if (cfg_.mode == GrowMode::kHelper) {
    std::set<std::uint32_t> helpers;
    for (const auto& l : table_.lives())
      if (l.helper_job != 0 && l.state != NodeState::kReleased) helpers.insert(l.helper_job);
    for (std::uint32_t h : helpers) {
      ++ended;
      worker_.submit([c, h]() -> Continuation {
        if (Status s = c->release_helper(connector::SlurmJobId(h)); !s)
          log::warn("cannot end helper job ", h, " at the end: ", s.error().message);
        return {};
      });
    }
  }
  if (withdrawn || ended)
    event(now, EventKind::kNote, "", 0,
          "end of run: withdrawing " + std::to_string(withdrawn) + " grow request(s), ending " +
              std::to_string(ended) + " helper job(s)");
}

}  // namespace compss::daemon
