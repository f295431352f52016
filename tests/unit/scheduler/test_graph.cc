// Tests of the task graph: dependency inference (RAW, WAR, WAW, inout, after), arrays, groups,
// interned storage.
#include <algorithm>
#include <catch2/catch.hpp>

#include "scheduler/arena.h"
#include "scheduler/graph.h"
#include "tests/unit/scheduler/world.h"

using compss::GroupId;
using compss::TaskId;
using compss::test::World;
using namespace compss::scheduler;

namespace {

// Labels of the unfinished predecessors of `label`, sorted.
std::vector<std::string> preds(const World& w, const std::string& label) {
  std::vector<std::string> out;
  w.sched.graph().for_each_predecessor(w.id(label), [&](TaskId p) { out.push_back(w.label(p)); });
  std::sort(out.begin(), out.end());
  return out;
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("a reader waits for the last writer of its file (RAW)", "[graph]") {
  World w("w: out x; r: in x; other: in y");
  CHECK(preds(w, "r") == Names{"w"});
  CHECK(w.state("w") == TaskState::kReady);
  CHECK(w.state("r") == TaskState::kPending);
  CHECK(w.state("other") == TaskState::kReady);  // y was never written: an existing input
}

TEST_CASE("a writer waits for the readers since the last writer and for that writer (WAR, WAW)", "[graph]") {
  World w("w: out x; r1: in x; r2: in x; w2: out x; r3: in x");
  CHECK(preds(w, "r1") == Names{"w"});
  CHECK(preds(w, "r2") == Names{"w"});
  CHECK(preds(w, "w2") == Names{"r1", "r2", "w"});
  CHECK(preds(w, "r3") == Names{"w2"});  // reads the new version only
}

TEST_CASE("an out after an out waits for the first writer (WAW) with no reader between", "[graph]") {
  World w("a: out x; b: out x");
  CHECK(preds(w, "b") == Names{"a"});
}

TEST_CASE("inout accesses form a chain", "[graph]") {
  World w("w: out x; u1: inout x; u2: inout x; r: in x; u3: inout x");
  CHECK(preds(w, "u1") == Names{"w"});
  CHECK(preds(w, "u2") == Names{"u1"});
  CHECK(preds(w, "r") == Names{"u2"});
  CHECK(preds(w, "u3") == Names{"r", "u2"});
}

TEST_CASE("a task never depends on itself and duplicate edges merge", "[graph]") {
  World w("w: out x, out y; t: in x, in y, out x");
  CHECK(preds(w, "t") == Names{"w"});
  CHECK(w.sched.graph().pending_predecessors(w.id("t")) == 1);
}

TEST_CASE("after edges name earlier tasks; an unknown one is rejected with a clear error", "[graph]") {
  World w("a -> b, a -> c, b -> d, c -> d");
  CHECK(preds(w, "d") == Names{"b", "c"});
  CHECK(preds(w, "b") == Names{"a"});

  TaskSpec bad;
  bad.command = "/bin/true";
  bad.after = {TaskId(17)};
  auto r = w.sched.submit(bad);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "after: task 17 does not exist (4 tasks submitted so far; ids start at 0)");
  CHECK(w.sched.graph().size() == 4);  // nothing added
}

TEST_CASE("finishing the last predecessor makes a task ready, in a diamond", "[graph]") {
  World w("a -> b, a -> c, b -> d, c -> d");
  CHECK(w.run_all() == Names{"a", "b", "c", "d"});
  CHECK(w.sched.outcome() == Outcome::kSuccess);
}

TEST_CASE("a task whose predecessor already finished starts ready", "[graph]") {
  World w("w: out x");
  w.run_all();
  w.add("r: in x");
  CHECK(w.state("r") == TaskState::kReady);
  CHECK(preds(w, "r").empty());  // no edge to a finished task
}

TEST_CASE("an array is one submission of many tasks sharing one spec", "[graph][array]") {
  World w("sim: array 1-5, out out/{i}.nc; merge: in out/1.nc, in out/3.nc, in out/5.nc");
  const TaskGraph& g = w.sched.graph();
  CHECK(g.size() == 6);
  CHECK(g.index(w.id("sim[3]")) == 3);
  CHECK(g.in_array(w.id("sim[3]")));
  CHECK(g.command(w.id("sim[3]")) == "/bin/sim {i}");  // stored once, unsubstituted
  CHECK(g.command(w.id("sim[1]")).data() == g.command(w.id("sim[5]")).data());
  CHECK(substitute_index(g.command(w.id("sim[3]")), g.index(w.id("sim[3]"))) == "/bin/sim 3");
  CHECK(g.accesses(w.id("sim[4]"))[0].first == "out/4.nc");
  CHECK(preds(w, "merge") == Names{"sim[1]", "sim[3]", "sim[5]"});
}

TEST_CASE("array ranges with a step and bad ranges", "[graph][array]") {
  World w;
  TaskSpec s;
  s.command = "/bin/x {i}";
  auto r = w.sched.submit_array(s, 0, 10, 5);
  REQUIRE(r);
  CHECK(r->count == 3);
  CHECK(w.sched.graph().index(r->at(2)) == 10);
  CHECK_FALSE(w.sched.submit_array(s, 5, 1, 1));
  CHECK_FALSE(w.sched.submit_array(s, 1, 5, 0));
  CHECK(w.sched.graph().size() == 3);
}

TEST_CASE("groups collect their members and their states", "[graph][group]") {
  World w("a: group g; b: group g; c: group h; d");
  GroupId g = w.sched.find_group("g");
  REQUIRE(g.valid());
  CHECK(w.sched.graph().group_members(g).size() == 2);
  CHECK_FALSE(w.sched.find_group("nope").valid());
  CHECK(w.sched.graph().group_count_in(g, TaskState::kReady) == 2);
  w.run_all();
  CHECK(w.sched.graph().group_count_in(g, TaskState::kDone) == 2);
  CHECK(w.sched.group_status(g).succeeded());
}

TEST_CASE("invalid submissions are rejected and add nothing", "[graph]") {
  World w;
  TaskSpec s;
  CHECK_FALSE(w.sched.submit(s));  // no command
  s.command = "/bin/x";
  s.accesses = {{"", AccessMode::kIn}};
  CHECK_FALSE(w.sched.submit(s));
  s.accesses.clear();
  s.retries = 1000;
  CHECK_FALSE(w.sched.submit(s));
  s.retries = -1;
  s.request.gpus = 2;  // the only node has none
  auto r = w.sched.submit(s);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("GPU") != std::string::npos);
  CHECK(w.sched.graph().size() == 0);
}

TEST_CASE("the default task name is the command's first word without its directory", "[graph]") {
  CHECK(default_task_name("/usr/bin/sim --x 1") == "sim");
  CHECK(default_task_name("  merge") == "merge");
  CHECK(default_task_name("") == "task");
  CHECK(substitute_index("a{i}b{i}", 7) == "a7b7");
}

TEST_CASE("the interner gives one dense id per distinct string", "[graph][arena]") {
  Interner in;
  std::vector<std::uint32_t> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back(in.intern("file/" + std::to_string(i)));
  CHECK(in.size() == 1000);
  CHECK(in.intern("file/500") == ids[500]);
  CHECK(in.view(ids[999]) == "file/999");
  CHECK(in.find("file/1000") == Interner::kNotFound);
  CHECK(in.intern("") == 1000);
  CHECK(in.view(1000).empty());
}

TEST_CASE("a string longer than an arena chunk is stored whole", "[graph][arena]") {
  StringArena a;
  std::string big(3 << 20, 'x');
  StrRef r1 = a.store("small");
  StrRef r2 = a.store(big);
  CHECK(a.view(r1) == "small");
  CHECK(a.view(r2) == big);
}
