// Tests of the daemon's node table: lives, requests and their phases, the join latency, events.
#include <catch2/catch.hpp>

#include "common/util/log.h"
#include "daemon/node_table.h"

using namespace compss;
using namespace compss::daemon;

namespace {
const bool kQuiet = (log::set_level(log::Level::kError), true);
}

TEST_CASE("an open request is one that may still bring nodes without a life for them", "[node_table]") {
  GrowRequest q;
  for (auto [phase, open] : {std::pair{RequestPhase::kSubmitting, true}, {RequestPhase::kPending, true},
                             {RequestPhase::kGranted, true}, {RequestPhase::kJoining, false},
                             {RequestPhase::kJoined, false}, {RequestPhase::kWithdrawn, false},
                             {RequestPhase::kFailed, false}}) {
    q.phase = phase;
    q.withdraw = false;
    CHECK(q.is_open() == open);
    CHECK(q.coming() == open);
    q.withdraw = true;
    CHECK(q.is_open() == open);
    CHECK_FALSE(q.coming());
  }
}

TEST_CASE("a granted node's registration completes its life and takes a join latency sample", "[node_table]") {
  NodeTable t;
  t.node_registered("n1", NodeId(0), 2, 0);
  GrowRequest& q = t.add_request(10);
  CHECK(t.nodes_coming() == 1);
  q.phase = RequestPhase::kJoining;
  t.node_granted("n2", q.seq, 0, 11);
  CHECK(t.nodes_coming() == 1);  // the life is starting
  CHECK(t.nodes_held() == 2);
  const NodeLife& l = t.node_registered("n2", NodeId(1), 4, 13);
  CHECK(l.state == NodeState::kLive);
  CHECK(l.request == 1);
  CHECK(l.granted_at == Approx(11));
  CHECK(t.request(1)->phase == RequestPhase::kJoined);
  CHECK(t.join_latency_s() == Approx(3));
  CHECK(t.nodes_coming() == 0);
  CHECK(t.life_of(NodeId(1)) == t.latest("n2"));
  CHECK(t.lives().size() == 2);
}

TEST_CASE("a node given back and granted again has two lives; an agent that comes back opens a new one",
          "[node_table]") {
  NodeTable t;
  t.node_registered("n2", NodeId(0), 2, 0);
  t.latest("n2")->state = NodeState::kReleased;
  t.node_granted("n2", 1, 0, 5);
  t.node_registered("n2", NodeId(1), 2, 6);
  REQUIRE(t.lives().size() == 2);
  CHECK(t.lives()[0].state == NodeState::kReleased);
  CHECK(t.lives()[1].state == NodeState::kLive);
  CHECK(t.life_of(NodeId(0))->state == NodeState::kReleased);
  t.latest("n2")->state = NodeState::kLost;
  t.node_registered("n2", NodeId(2), 2, 9);  // not starting: a fresh life
  CHECK(t.lives().size() == 3);
  CHECK(t.nodes_held() == 1);
}

TEST_CASE("events are records; describe() makes the sentence; status keeps the last ones", "[node_table]") {
  NodeTable t(3);
  Event e;
  e.t = 1.5;
  e.kind = EventKind::kGranted;
  e.node = "n3";
  e.request = 2;
  e.cause = "after 0.41 s";
  t.event(e);
  CHECK(describe(t.recent().back()) == "grow request 2 granted n3: after 0.41 s");
  CHECK(describe({2, EventKind::kReleased, "n3", {}, 2, 0, "helper job 7 ended"}) ==
        "n3 given back to SLURM: helper job 7 ended");
  CHECK(describe({2, EventKind::kLost, "n1", {}, 0, 0, "no heartbeat for 31 s"}) == "node n1 lost: no heartbeat for 31 s");
  CHECK(describe({2, EventKind::kNote, "", {}, 0, 0, "ready: all agents registered"}) == "ready: all agents registered");
  for (int i = 0; i < 5; ++i) t.event(i, EventKind::kNote, "", "note " + std::to_string(i));
  CHECK(t.recent().size() == 3);
  CHECK(t.recent().front().cause == "note 2");
  CHECK(t.history().size() == 6);  // the summary keeps them all
  Event failed;
  failed.kind = EventKind::kTaskFailed;
  failed.task = 12;
  t.event(failed);
  CHECK(t.history().size() == 6);  // task failures are listed apart
  CHECK(std::string(to_string(EventKind::kGiveBackFailed)) == "give-back-failed");
}

TEST_CASE("a quarantined life reads as quarantined while it holds its node", "[node_table][quarantine]") {
  NodeTable t;
  NodeLife& l = t.node_registered("n1", NodeId(0), 4, 0);
  CHECK(std::string(state_word(l)) == "live");
  l.quarantined_at = 12.5;
  CHECK(is_quarantined(l));
  CHECK(std::string(state_word(l)) == "quarantined");
  CHECK(life_line(l).find("quarantined 12.5 s") != std::string::npos);
  l.state = NodeState::kEnded;  // it left the run as any node does; the time stays
  CHECK_FALSE(is_quarantined(l));
  CHECK(std::string(state_word(l)) == "ended");
  CHECK(describe({3, EventKind::kQuarantine, "n1", {}, 0, 0, "tasks of 3 different names failed on n1"}) ==
        "quarantine n1: tasks of 3 different names failed on n1");
  CHECK(std::string(to_string(EventKind::kQuarantine)) == "quarantine");
}
