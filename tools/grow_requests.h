// grow_requests.h - the simulator's grow requests: what compssd's node table and SLURM do with a grow
// decision, played with a queue model (queue_model.h).
//
// A grow of k nodes becomes requests of at most `request_nodes` nodes each. Request i starts after the
// i-th start delay the queue model draws and its nodes are ready `boot_s` later, all together.
//
// Draws (the exact rule; compss-sim.md says it too): delays are drawn in order into a FIFO of drawn,
// unused delays, and every request made takes the oldest one, so the k-th request made gets the k-th
// draw whether or not anything was forecast. forecast(n) is a perfect forecast: it draws (into the
// FIFO) as many delays as the requests that n nodes make, and answers the largest of them (when the
// last of the n nodes would start). A forecast draws nothing beyond what requests will use: a draw
// looked at and not used (the plan asked for fewer nodes, or none) waits for the next request.
//
// Withdrawing removes whole requests, newest first, until at least the nodes asked are withdrawn.
//
// Lifecycle: one per simulation; forecast()/ask()/withdraw()/arrived() in time order.
// Failure behaviour: none; arrived() of a withdrawn or unknown request brings no node.
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "tools/queue_model.h"

namespace compss::tools {

struct GrowRequest {
  std::uint32_t id = 0;
  std::uint32_t nodes = 0;
  double start_delay_s = 0;  // from the request to SLURM starting it
  double ready_at = 0;       // when its nodes join: made + start delay + boot
};

class GrowRequests {
 public:
  GrowRequests(QueueModel queue, std::uint32_t request_nodes, double boot_s);

  // Seconds until SLURM would start all of a grow of `n` nodes made now (0 for none).
  double forecast(std::uint32_t n);
  // Asks for `nodes` at `now`: the requests made, appended to `out`.
  void ask(std::uint32_t nodes, double now, std::vector<GrowRequest>& out);
  // Withdraws the newest pending requests until at least `nodes` nodes are withdrawn (or none is left);
  // returns the nodes withdrawn.
  std::uint32_t withdraw(std::uint32_t nodes);
  // Request `id` is ready: its nodes, or 0 when it was withdrawn.
  std::uint32_t arrived(std::uint32_t id);

  std::uint32_t nodes_pending() const { return nodes_pending_; }
  std::uint32_t requests_made() const { return static_cast<std::uint32_t>(requests_.size()); }
  std::uint32_t request_nodes() const { return request_nodes_; }
  double mean_start_delay() const { return queue_.mean(); }

 private:
  double drawn(std::size_t i);  // the i-th unused draw, drawing as needed

  QueueModel queue_;
  std::uint32_t request_nodes_;
  double boot_s_;
  std::deque<double> draws_;            // drawn, not yet used by a request
  std::vector<std::uint32_t> nodes_;    // per request id: its nodes while pending, else 0
  std::vector<GrowRequest> requests_;   // every request made, by id
  std::vector<std::uint32_t> pending_;  // ids of pending requests, oldest first
  std::uint32_t nodes_pending_ = 0;
};

}  // namespace compss::tools
