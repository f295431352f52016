// Tests of the simulator and the workflow sources (tools/workflow.h, tools/sim.h).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "tools/sim.h"
#include "tools/workflow.h"

using namespace compss::tools;
using compss::scheduler::AccessMode;
using compss::scheduler::TaskSpec;

namespace {

std::unique_ptr<TaskSource> file(const char* text) {
  auto r = load_workflow(text, "wf.txt");
  REQUIRE(r);
  return std::move(r).value();
}

SimConfig nodes(std::uint32_t n, std::uint32_t cores) {
  SimConfig c;
  c.nodes = n;
  c.cores = cores;
  return c;
}

}  // namespace

TEST_CASE("a workflow file defines tasks, durations, files and after edges", "[sim]") {
  auto src = file("# a comment\n\ntask a 10 out=x cpus=2\ntask b 5.5 in=x kind=k\ntask c 1 after=a,b\n");
  TaskSpec spec;
  double d = 0;
  REQUIRE(src->next(spec, d));
  CHECK(d == 10);
  CHECK(spec.request.cpus == 2);
  REQUIRE(spec.accesses.size() == 1);
  CHECK(spec.accesses[0].mode == AccessMode::kOut);
  REQUIRE(src->next(spec, d));
  CHECK(d == 5.5);
  CHECK(spec.name == "k");
  REQUIRE(src->next(spec, d));
  CHECK(spec.after.size() == 2);
  CHECK_FALSE(src->next(spec, d));
}

TEST_CASE("workflow file errors name the file and line", "[sim]") {
  auto r = load_workflow("task a 1\ntask b 2 after=zz\n", "wf.txt");
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "wf.txt:2: after: no task named 'zz' before this line");
  CHECK_FALSE(load_workflow("task a x\n", "wf.txt"));
  CHECK_FALSE(load_workflow("task a 1 colour=red\n", "wf.txt"));
  CHECK_FALSE(load_workflow("task a 1\ntask a 2\n", "wf.txt"));
  CHECK_FALSE(load_workflow("# nothing\n", "wf.txt"));
}

TEST_CASE("a chain runs one task at a time: makespan is the sum of durations", "[sim]") {
  auto src = file("task a 10 out=x\ntask b 20 in=x out=y\ntask c 30 in=y\n");
  auto r = run_simulation(nodes(4, 8), *src);
  REQUIRE(r);
  CHECK(r->makespan_s == Approx(60));
  CHECK(r->critical_path_s == Approx(60));
  CHECK(r->lower_bound_s == Approx(60));
  CHECK(r->done == 3);
  CHECK(r->node_seconds == Approx(4 * 60));
  CHECK(r->utilisation == Approx(60.0 / (4 * 60 * 8)));
}

TEST_CASE("independent tasks spread over the cores; the bound is work over cores", "[sim]") {
  std::string text;
  for (int i = 0; i < 8; ++i) text += "task t" + std::to_string(i) + " 10\n";
  auto src = file(text.c_str());
  auto r = run_simulation(nodes(2, 2), *src);
  REQUIRE(r);
  CHECK(r->lower_bound_s == Approx(20));  // 80 core-s on 4 cores
  CHECK(r->makespan_s == Approx(20));
  CHECK(r->utilisation == Approx(1.0));
}

TEST_CASE("an elastic run grows for waiting work and releases idle nodes", "[sim]") {
  ShapeOptions so;
  so.shape = "ensemble";
  so.tasks = 401;
  auto src = make_shape(so);
  REQUIRE(src);
  SimConfig c = nodes(8, 4);
  c.elastic = true;
  c.min_nodes = 1;
  c.queue.fixed_s = 10;
  auto r = run_simulation(c, **src);
  REQUIRE(r);
  CHECK(r->done == 401);
  CHECK(r->grows >= 1);
  CHECK(r->peak_nodes > 1);
  CHECK(r->peak_nodes <= 8);
  CHECK(r->makespan_s >= r->lower_bound_s);
  auto again = make_shape(so);
  auto s = run_simulation(nodes(8, 4), **again);
  REQUIRE(s);
  CHECK(r->node_seconds < s->node_seconds);  // elastic uses fewer node-seconds than 8 static nodes
}

TEST_CASE("generated shapes have the promised structure", "[sim]") {
  for (const char* shape : {"chain", "fan", "random", "ensemble"}) {
    ShapeOptions so;
    so.shape = shape;
    so.tasks = 1001;
    so.width = 10;
    auto src = make_shape(so);
    REQUIRE(src);
    TaskSpec spec;
    double d;
    std::uint64_t n = 0;
    while ((*src)->next(spec, d)) {
      CHECK(d >= 0);
      CHECK(spec.command.size() == 40);
      ++n;
    }
    CHECK(n == (*src)->size());
  }
  ShapeOptions bad;
  bad.shape = "star";
  CHECK_FALSE(make_shape(bad));
}

TEST_CASE("10000 tasks on 256 nodes simulate quickly", "[sim]") {
  ShapeOptions so;
  so.tasks = 10000;
  auto src = make_shape(so);
  REQUIRE(src);
  auto r = run_simulation(nodes(256, 32), **src);
  REQUIRE(r);
  CHECK(r->done == 10000);
}

// --- elasticity at scale: queue models, grow requests, the forecast, montage, WfCommons ---------------

#include <fstream>
#include <map>
#include <sstream>

#include "scheduler/scheduler.h"
#include "tools/grow_requests.h"
#include "tools/queue_model.h"
#include "tools/wfcommons.h"

namespace {

QueueSpec queue(const char* text) {
  auto q = parse_queue_spec(text, 30);
  REQUIRE(q);
  return *q;
}

std::vector<double> draws(const QueueSpec& spec, std::uint64_t seed, int n) {
  QueueModel m(spec, seed);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back(m.draw());
  return out;
}

std::string data_file(const char* name) {
  std::ifstream in(std::string(COMPSS_TEST_DATA_DIR) + "/wfcommons/" + name);
  REQUIRE(in);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

WfWorkflow wfcommons(const char* name) {
  auto wf = parse_wfcommons(data_file(name), name);
  if (!wf) FAIL(wf.error().message);
  return *wf;
}

std::uint32_t index_of(const WfWorkflow& wf, const std::string& name) {
  for (std::uint32_t i = 0; i < wf.tasks.size(); ++i) {
    if (wf.tasks[i].name == name) return i;
  }
  FAIL("no task " << name);
  return 0;
}

// Every trace line of a simulation, "t=<now> <line>".
struct Trace {
  std::vector<std::pair<double, std::string>> lines;
  void attach(SimConfig& c) {
    c.trace = [this](double now, std::string_view line) { lines.emplace_back(now, std::string(line)); };
  }
  std::vector<std::pair<double, std::string>> starting(const std::string& prefix) const {
    std::vector<std::pair<double, std::string>> out;
    for (const auto& l : lines) {
      if (l.second.rfind(prefix, 0) == 0) out.push_back(l);
    }
    return out;
  }
};

// `n` independent tasks of `seconds` each, as a workflow file.
std::unique_ptr<TaskSource> independent(int n, double seconds) {
  std::string text;
  // Each declares its length (time=), as `compss submit --time` does: the policy sizes growth with it.
  for (int i = 0; i < n; ++i)
    text += "task t" + std::to_string(i) + " " + std::to_string(seconds) + " time=" + std::to_string(seconds) + "\n";
  auto r = load_workflow(text, "wf.txt");
  REQUIRE(r);
  return std::move(r).value();
}

}  // namespace

TEST_CASE("queue models: fixed, lognormal seeded, trace cycling; bad specs say what is accepted", "[sim][queue]") {
  CHECK(draws(queue(""), 1, 3) == std::vector<double>{30, 30, 30});  // the default fixed value
  CHECK(draws(queue("fixed:12.5"), 7, 2) == std::vector<double>{12.5, 12.5});

  const QueueSpec ln = queue("lognormal:40:0.5");
  CHECK(draws(ln, 3, 50) == draws(ln, 3, 50));
  CHECK(draws(ln, 3, 50) != draws(ln, 4, 50));
  double sum = 0;
  for (double d : draws(ln, 5, 20000)) {
    CHECK(d > 0);
    sum += d;
  }
  CHECK(sum / 20000 == Approx(40).epsilon(0.03));  // MEAN is the mean, not the median
  CHECK(ln.mean() == 40);

  auto trace = parse_queue_trace("# start delays\n5\n\n10  # a comment\n15\n", "q.txt");
  REQUIRE(trace);
  QueueSpec t;
  t.kind = QueueSpec::Kind::kTrace;
  t.trace = *trace;
  CHECK(draws(t, 1, 5) == std::vector<double>{5, 10, 15, 5, 10});
  CHECK(t.mean() == 10);

  auto bad = parse_queue_trace("5\nsoon\n", "q.txt");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "q.txt:2: bad start delay 'soon': expected seconds >= 0, one per line");
  auto negative = parse_queue_trace("5\n\n-3\n", "q.txt");
  REQUIRE_FALSE(negative);
  CHECK(negative.error().message.rfind("q.txt:3: ", 0) == 0);
  auto empty = parse_queue_trace("# nothing\n\n", "q.txt");
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message == "q.txt: no start delay in the file (expected seconds, one per line)");
  auto missing = parse_queue_spec("trace:/nonexistent/q.txt", 30);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message == "--queue trace: cannot read '/nonexistent/q.txt'");

  for (const char* text :
       {"gamma:3", "fixed:-1", "fixed:", "fixed:soon", "lognormal:30", "lognormal:0:1", "lognormal:30:-1", "trace:"}) {
    auto q = parse_queue_spec(text, 30);
    CHECK_FALSE(q);
  }
  CHECK(parse_queue_spec("gamma:3", 30).error().message ==
        "--queue 'gamma:3': expected fixed:SECONDS, lognormal:MEAN:SIGMA or trace:FILE");
}

TEST_CASE("a grow of 10 nodes in requests of at most 4 is 3 requests of 4, 4 and 2 nodes", "[sim][grow]") {
  QueueSpec spec;
  spec.kind = QueueSpec::Kind::kTrace;
  spec.trace = {10, 20, 5};
  GrowRequests g(QueueModel(spec, 1), 4, 3);
  CHECK(g.forecast(10) == 20);  // the slowest of the three requests
  CHECK(g.forecast(4) == 10);   // one request: the first draw, kept for it
  std::vector<GrowRequest> made;
  g.ask(10, 100, made);
  REQUIRE(made.size() == 3);
  CHECK(made[0].nodes == 4);
  CHECK(made[1].nodes == 4);
  CHECK(made[2].nodes == 2);
  CHECK(made[0].ready_at == 113);  // 100 + its delay (10) + boot (3)
  CHECK(made[1].ready_at == 123);
  CHECK(made[2].ready_at == 108);
  CHECK(g.nodes_pending() == 10);
  CHECK(g.requests_made() == 3);
  CHECK(g.forecast(1) == 10);  // the trace cycles: the next request gets 10 again

  CHECK(g.arrived(made[2].id) == 2);
  CHECK(g.arrived(made[2].id) == 0);  // once
  CHECK(g.nodes_pending() == 8);
}

TEST_CASE("withdrawing pending multi-node requests takes whole requests, newest first", "[sim][grow]") {
  GrowRequests g(QueueModel(QueueSpec{}, 1), 4, 0);
  std::vector<GrowRequest> made;
  g.ask(10, 0, made);         // 4, 4, 2
  CHECK(g.withdraw(3) == 6);  // the 2-node request, then a 4-node one
  CHECK(g.nodes_pending() == 4);
  CHECK(g.arrived(made[2].id) == 0);
  CHECK(g.arrived(made[1].id) == 0);
  CHECK(g.arrived(made[0].id) == 4);
  CHECK(g.withdraw(5) == 0);  // nothing left
}

TEST_CASE("the simulator carries a grow of 10 nodes out as requests of 4, 4 and 2 whose nodes join together",
          "[sim][grow]") {
  auto src = independent(11, 1000);
  SimConfig c = nodes(11, 1);
  c.elastic = true;
  c.queue = queue("fixed:10");
  c.forecast = false;
  c.request_nodes = 4;
  Trace trace;
  trace.attach(c);
  auto r = run_simulation(c, *src);
  REQUIRE(r);
  CHECK(r->done == 11);
  CHECK(r->grows == 10);
  CHECK(r->grow_rpcs == 3);
  CHECK(r->peak_nodes == 11);
  CHECK(r->makespan_s == Approx(1010));  // every node joined at t = 10
  const auto grows = trace.starting("grow ");
  REQUIRE(grows.size() == 1);
  CHECK(grows[0].second.rfind("grow 10: ", 0) == 0);
  const auto joins = trace.starting("request ");
  REQUIRE(joins.size() == 3);
  CHECK(joins[0].second == "request 0: 4 nodes joined, 5 live");
  CHECK(joins[1].second == "request 1: 4 nodes joined, 9 live");
  CHECK(joins[2].second == "request 2: 2 nodes joined, 11 live");
  for (const auto& j : joins) CHECK(j.first == 10);
}

TEST_CASE("a forecast later than the work lasts makes no request, and no tick asks again before the hold ends",
          "[sim][forecast]") {
  auto src = independent(11, 20);
  SimConfig c = nodes(11, 1);
  c.elastic = true;
  c.queue = queue("fixed:1000");  // the nodes would start long after the 220 s of work
  Trace trace;
  trace.attach(c);
  auto r = run_simulation(c, *src);
  REQUIRE(r);
  CHECK(r->done == 11);
  CHECK(r->grow_rpcs == 0);
  CHECK(r->grows == 0);
  CHECK(r->grows_declined >= 1);
  CHECK(r->peak_nodes == 1);
  CHECK(r->makespan_s == Approx(220));
  const auto grows = trace.starting("grow ");
  REQUIRE(grows.size() == r->grows_declined);
  for (std::size_t k = 1; k < grows.size(); ++k) {
    CHECK(grows[k].first - grows[k - 1].first >= 60);  // hold: half the forecast, at most 60 s
  }
  CHECK(trace.starting("  declined: ").size() == r->grows_declined);
}

TEST_CASE("with the forecast off, the policy's join latency is the queue's mean plus the boot", "[sim][forecast]") {
  // 11 tasks of 40 s on one 1-core node: 440 s of work. A join latency of 30 + 2000 makes growing pointless;
  // 30 + 0 makes it pay.
  SimConfig c = nodes(11, 1);
  c.elastic = true;
  c.forecast = false;
  c.queue = queue("fixed:30");
  c.boot_s = 2000;
  auto slow = run_simulation(c, *independent(11, 40));
  REQUIRE(slow);
  CHECK(slow->grows == 0);
  c.boot_s = 0;
  auto fast = run_simulation(c, *independent(11, 40));
  REQUIRE(fast);
  CHECK(fast->grows > 0);
  CHECK(fast->makespan_s < slow->makespan_s);
}

TEST_CASE("the montage shape: 1738 tasks an instance, Montage's dependency structure, instances apart",
          "[sim][montage]") {
  ShapeOptions so;
  so.shape = "montage";
  so.instances = 2;
  auto src = make_shape(so);
  REQUIRE(src);
  CHECK((*src)->size() == 2 * kMontageTasks);
  compss::scheduler::SchedulerConfig sc;
  compss::scheduler::Scheduler s(sc);
  TaskSpec spec;
  double d = 0;
  std::map<std::string, int> kinds;
  while ((*src)->next(spec, d)) {
    CHECK(d > 0);
    CHECK(spec.request.cpus == 1);
    ++kinds[spec.name];
    REQUIRE(s.submit(spec));
  }
  CHECK(s.graph().size() == 2 * kMontageTasks);
  CHECK(kinds == std::map<std::string, int>{{"mProjectPP", 752},
                                            {"mDiffFit", 1960},
                                            {"mConcatFit", 2},
                                            {"mBgModel", 2},
                                            {"mBackground", 752},
                                            {"mImgtbl", 2},
                                            {"mAdd", 2},
                                            {"mShrink", 2},
                                            {"mJPEG", 2}});
  const auto& g = s.graph();
  auto preds = [&](std::uint32_t i) {
    std::vector<std::string> names;
    g.for_each_predecessor(compss::TaskId(i), [&](compss::TaskId p) { names.emplace_back(g.name(p)); });
    return names;
  };
  for (std::uint32_t inst = 0; inst < 2; ++inst) {
    const std::uint32_t base = inst * kMontageTasks;
    CHECK(preds(base).empty());                                                        // mProjectPP
    CHECK(preds(base + 376) == std::vector<std::string>{"mProjectPP", "mProjectPP"});  // mDiffFit
    CHECK(g.name(compss::TaskId(base + 1356)) == "mConcatFit");
    CHECK(preds(base + 1356).size() == 980);
    CHECK(preds(base + 1357) == std::vector<std::string>{"mConcatFit"});  // mBgModel
    auto bg = preds(base + 1358);                                         // mBackground: its image, the model
    std::sort(bg.begin(), bg.end());
    CHECK(bg == std::vector<std::string>{"mBgModel", "mProjectPP"});
    CHECK(g.name(compss::TaskId(base + 1734)) == "mImgtbl");
    CHECK(preds(base + 1734).size() == 376);
    CHECK(preds(base + 1737) == std::vector<std::string>{"mShrink"});  // mJPEG
  }
  // Instance 1 depends on nothing of instance 0.
  for (std::uint32_t i = kMontageTasks; i < 2 * kMontageTasks; ++i) {
    g.for_each_predecessor(compss::TaskId(i), [&](compss::TaskId p) { CHECK(p.value() >= kMontageTasks); });
  }
  ShapeOptions bad = so;
  bad.shape = "fan";
  CHECK_FALSE(make_shape(bad));  // --instances is for montage
}

TEST_CASE("an elastic montage x10 on 64 nodes grows in multi-node requests and finishes every task", "[sim][montage]") {
  ShapeOptions so;
  so.shape = "montage";
  so.instances = 10;
  auto src = make_shape(so);
  REQUIRE(src);
  SimConfig c = nodes(64, 32);
  c.elastic = true;
  c.min_nodes = 4;
  c.idle_release_s = 60;
  c.queue = queue("fixed:30");
  Trace trace;
  trace.attach(c);
  auto r = run_simulation(c, **src);
  REQUIRE(r);
  CHECK(r->done == 10 * kMontageTasks);
  CHECK(r->grow_rpcs >= 1);
  CHECK(r->peak_nodes > 4);
  std::uint32_t widest = 0;
  for (const auto& [at, line] : trace.starting("request ")) {
    widest = std::max<std::uint32_t>(widest, static_cast<std::uint32_t>(std::stoul(line.substr(line.find(": ") + 2))));
  }
  CHECK(widest > 1);
}

TEST_CASE("a WfCommons 1.4 trace converts: tasks in order, dependencies, runtimes, cores, kinds", "[sim][wfcommons]") {
  const WfWorkflow wf = wfcommons("montage-small.json");
  REQUIRE(wf.tasks.size() == 19);
  const std::uint32_t concat = index_of(wf, "mConcatFit_00000010"), model = index_of(wf, "mBgModel_00000011");
  CHECK(wf.tasks[model].parents == std::vector<std::uint32_t>{concat});
  CHECK(wf.tasks[model].runtime_s == 31.0);
  CHECK(wf.tasks[model].kind == "mBgModel");
  CHECK(wf.tasks[model].inputs == std::vector<std::string>{"fits.tbl"});
  const WfTask& add = wf.tasks[index_of(wf, "mAdd_00000017")];
  CHECK(add.cores == 4);
  CHECK(add.runtime_s == 29.0);
  for (std::uint32_t i = 0; i < wf.tasks.size(); ++i) {
    for (std::uint32_t p : wf.tasks[i].parents) CHECK(p < i);  // topological
  }
  // Critical path: mProjectPP 8.4, mDiffFit 1.0 (2-3), concat 19.5, model 31, background 1.6, tbl 2.9,
  // add 29, shrink 3.1, jpeg 2.2; on ample cores the makespan is that path.
  auto r = run_simulation(nodes(4, 8), *wfcommons_source(wf, 1));
  REQUIRE(r);
  CHECK(r->done == 19);
  CHECK(r->makespan_s == Approx(8.4 + 1.2 + 19.5 + 31 + 1.6 + 2.9 + 29 + 3.1 + 2.2));
}

TEST_CASE("an older-layout WfCommons trace converts, parents-only edges kept; copies are independent",
          "[sim][wfcommons]") {
  const WfWorkflow wf = wfcommons("tiny-jobs.json");
  REQUIRE(wf.tasks.size() == 6);
  CHECK(wf.tasks.front().name == "split_00000001");  // listed second; ordered first
  CHECK(wf.tasks.back().name == "report_00000006");
  const WfTask& report = wf.tasks.back();
  CHECK(report.inputs.empty());  // depends on merge through its parents only
  CHECK(report.parents == std::vector<std::uint32_t>{index_of(wf, "merge_00000005")});
  CHECK(report.kind == "report");
  CHECK(wf.tasks[index_of(wf, "process_00000004")].cores == 2);
  CHECK(wf.tasks[index_of(wf, "process_00000004")].runtime_s == 13.0);

  auto one = run_simulation(nodes(2, 8), *wfcommons_source(wf, 1));
  REQUIRE(one);
  CHECK(one->makespan_s == Approx(4 + 13 + 6 + 1.5));
  auto three = run_simulation(nodes(2, 8), *wfcommons_source(wf, 3));
  REQUIRE(three);
  CHECK(three->done == 18);
  CHECK(three->critical_path_s == Approx(4 + 13 + 6 + 1.5));  // no edge between copies
}

TEST_CASE("a converted trace written as a workflow file simulates the same", "[sim][wfcommons]") {
  const WfWorkflow wf = wfcommons("montage-small.json");
  auto text = workflow_file_text(wf, 2);
  REQUIRE(text);
  CHECK(text->find("task i1/mAdd_00000017 29 cpus=4 in=i1/images.tbl,") != std::string::npos);
  auto file = load_workflow(*text, "converted.txt");
  if (!file) FAIL(file.error().message);
  auto from_file = run_simulation(nodes(2, 8), **file);
  auto direct = run_simulation(nodes(2, 8), *wfcommons_source(wf, 2));
  REQUIRE(from_file);
  REQUIRE(direct);
  CHECK(from_file->done == 38);
  CHECK(from_file->makespan_s == Approx(direct->makespan_s));
  CHECK(from_file->critical_path_s == Approx(direct->critical_path_s));
}

TEST_CASE("WfCommons converter errors name the file and the task", "[sim][wfcommons]") {
  auto err = [](const char* json) {
    auto r = parse_wfcommons(json, "t.json");
    REQUIRE_FALSE(r);
    return r.error().message;
  };
  CHECK(err("{ not json").rfind("t.json: not JSON: ", 0) == 0);
  CHECK(err(R"({"name": "x"})") == "t.json: no 'workflow' object: not a WfCommons trace");
  CHECK(err(R"({"workflow": {"tasks": [{"name": "a", "parents": []}]}})") ==
        "t.json: task 'a': no runtime (runtimeInSeconds or runtime)");
  CHECK(err(R"({"workflow": {"tasks": [{"name": "a", "runtime": 1, "parents": ["zz"]}]}})") ==
        "t.json: task 'a': unknown parent 'zz'");
  CHECK(err(R"({"workflow": {"tasks": [{"name": "a", "runtime": "slow"}]}})") ==
        "t.json: task 'a': 'runtime' is not a number of seconds >= 0");
  CHECK(err(R"({"workflow": {"tasks": [
            {"name": "a", "runtime": 1, "parents": ["c"]},
            {"name": "b", "runtime": 1, "parents": ["a"]},
            {"name": "c", "runtime": 1, "parents": ["b"]}]}})") == "t.json: dependency cycle: a -> b -> c -> a");
  CHECK(err(R"({"workflow": {"specification": {"tasks": [{"id": "a", "name": "a", "parents": []}]},
                             "execution": {"tasks": []}}})") ==
        "t.json: task 'a': no runtime (runtimeInSeconds or runtime)");
  CHECK(err(R"({"workflow": {"specification": {"tasks": [{"id": "a", "parents": ["q"]}]},
                             "execution": {"tasks": [{"id": "a", "runtimeInSeconds": 2}]}}})") ==
        "t.json: task 'a': unknown parent 'q'");
  WfWorkflow spaced;
  spaced.tasks.push_back(WfTask{"a b", "a", 1, 1, {}, {}, {}});
  CHECK_FALSE(workflow_file_text(spaced, 1));
}
