// grow_requests.cc - grow requests and their start delays (grow_requests.h).
#include "tools/grow_requests.h"

#include <algorithm>

namespace compss::tools {

GrowRequests::GrowRequests(QueueModel queue, std::uint32_t request_nodes, double boot_s)
    : queue_(std::move(queue)), request_nodes_(std::max<std::uint32_t>(request_nodes, 1)), boot_s_(boot_s) {}

double GrowRequests::drawn(std::size_t i) {
  while (draws_.size() <= i) draws_.push_back(queue_.draw());
  return draws_[i];
}

double GrowRequests::forecast(std::uint32_t n) {
  const std::size_t requests = (static_cast<std::size_t>(n) + request_nodes_ - 1) / request_nodes_;
  double latest = 0;
  for (std::size_t i = 0; i < requests; ++i) latest = std::max(latest, drawn(i));
  return latest;
}

void GrowRequests::ask(std::uint32_t nodes, double now, std::vector<GrowRequest>& out) {
  while (nodes > 0) {
    GrowRequest r;
    r.id = static_cast<std::uint32_t>(requests_.size());
    r.nodes = std::min(nodes, request_nodes_);
    r.start_delay_s = drawn(0);
    draws_.pop_front();
    r.ready_at = now + r.start_delay_s + boot_s_;
    nodes -= r.nodes;
    requests_.push_back(r);
    nodes_.push_back(r.nodes);
    pending_.push_back(r.id);
    nodes_pending_ += r.nodes;
    out.push_back(r);
  }
}

std::uint32_t GrowRequests::withdraw(std::uint32_t nodes) {
  std::uint32_t withdrawn = 0;
  while (withdrawn < nodes && !pending_.empty()) {
    const std::uint32_t id = pending_.back();
    pending_.pop_back();
    withdrawn += nodes_[id];
    nodes_pending_ -= nodes_[id];
    nodes_[id] = 0;
  }
  return withdrawn;
}

std::uint32_t GrowRequests::arrived(std::uint32_t id) {
  if (id >= nodes_.size() || nodes_[id] == 0) return 0;
  const std::uint32_t n = nodes_[id];
  nodes_[id] = 0;
  nodes_pending_ -= n;
  pending_.erase(std::find(pending_.begin(), pending_.end(), id));
  return n;
}

}  // namespace compss::tools
