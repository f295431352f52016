// Tests of the Runtime: protocol messages in through fake endpoints, decisions carried out as messages out,
// every node fact read back from the node table.
#include <catch2/catch.hpp>

#include <algorithm>

#include "common/util/log.h"
#include "daemon/runtime.h"
#include "tests/unit/daemon/fake_endpoint.h"

using namespace compss;
using namespace compss::daemon;
using compss::test::FakeEndpoint;
using compss::test::task;

namespace {

const bool kQuiet = (log::set_level(log::Level::kError), true);

struct World {
  Runtime rt;
  std::shared_ptr<FakeEndpoint> client = std::make_shared<FakeEndpoint>("client");
  std::vector<std::shared_ptr<FakeEndpoint>> agents;
  double t = 0;

  explicit World(RuntimeConfig cfg = config()) : rt(std::move(cfg)) {}
  static RuntimeConfig config() {
    RuntimeConfig c;
    c.job_id = "test";
    c.heartbeat_s = 10;
    return c;
  }

  // An agent on `node` with `cores` cores registers; returns its endpoint.
  FakeEndpoint& agent(const std::string& node, std::uint32_t cores = 2) {
    auto a = std::make_shared<FakeEndpoint>("agent " + node);
    test::register_agent(rt, a, node, cores, t);
    agents.push_back(a);
    return *a;
  }
  std::uint64_t submit(proto::TaskSpec spec) {
    proto::Submit s;
    s.tasks.push_back(std::move(spec));
    return test::submit_to(rt, client, std::move(s), t).front().first;
  }
  void pump() { rt.pump(t); }
  // The agent reports the task started, then finished with `code`.
  void run(FakeEndpoint& a, const proto::Assign& as, int code, bool start = true) {
    test::run_task(rt, shared(a), as, code, t, start);
    pump();
  }
  std::shared_ptr<FakeEndpoint> shared(FakeEndpoint& a) {
    return *std::find_if(agents.begin(), agents.end(), [&](auto& p) { return p.get() == &a; });
  }
  proto::StatusResult status() {
    client->clear();
    rt.on_client(client, proto::StatusQuery{7}, t);
    return client->last<proto::StatusResult>();
  }
  bool event(const std::string& kind, const std::string& node = "") {
    for (const auto& e : status().events)
      if (e.kind == kind && (node.empty() || e.node == node)) return true;
    return false;
  }
};

}  // namespace

TEST_CASE("a submitted task is assigned to a registered agent with its exact cores", "[runtime]") {
  World w;
  auto& n1 = w.agent("n1", 2);
  const auto id = w.submit(task({"sim", "1"}, 2));
  w.pump();
  auto assigns = n1.all<proto::Assign>();
  REQUIRE(assigns.size() == 1);
  CHECK(assigns[0].task == id);
  CHECK(assigns[0].attempt == 1);
  CHECK(assigns[0].argv == std::vector<std::string>{"sim", "1"});
  CHECK(assigns[0].cores == std::vector<std::uint32_t>{0, 1});
  w.run(n1, assigns[0], 0);
  CHECK(w.rt.counts().done == 1);
  CHECK(w.rt.outcome() == proto::Outcome::kSucceeded);
}

TEST_CASE("an MPI task goes to its first node's agent with every rank's node and cores", "[runtime][mpi]") {
  World w;
  auto& n1 = w.agent("n1", 2);
  auto& n2 = w.agent("n2", 2);
  proto::TaskSpec spec = task({"./sim"});
  spec.mpi = true;
  spec.ranks = 4;
  spec.ranks_per_node = 2;
  spec.nodes = 0;
  const auto id = w.submit(spec);
  w.pump();
  auto assigns = n1.all<proto::Assign>();
  REQUIRE(assigns.size() == 1);
  CHECK(n2.all<proto::Assign>().empty());  // the step's other ranks are started by SLURM, not by n2's agent
  REQUIRE(assigns[0].mpi);
  const proto::MpiLaunch& m = *assigns[0].mpi;
  CHECK(m.ranks == 4);
  REQUIRE(m.slots.size() == 2);
  CHECK(m.slots[0] == proto::MpiSlot{"n1", 2, {0, 1}, {}});
  CHECK(m.slots[1] == proto::MpiSlot{"n2", 2, {0, 1}, {}});
  // n2 is lost under the step: the step is killed through n1's agent and the task runs again.
  w.rt.agent_gone(w.shared(n2).get(), "closed", w.t);
  auto kills = n1.all<proto::Kill>();
  REQUIRE(kills.size() == 1);
  CHECK(kills[0].task == id);
  CHECK(kills[0].attempt == 1);
  CHECK_THAT(kills[0].reason, Catch::Contains("node n2 of its MPI step was lost"));
}

TEST_CASE("a failed MPI step's reason names the rank that ended it", "[runtime][mpi]") {
  World w;
  auto& n1 = w.agent("n1", 2);
  proto::TaskSpec spec = task({"./sim"});
  spec.mpi = true;
  spec.ranks = 2;
  spec.on_failure = proto::OnFailure::kIgnore;
  w.submit(spec);
  proto::Wait wait;
  wait.rid = 9;
  wait.all = true;
  w.rt.on_client(w.client, std::move(wait), w.t);
  w.pump();
  const auto a = n1.last<proto::Assign>();
  REQUIRE(a.mpi);
  w.rt.on_agent(w.shared(n1), proto::Started{a.task, a.attempt, 100}, w.t);
  proto::Finished f;
  f.task = a.task;
  f.attempt = a.attempt;
  f.exit_code = 143;
  f.reason = "rank 1 on n1: exited with exit code 3";
  w.rt.on_agent(w.shared(n1), std::move(f), w.t);
  w.pump();
  auto r = w.client->all<proto::WaitResult>();
  REQUIRE(r.size() == 1);
  REQUIRE(r[0].failed.size() == 1);
  CHECK(r[0].failed[0].reason == "exit code 143 on n1 (attempt 1): rank 1 on n1: exited with exit code 3");
  w.client->clear();
  w.rt.on_client(w.client, proto::Explain{8, a.task}, w.t);
  const auto items = w.client->last<proto::Explanation>().items;
  CHECK(std::find(items.begin(), items.end(),
                  "last attempt: exit code 143 on n1 (attempt 1): rank 1 on n1: exited with exit code 3") != items.end());
  // Where each rank ran stays in the record after the step ended.
  CHECK(std::find(items.begin(), items.end(), "last attempt ran on n1 (ranks 0-1: cores 0 | 1)") != items.end());
}

TEST_CASE("compss explain of a finished task says exactly where it ran", "[runtime][explain]") {
  World w;
  auto& n1 = w.agent("n1", 4);
  proto::TaskSpec spec = task({"true"});
  spec.cpus = 2;
  w.submit(spec);
  w.pump();
  const auto a = n1.last<proto::Assign>();
  w.rt.on_client(w.client, proto::Explain{7, a.task}, w.t);
  auto items = w.client->last<proto::Explanation>().items;
  CHECK(std::none_of(items.begin(), items.end(), [](const std::string& i) { return i.find("ran on") == 0; }));
  w.rt.on_agent(w.shared(n1), proto::Started{a.task, a.attempt, 100}, w.t);
  proto::Finished f;
  f.task = a.task;
  f.attempt = a.attempt;
  f.exit_code = 0;
  w.rt.on_agent(w.shared(n1), std::move(f), w.t);
  w.pump();
  w.client->clear();
  w.rt.on_client(w.client, proto::Explain{8, a.task}, w.t);
  items = w.client->last<proto::Explanation>().items;
  CHECK(std::find(items.begin(), items.end(), "ran on n1 (cores " + std::to_string(a.cores[0]) + "," +
                                                  std::to_string(a.cores[1]) + ")") != items.end());
}

TEST_CASE("several ranks or nodes without mpi are refused, and so are more nodes than ranks", "[runtime][mpi]") {
  World w;
  w.agent("n1", 2);
  for (auto [ranks, nodes, mpi, message] :
       {std::tuple{2u, 1u, false, "add --mpi"}, std::tuple{1u, 2u, false, "add --mpi"},
        std::tuple{2u, 3u, true, "--nodes 3 is more than --ranks 2"}}) {
    proto::TaskSpec spec = task({"./sim"});
    spec.ranks = ranks;
    spec.nodes = nodes;
    spec.mpi = mpi;
    proto::Submit s;
    s.rid = 9;
    s.tasks.push_back(spec);
    w.client->clear();
    w.rt.on_client(w.client, std::move(s), w.t);
    auto e = w.client->last<proto::ErrorMessage>();
    CHECK_THAT(e.message, Catch::Contains(message));
  }
}

TEST_CASE("a file dependency holds the reader until the writer is done", "[runtime]") {
  World w;
  auto& n1 = w.agent("n1", 2);
  w.submit(task({"write"}, 1, {}, {"a.txt"}));
  w.submit(task({"read"}, 1, {"a.txt"}));
  w.pump();
  REQUIRE(n1.count<proto::Assign>() == 1);
  w.run(n1, n1.last<proto::Assign>(), 0);
  REQUIRE(n1.count<proto::Assign>() == 2);
  CHECK(n1.last<proto::Assign>().argv == std::vector<std::string>{"read"});
}

TEST_CASE("a failed attempt is re-run as attempt 2; a stale report of attempt 1 changes nothing", "[runtime]") {
  World w;
  auto& n1 = w.agent("n1", 1);
  auto& n2 = w.agent("n2", 1);
  auto spec = task({"flaky"});
  spec.retries = 1;
  w.submit(spec);
  w.pump();
  FakeEndpoint& first = n1.count<proto::Assign>() ? n1 : n2;
  const auto a1 = first.last<proto::Assign>();
  w.run(first, a1, 3);
  const auto all = [&] {
    auto v = n1.all<proto::Assign>();
    auto u = n2.all<proto::Assign>();
    v.insert(v.end(), u.begin(), u.end());
    return v;
  }();
  REQUIRE(all.size() == 2);
  const auto a2 = all.back().attempt == 2 ? all.back() : all.front();
  CHECK(a2.attempt == 2);
  // The first attempt's report again (a duplicate): ignored.
  w.run(first, a1, 0, false);
  CHECK(w.rt.counts().done == 0);
  FakeEndpoint& second = n1.all<proto::Assign>().back().attempt == 2 ? n1 : n2;
  w.run(second, a2, 0);
  CHECK(w.rt.counts().done == 1);
}

TEST_CASE("a waiter is answered when its tasks are final, with the failures", "[runtime]") {
  World w;
  auto& n1 = w.agent("n1", 2);
  auto spec = task({"bad"});
  spec.on_failure = proto::OnFailure::kIgnore;
  const auto id = w.submit(spec);
  proto::Wait wait;
  wait.rid = 9;
  wait.all = true;
  w.client->clear();
  w.rt.on_client(w.client, std::move(wait), w.t);
  w.pump();
  CHECK(w.client->count<proto::WaitResult>() == 0);
  w.run(n1, n1.last<proto::Assign>(), 2);
  auto r = w.client->all<proto::WaitResult>();
  REQUIRE(r.size() == 1);
  CHECK(r[0].rid == 9);
  REQUIRE(r[0].failed.size() == 1);
  CHECK(r[0].failed[0].id == id);
  CHECK(r[0].failed[0].reason.find("exit code 2 on n1") != std::string::npos);
}

TEST_CASE("cancel counts only the tasks of this request, not kills asked for earlier", "[runtime][cancel]") {
  World w;
  auto& n1 = w.agent("n1", 1);
  const auto running = w.submit(task({"long"}));
  w.pump();
  REQUIRE(n1.count<proto::Assign>() == 1);
  proto::Cancel c1;
  c1.rid = 1;
  c1.ids = {{running, running}};
  w.client->clear();
  w.rt.on_client(w.client, proto::Message(c1), w.t);
  w.pump();
  CHECK(w.client->last<proto::Cancelled>().count == 1);
  CHECK(n1.count<proto::Kill>() == 1);
  // The kill is not reported yet; a second cancel of another task counts that task only.
  const auto queued = w.submit(task({"next"}));
  proto::Cancel c2;
  c2.rid = 2;
  c2.ids = {{queued, queued}};
  w.client->clear();
  w.rt.on_client(w.client, proto::Message(c2), w.t);
  CHECK(w.client->last<proto::Cancelled>().count == 1);
}

TEST_CASE("a lost agent's task is re-run on another node as a new attempt; the node's life says lost", "[runtime]") {
  World w;
  auto& n1 = w.agent("n1", 1);
  w.t = 1;
  auto& n2 = w.agent("n2", 1);
  w.submit(task({"a"}));
  w.submit(task({"b"}));
  w.pump();
  REQUIRE(n1.count<proto::Assign>() == 1);
  REQUIRE(n2.count<proto::Assign>() == 1);
  const auto on_n2 = n2.last<proto::Assign>();
  w.run(n1, n1.last<proto::Assign>(), 0);
  w.t = 5;
  w.rt.agent_gone(w.shared(n2).get(), "closed", w.t);
  w.pump();
  REQUIRE(n1.count<proto::Assign>() == 2);
  CHECK(n1.last<proto::Assign>().task == on_n2.task);
  CHECK(n1.last<proto::Assign>().attempt == 2);
  const NodeLife* l = w.rt.nodes().latest("n2");
  REQUIRE(l);
  CHECK(l->state == NodeState::kLost);
  CHECK(l->left_at == Approx(5));
  CHECK(w.event("lost", "n2"));
  // A late report from the gone agent's attempt changes nothing.
  w.run(n1, on_n2, 0, false);
  CHECK(w.rt.counts().done == 1);
}

TEST_CASE("an agent silent for three heartbeats is lost and its connection closed", "[runtime]") {
  World w;
  auto& n1 = w.agent("n1", 1);
  w.agent("n2", 1);
  w.submit(task({"sleep", "100"}));
  w.pump();
  REQUIRE(n1.count<proto::Assign>() == 1);
  w.t = 29;
  w.rt.on_agent(w.agents[1], proto::Heartbeat{}, w.t);  // n2 speaks, n1 stays silent
  w.rt.check_heartbeats(w.t);
  CHECK(w.rt.nodes().latest("n1")->state == NodeState::kLive);
  CHECK(n1.closed.empty());
  w.t = 31;
  w.rt.check_heartbeats(w.t);
  CHECK(w.rt.nodes().latest("n1")->state == NodeState::kLost);
  // Closed: a stalled agent that wakes up kills its task (its connection is gone) rather than finish it
  // beside the re-run on n2.
  CHECK(n1.closed == "lost: no heartbeat");
  w.pump();
  CHECK(w.agents[1]->count<proto::Assign>() == 1);
}

TEST_CASE("status carries the node lives and the events as records", "[runtime][status]") {
  World w;
  auto& n1 = w.agent("n1", 2);
  w.t = 2;
  w.agent("n2", 4);
  auto spec = task({"x"}, 2);
  spec.on_failure = proto::OnFailure::kFail;
  const auto id = w.submit(spec);
  w.pump();
  const auto s = w.status();
  REQUIRE(s.nodes.size() == 2);
  CHECK(s.nodes[0].name == "n1");
  CHECK(s.nodes[0].state == proto::NodeState::kUp);
  CHECK(s.nodes[0].cores == 2);
  CHECK(s.nodes[0].busy == 2);
  CHECK(s.nodes[0].request == 0);
  CHECK(s.nodes[1].joined == Approx(2));
  CHECK(s.nodes[0].tasks_run == 1);
  auto joined = std::count_if(s.events.begin(), s.events.end(), [](auto& e) { return e.kind == "joined"; });
  CHECK(joined == 2);
  CHECK(s.events[1].node == "n2");
  CHECK(s.events[1].t == Approx(2));
  CHECK(s.events[1].text == "node n2 joined: 4 cores");
  // A task that fails for good is an event that names the task and its node.
  w.run(n1, n1.last<proto::Assign>(), 1);
  const auto after = w.status();
  auto failed = std::find_if(after.events.begin(), after.events.end(), [](auto& e) { return e.kind == "task-failed"; });
  REQUIRE(failed != after.events.end());
  REQUIRE(failed->task);
  CHECK(*failed->task == id);
  CHECK(failed->node == "n1");
  CHECK(failed->text.find("exit code 1 on n1") != std::string::npos);
}

TEST_CASE("a quarantined node shows in status, explain, the summary and its life", "[runtime][quarantine]") {
  World w;
  auto& n1 = w.agent("n1", 3);
  for (const char* name : {"a", "b", "c"}) {
    auto spec = task({name});
    spec.retries = 0;
    w.submit(spec);
  }
  w.pump();
  const auto tasks = n1.all<proto::Assign>();
  REQUIRE(tasks.size() == 3);
  w.t = 4;
  for (const auto& as : tasks) w.run(n1, as, 1);
  CHECK(w.event("quarantine", "n1"));
  w.agent("n2", 2);
  w.submit(task({"x"}, 2));
  const auto y = w.submit(task({"y"}, 2));
  w.pump();
  CHECK(n1.count<proto::Assign>() == 3);  // nothing new on n1, though it is idle

  const auto s = w.status();
  REQUIRE(s.nodes.size() == 2);
  CHECK(s.nodes[0].state == proto::NodeState::kUp);  // the wire word; clients show "quarantined"
  CHECK(s.nodes[0].quarantined == Approx(4));
  CHECK(s.nodes[0].why.find("tasks of 3 different names failed on n1 (a, b, c)") != std::string::npos);
  CHECK(s.nodes[1].quarantined < 0);
  const NodeLife* life = w.rt.nodes().latest("n1");
  REQUIRE(life);
  CHECK(std::string(state_word(*life)) == "quarantined");
  CHECK(life_line(*life).find("quarantined 4.0 s") != std::string::npos);

  w.client->clear();
  w.rt.on_client(w.client, proto::Explain{8, y}, w.t);
  const auto e = w.client->last<proto::Explanation>();
  CHECK(e.text.find("1 node(s) quarantined take no new task") != std::string::npos);

  const std::string summary = w.rt.summary(w.t);
  CHECK(summary.find("  quarantined: n1 at 4.0 s (tasks of 3 different names failed on n1") != std::string::npos);
  CHECK(summary.find("n1         quarantined") != std::string::npos);
}

TEST_CASE("drain: no new submits, finished once every task is final", "[runtime]") {
  World w;
  auto& n1 = w.agent("n1", 1);
  w.submit(task({"a"}));
  w.pump();
  w.rt.begin_drain("the driver exited");
  CHECK_FALSE(w.rt.finished());
  proto::Submit late;
  late.rid = 3;
  late.tasks.push_back(task({"late"}));
  w.client->clear();
  w.rt.on_client(w.client, std::move(late), w.t);
  CHECK(w.client->last<proto::ErrorMessage>().code == proto::ErrorCode::kShuttingDown);
  w.run(n1, n1.last<proto::Assign>(), 0);
  CHECK(w.rt.finished());
  // Agents stopped at the end of the run end their lives without being lost.
  w.rt.send_stop_to_agents(1);
  CHECK(n1.count<proto::Stop>() == 1);
  w.rt.agent_gone(w.shared(n1).get(), "closed", w.t);
  CHECK(w.rt.nodes().latest("n1")->state == NodeState::kEnded);
  CHECK_FALSE(w.event("lost"));
}

namespace {

// An elasticity side that records what the Runtime hands it.
struct RecordingElasticity : Elasticity {
  std::vector<std::string> calls;
  void on_decision(const scheduler::Decision& d, double) override { calls.push_back(scheduler::to_string(d)); }
  Status grow_by_hand(std::uint32_t count, double) override {
    calls.push_back("by hand +" + std::to_string(count));
    return {};
  }
  void node_left(NodeLife& l, bool end_of_run, double) override {
    calls.push_back("left " + l.name + " " + to_string(l.state) + (end_of_run ? " end" : ""));
  }
};

RuntimeConfig elastic_config() {
  RuntimeConfig c = World::config();
  c.sched.elastic = true;
  c.sched.max_nodes = 4;
  c.sched.max_in_flight = 4;
  c.sched.elastic_period_s = 0;
  c.sched.join_latency_s = 1;
  return c;
}

}  // namespace

TEST_CASE("growth decisions go to the attached elasticity; the scheduler learns nodes coming from the table",
          "[runtime][elastic]") {
  World w(elastic_config());
  w.agent("n1", 1);
  RecordingElasticity e;
  for (int i = 0; i < 4; ++i) w.submit(task({"sleep", "100"}));
  w.pump();  // not attached yet: the decision is only an event
  CHECK(e.calls.empty());
  CHECK(w.event("grow-wanted"));
  w.rt.attach_elasticity(&e);
  w.t = 1;
  w.pump();
  REQUIRE_FALSE(e.calls.empty());
  CHECK(e.calls.back().rfind("grow", 0) == 0);
  // The table says the requests are on their way: the next pass asks for no more.
  for (int i = 0; i < 3; ++i) w.rt.nodes().add_request(w.t);
  e.calls.clear();
  w.t = 2;
  w.pump();
  CHECK(std::none_of(e.calls.begin(), e.calls.end(), [](auto& c) { return c.rfind("grow", 0) == 0; }));
  CHECK(w.rt.scheduler().nodes_coming() == 3);
}

TEST_CASE("resize goes to the elasticity side (+N) or drains here (-N), granted nodes only", "[runtime][elastic]") {
  World w(elastic_config());
  w.agent("n1", 1);
  w.agent("n3", 1);  // the job's own second node: never given back either
  GrowRequest& q = w.rt.nodes().add_request(w.t);
  w.rt.nodes().node_granted("n2", q.seq, 0, w.t, "0-1");
  w.agent("n2", 1);
  CHECK(w.rt.nodes().latest("n2")->cpus == "0-1");
  proto::Resize none{1, 2};
  w.client->clear();
  w.rt.on_client(w.client, proto::Message(none), w.t);
  CHECK(w.client->last<proto::ErrorMessage>().message.find("elasticity is off") != std::string::npos);
  RecordingElasticity e;
  w.rt.attach_elasticity(&e);
  w.client->clear();
  w.rt.on_client(w.client, proto::Message(proto::Resize{2, 2}), w.t);
  CHECK(w.client->count<proto::Ok>() == 1);
  CHECK(e.calls == std::vector<std::string>{"by hand +2"});
  w.client->clear();
  w.rt.on_client(w.client, proto::Message(proto::Resize{3, -2}), w.t);
  CHECK(w.client->count<proto::Ok>() == 1);
  CHECK(w.rt.nodes().latest("n2")->state == NodeState::kDraining);
  CHECK(w.rt.nodes().latest("n1")->state == NodeState::kLive);
  CHECK(w.rt.nodes().latest("n3")->state == NodeState::kLive);
  CHECK(w.event("drain", "n2"));
  // Nothing left that came from a grow request: refused, saying why.
  w.client->clear();
  w.rt.on_client(w.client, proto::Message(proto::Resize{4, -1}), w.t);
  CHECK(w.client->last<proto::ErrorMessage>().message.find("only nodes that came from grow requests") !=
        std::string::npos);
}

TEST_CASE("a released node's agent is told to stop and its leaving goes to the elasticity side, not as a loss",
          "[runtime][elastic]") {
  World w(elastic_config());
  w.agent("n1", 1);
  auto& n2 = w.agent("n2", 1);
  RecordingElasticity e;
  w.rt.attach_elasticity(&e);
  NodeLife* l = w.rt.nodes().latest("n2");
  l->state = NodeState::kStopping;  // what Elastic::release does before asking
  CHECK(w.rt.release_agent(l->id));
  CHECK(n2.count<proto::Stop>() == 1);
  w.rt.agent_gone(w.shared(n2).get(), "closed", w.t);
  CHECK(e.calls == std::vector<std::string>{"left n2 stopping"});
  CHECK_FALSE(w.event("lost"));
}

TEST_CASE("a second agent for a node whose agent is connected is refused; its tasks do not run twice",
          "[runtime][agents]") {
  World w;
  auto& first = w.agent("n1", 2);
  w.submit(task({"sleep", "100"}));
  w.pump();
  REQUIRE(first.count<proto::Assign>() == 1);
  auto& second = w.agent("n1", 2);
  CHECK(second.last<proto::ErrorMessage>().message.find("has a live agent already") != std::string::npos);
  w.pump();
  CHECK(first.count<proto::Assign>() == 1);
  CHECK(second.count<proto::Assign>() == 0);
  CHECK(w.rt.nodes().latest("n1")->state == NodeState::kLive);
  CHECK_FALSE(w.event("lost"));
  // Once the first one is gone, a new agent is welcome.
  w.rt.agent_gone(w.shared(first).get(), "closed", w.t);
  auto& third = w.agent("n1", 2);
  w.pump();
  CHECK(third.count<proto::Assign>() == 1);
}

TEST_CASE("a submit is all or nothing: a later task the graph refuses adds none of them", "[runtime]") {
  World w;
  w.agent("n1", 2);
  proto::Submit s;
  s.rid = 4;
  s.tasks.push_back(task({"good"}));
  auto bad = task({"bad"});
  bad.retries = 101;  // above the graph's limit, not caught by the wire checks
  s.tasks.push_back(bad);
  w.client->clear();
  w.rt.on_client(w.client, std::move(s), w.t);
  auto refused = w.client->all<proto::ErrorMessage>();
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].rid == 4);
  CHECK_THAT(refused[0].message, Catch::Contains("task 1 (") || Catch::Contains("task 1:"));
  CHECK_THAT(refused[0].message, Catch::Contains("retries 101"));
  CHECK(w.client->all<proto::Submitted>().empty());
  CHECK(w.rt.counts().total == 0);
  CHECK(w.rt.scheduler().graph().size() == 0);

  // The same submit without the bad task goes through whole.
  proto::Submit good;
  good.rid = 5;
  good.tasks.push_back(task({"good"}));
  good.tasks.push_back(task({"also good"}));
  w.client->clear();
  w.rt.on_client(w.client, std::move(good), w.t);
  REQUIRE(w.client->all<proto::Submitted>().size() == 1);
  CHECK(w.rt.scheduler().graph().size() == 2);
}
