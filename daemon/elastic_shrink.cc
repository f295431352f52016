// Shrinking: drains, releases, giving nodes back to SLURM, the job's node set, and the end of the run.
#include <algorithm>
#include <set>

#include "common/util/log.h"
#include "daemon/elastic.h"

namespace compss::daemon {

using connector::GrowMode;
using State = NodeLife::State;

void Elastic::drained(NodeId id, bool draining, const std::string& why, double now) {
  LifeBook* b = life_of(id);
  if (!b || (b->life.state != State::kLive && b->life.state != State::kDraining)) return;
  b->life.state = draining ? State::kDraining : State::kLive;
  b->life.drained_at = draining ? now : -1;
  b->life.why = draining ? why : "";
}

void Elastic::release(NodeId id, const std::string& why, double now) {
  LifeBook* b = life_of(id);
  if (!b) {
    log::warn("elastic: release of node ", id.str(), " that this daemon does not know");
    return;
  }
  if (b->life.name == cfg_.batch_host) {
    // The scheduler never releases its first node; a multi-node start may register another one first.
    event(now, "not releasing " + b->life.name + ": it runs the job's batch script");
    return;
  }
  b->life.state = State::kStopping;
  b->life.release_at = now;
  b->life.why = why;
  const std::size_t i = static_cast<std::size_t>(b - lives_.data());
  if (!hooks_.stop_agent(id, why, now)) return give_back(i, now);
  event(now, "releasing " + b->life.name + " (" + why + "): its agent was told to stop");
}

void Elastic::node_left(const std::string& name, bool end_of_run, double now) {
  LifeBook* b = life_named(name);
  if (!b) return;
  const std::size_t i = static_cast<std::size_t>(b - lives_.data());
  if (b->life.state == State::kStopping) return give_back(i, now);
  if (end_of_run || b->life.state == State::kReleasing || b->life.state == State::kReleased) return;
  b->life.why = "its agent's connection closed";
  if (b->life.request != 0 && b->life.state != State::kStarting) {
    // The scheduler has re-queued its tasks and forgotten it: a grown node without an agent only costs.
    event(now, "node " + name + " lost (its agent's connection closed): giving it back");
    return give_back(i, now);
  }
  b->life.state = State::kLost;
  event(now, "node " + name + " lost: its agent's connection closed (the node stays in the job)");
}

void Elastic::give_back(std::size_t i, double now) {
  NodeLife& l = lives_[i].life;
  l.state = State::kReleasing;
  if (l.release_at < 0) l.release_at = now;
  if (cfg_.mode == GrowMode::kMerge || l.request == 0) return shrink(i);
  for (const auto& b : lives_)
    if (b.life.helper == l.helper && b.life.state != State::kReleasing && b.life.state != State::kReleased) return;
  end_helper(l.helper);
}

void Elastic::shrink(std::size_t i) {
  lives_[i].busy = true;
  connector::Connector* c = &c_;
  const auto job = cfg_.job;
  const std::string node = lives_[i].life.name;
  worker_.submit([this, c, job, node, i]() -> Continuation {
    auto left = c->shrink(job, {node});
    return [this, i, left = std::move(left)] {
      const double now = hooks_.now();
      LifeBook& b = lives_[i];
      b.busy = false;
      if (!left) {
        b.retry_at = now + cfg_.retry_after_s;
        event(now, "cannot give " + b.life.name + " back (tried again later): " + left.error().message);
        return;
      }
      b.life.state = State::kReleased;
      b.life.released_at = now;
      ++counts_.released;
      std::string list;
      for (const auto& n : *left) list += (list.empty() ? "" : ",") + n;
      event(now, b.life.name + " given back to SLURM; job " + cfg_.job.str() + " now has " + list);
      check_node_set(*left, "giving " + b.life.name + " back", now);
    };
  });
}

void Elastic::end_helper(connector::SlurmJobId helper) {
  std::vector<std::size_t> mine;
  for (std::size_t i = 0; i < lives_.size(); ++i)
    if (lives_[i].life.helper == helper && lives_[i].life.state == State::kReleasing) mine.push_back(i);
  for (std::size_t i : mine) lives_[i].busy = true;
  connector::Connector* c = &c_;
  worker_.submit([this, c, helper, mine]() -> Continuation {
    Status s = c->release_helper(helper);
    return [this, helper, mine, s = std::move(s)] {
      const double now = hooks_.now();
      for (std::size_t i : mine) {
        LifeBook& b = lives_[i];
        b.busy = false;
        if (!s) {
          b.retry_at = now + cfg_.retry_after_s;
          continue;
        }
        b.life.state = State::kReleased;
        b.life.released_at = now;
        ++counts_.released;
      }
      if (!s) {
        event(now, "cannot end helper job " + helper.str() + " (tried again later): " + s.error().message);
        return;
      }
      std::string list;
      for (std::size_t i : mine) list += (list.empty() ? "" : ",") + lives_[i].life.name;
      event(now, list + " given back to SLURM: helper job " + helper.str() + " ended");
    };
  });
}

std::vector<std::string> Elastic::expected_nodes() const {
  std::set<std::string> names;
  for (const auto& n : cfg_.initial_nodes) names.insert(n);  // until their lives say otherwise
  // Lives are in time order: the latest stay of a node decides.
  for (const auto& b : lives_) {
    if (b.life.request != 0 && cfg_.mode != GrowMode::kMerge) continue;  // in a helper job, not this one
    if (b.life.state == State::kReleased)
      names.erase(b.life.name);
    else
      names.insert(b.life.name);
  }
  return {names.begin(), names.end()};
}

void Elastic::check_node_set(const std::vector<std::string>& job_nodes, const std::string& after, double now) {
  std::vector<std::string> have(job_nodes);
  std::sort(have.begin(), have.end());
  const std::vector<std::string> want = expected_nodes();
  if (have == want) return;
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& n : v) s += (s.empty() ? "" : ",") + n;
    return s.empty() ? std::string("none") : s;
  };
  event(now, "node set mismatch after " + after + ": SLURM says job " + cfg_.job.str() + " has " + join(have) +
                 ", this daemon expected " + join(want));
}

// Between resizes: someone may have changed the job behind the daemon's back (scontrol update). Only
// while nothing is in flight, so that a resize under way does not look like a difference.
void Elastic::check_job(double now) {
  if (checking_ || shut_down_ || now - last_check_ < cfg_.check_every_s) return;
  for (const auto& q : requests_)
    if (q.busy || (q.phase == Request::Phase::kGranted && cfg_.mode == GrowMode::kMerge && !q.merged)) return;
  for (const auto& b : lives_)
    if (b.busy) return;
  checking_ = true;
  last_check_ = now;
  connector::Connector* c = &c_;
  const auto job = cfg_.job;
  worker_.submit([this, c, job]() -> Continuation {
    auto facts = c->job(job);
    return [this, facts = std::move(facts)] {
      checking_ = false;
      if (!facts) return log::warn("elastic: cannot load job ", cfg_.job.str(), ": ", facts.error().message);
      check_node_set(facts->nodes, "the periodic check", hooks_.now());
    };
  });
}

void Elastic::tick_nodes(double now) {
  for (std::size_t i = 0; i < lives_.size(); ++i) {
    LifeBook& b = lives_[i];
    NodeLife& l = b.life;
    if (b.busy) continue;
    if (l.state == State::kStarting && l.granted_at >= 0 && now - l.granted_at > cfg_.join_limit_s) {
      event(now, "the agent on " + l.name + " has not registered " + std::to_string(int(now - l.granted_at)) +
                     " s after the grant: giving the node back");
      l.why = "its agent never registered";
      if (l.request > 0) requests_[l.request - 1].phase = Request::Phase::kFailed;
      ++counts_.failed;
      hooks_.grow_failed(1);
      give_back(i, now);
    } else if (l.state == State::kStopping && now - l.release_at > cfg_.stop_wait_s) {
      log::warn("elastic: the agent on ", l.name, " did not leave within ", cfg_.stop_wait_s, " s; giving it back");
      give_back(i, now);
    } else if (l.state == State::kReleasing && b.retry_at > 0 && now >= b.retry_at) {
      b.retry_at = 0;
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
  for (auto& q : requests_) {
    const bool open = q.phase == Request::Phase::kSubmitting || q.phase == Request::Phase::kPending ||
                      (q.phase == Request::Phase::kGranted && !q.merged);
    if (!open || !q.id.valid()) continue;
    ++withdrawn;
    worker_.submit([c, id = q.id, seq = q.seq]() -> Continuation {
      if (Status s = c->withdraw(id); !s) log::warn("grow request ", seq, ": cannot withdraw at the end: ", s.error().message);
      return {};
    });
  }
  if (cfg_.mode == GrowMode::kHelper) {
    std::set<std::uint32_t> helpers;
    for (const auto& b : lives_)
      if (b.life.helper.valid() && b.life.state != State::kReleased) helpers.insert(b.life.helper.value());
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
    event(now, "end of run: withdrawing " + std::to_string(withdrawn) + " grow request(s), ending " +
                   std::to_string(ended) + " helper job(s)");
}

}  // namespace compss::daemon
