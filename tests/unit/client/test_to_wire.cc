// The public values to and from the protocol's messages.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>

#include "common/client/to_wire.h"
#include "common/proto/env.h"

using namespace compss;
using client::IdRange;

TEST_CASE("a task spec goes on the wire field for field", "[client][wire]") {
  client::TaskSpec t;
  t.name = "train";
  t.argv = {"./train", "out/"};
  t.cwd = "/home/u";
  t.in = {"/home/u/a"};
  t.after = {3};
  t.cpus = 4;
  t.memory = 1 << 30;
  t.gpus = 1;
  t.nodes = 2;
  t.ranks = 8;
  t.ranks_per_node = 4;
  t.mpi = true;
  t.custom = {{"license", 2}};
  t.on_failure = client::OnFailure::kCancelSuccessors;
  t.retries = 0;
  t.priority = -3;
  t.group = "g";
  t.array = client::ArraySpec{1, 9, 2};
  proto::TaskSpec w = client::to_wire(t);
  CHECK(w.name == "train");
  CHECK(w.argv == t.argv);
  CHECK(w.in == t.in);
  CHECK(w.after == std::vector<std::uint64_t>{3});
  CHECK(w.cpus == 4);
  CHECK(w.memory == 1u << 30);
  CHECK(w.ranks_per_node == 4);
  CHECK(w.mpi);
  CHECK(w.custom == std::vector<proto::Amount>{{"license", 2}});
  CHECK(w.on_failure == proto::OnFailure::kCancelSuccessors);
  CHECK(w.retries == std::optional<std::uint32_t>(0));
  CHECK(w.priority == -3);
  CHECK(w.group == std::optional<std::string>("g"));
  CHECK(w.array == std::optional<proto::ArraySpec>(proto::ArraySpec{1, 9, 2}));
  CHECK(client::task_count(t) == 5);

  client::TaskSpec plain;  // empty group and no retries stay absent on the wire
  proto::TaskSpec pw = client::to_wire(plain);
  CHECK_FALSE(pw.group);
  CHECK_FALSE(pw.retries);
}

TEST_CASE("submitted ids are cut into one range per spec, however the daemon groups them", "[client][wire]") {
  // three specs: a plain task, an array of 8, a plain task; the daemon sends one range for all 10
  auto one = client::split_ids({{5, 14}}, {1, 8, 1});
  REQUIRE(one);
  CHECK(*one == std::vector<IdRange>{{5, 5}, {6, 13}, {14, 14}});

  auto many = client::split_ids({{5, 5}, {6, 9}, {10, 13}, {20, 20}}, {1, 8, 1});
  REQUIRE(many);
  CHECK(*many == std::vector<IdRange>{{5, 5}, {6, 13}, {20, 20}});

  auto top = client::split_ids({{UINT64_MAX - 1, UINT64_MAX}}, {2});
  REQUIRE(top);
  CHECK(*top == std::vector<IdRange>{{UINT64_MAX - 1, UINT64_MAX}});
}

TEST_CASE("submitted ids that do not fit the submit are a protocol error", "[client][wire]") {
  struct Row {
    proto::IdList ids;
    std::vector<std::uint64_t> counts;
    const char* why;
  };
  for (const auto& row : std::vector<Row>{
           {{{5, 6}}, {1, 8}, "fewer ids than tasks"},
           {{{5, 9}}, {1, 1}, "more ids than tasks"},
           {{{5, 6}, {9, 10}}, {4}, "an array's ids are not consecutive"},
           {{{9, 5}}, {1}, "a range with first above last"},
           {{}, {1}, "fewer ids than tasks"},
       }) {
    INFO(row.why);
    auto got = client::split_ids(row.ids, row.counts);
    REQUIRE_FALSE(got);
    CHECK(got.error().kind == client::ErrorKind::kProtocol);
    CHECK_THAT(got.error().message, Catch::Contains(row.why));
  }
}

TEST_CASE("results come back from the wire with their words", "[client][wire]") {
  proto::StatusResult s;
  s.counts.failed = 2;
  s.nodes.push_back({"n2", proto::NodeState::kDraining, 8, 1});
  s.outcome = proto::Outcome::kFailed;
  auto r = client::from_wire(s);
  CHECK(r.counts.failed == 2);
  CHECK(r.nodes.at(0).state == "draining");
  CHECK(r.outcome == "failed");

  proto::TaskInfo t{7, "sim", proto::TaskState::kCancelled, "n1", std::nullopt, 9, 2, "predecessor 3 failed"};
  auto ti = client::from_wire(t);
  CHECK(ti.state == "cancelled");
  CHECK_FALSE(ti.exit_code);
  CHECK(ti.signal == 9);
  CHECK_FALSE(ti.cached);
  s.counts.done = 4;
  s.counts.cached = 3;
  CHECK(client::from_wire(s).counts.cached == 3);
  s.counts.held = 2;
  CHECK(client::from_wire(s).counts.held == 2);
  proto::TaskInfo c{8, "pre", proto::TaskState::kDone, "", std::nullopt, 0, 0, "cached: done as task 8 of d", true};
  CHECK(client::from_wire(c).cached);

  proto::WaitResult w;
  w.done = 3;
  w.failed.push_back({4, "sim", "exit code 1"});
  auto wr = client::from_wire(w);
  CHECK_FALSE(wr.succeeded());
  CHECK(wr.failed.at(0).reason == "exit code 1");
}

TEST_CASE("a quarantined node comes from the wire with the state quarantined while it is in the run",
          "[client][wire][quarantine]") {
  proto::StatusResult s;
  proto::NodeInfo up{"n1", proto::NodeState::kUp, 4};
  up.quarantined = 12.5;
  proto::NodeInfo gone{"n2", proto::NodeState::kReleased, 4};
  gone.quarantined = 3;
  s.nodes = {up, gone, {"n3", proto::NodeState::kUp, 4}};
  auto r = client::from_wire(s);
  CHECK(r.nodes.at(0).state == "quarantined");
  CHECK(r.nodes.at(0).quarantined == 12.5);
  CHECK(r.nodes.at(1).state == "released");  // it left the run: its state says how
  CHECK(r.nodes.at(1).quarantined == 3);
  CHECK(r.nodes.at(2).state == "up");
  CHECK(r.nodes.at(2).quarantined < 0);
}

TEST_CASE("a spec that exports the environment carries this process's variables, the node's left out",
          "[client][wire][env]") {
  ::setenv("COMPSS_WIRE_TEST_X", "1", 1);  // the runtime's: never sent
  ::setenv("WIRE_TEST_MODULE", "/opt/m", 1);
  ::setenv("SLURM_WIRE_TEST", "n1", 1);
  client::TaskSpec t;
  t.argv = {"x"};
  t.cwd = "/";
  auto has = [](const std::vector<std::string>& v, const std::string& kv) {
    return std::find(v.begin(), v.end(), kv) != v.end();
  };
  SECTION("kNone (the library's default): nothing") {
    auto w = client::to_wire(t);
    CHECK(w.exported.empty());
    CHECK_FALSE(w.export_all);
  }
  SECTION("kAll: every caller variable, as the whole of it") {
    t.export_env = client::ExportEnv::kAll;
    auto w = client::to_wire(t);
    CHECK(w.export_all);
    CHECK(has(w.exported, "WIRE_TEST_MODULE=/opt/m"));
    CHECK_FALSE(has(w.exported, "COMPSS_WIRE_TEST_X=1"));
    CHECK_FALSE(has(w.exported, "SLURM_WIRE_TEST=n1"));
    for (const auto& kv : w.exported) CHECK(proto::caller_variable(kv.substr(0, kv.find('='))));
  }
  SECTION("kNames: the named ones this process has") {
    t.export_env = client::ExportEnv::kNames;
    t.export_names = {"WIRE_TEST_MODULE", "WIRE_TEST_NOT_SET"};
    auto w = client::to_wire(t);
    CHECK_FALSE(w.export_all);
    CHECK(w.exported == std::vector<std::string>{"WIRE_TEST_MODULE=/opt/m"});
  }
  ::unsetenv("COMPSS_WIRE_TEST_X");
  ::unsetenv("WIRE_TEST_MODULE");
  ::unsetenv("SLURM_WIRE_TEST");
}
