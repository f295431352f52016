// Tests of the job's end (doc/spec/states.md, "The job's end"): a task that declares how long it may run
// starts only when it would end, with the margin, before the job does; the others stay ready, held.
#include <algorithm>
#include <catch2/catch.hpp>

#include "tests/unit/scheduler/world.h"

using compss::test::elastic_config;
using compss::test::World;
using namespace compss::scheduler;
using Lines = std::vector<std::string>;
using Why = Explanation::Why;

namespace {

bool held(const World& w, const std::string& label) {
  return w.sched.graph().has_flag(w.id(label), TaskGraph::kHeld);
}

}  // namespace

TEST_CASE("a task whose declared length does not fit before the job's end is held, not started", "[job-end]") {
  World w("long: timeout 600; short: timeout 5; free", "1 x {cpus: 4}");
  w.sched.set_job_end(300);
  CHECK(w.step() == Lines{"start short on n1", "start free on n1"});
  CHECK(w.state("long") == TaskState::kReady);
  CHECK(held(w, "long"));
  CHECK(w.sched.held_count() == 1);
  CHECK(w.sched.count(TaskState::kReady) == 1);  // held tasks stay ready
  auto e = w.sched.explain(w.id("long"));
  REQUIRE(e);
  REQUIRE(e->reasons.size() == 1);
  CHECK(e->reasons[0].why == Why::kJobTimeLimit);
  CHECK(e->to_string() ==
        "task 0 (long) is ready: job time limit: it may run 600.0 s (its --timeout or --time) and the job ends in "
        "300.0 s (10.0 s margin kept); it starts only if the job's time limit is extended");
  CHECK(to_string(Why::kJobTimeLimit) == std::string("job-time-limit"));
  w.finish("short");
  w.finish("free");
  CHECK(w.step().empty());  // cores free, still held
}

TEST_CASE("tasks that declare no length start as before: their length is not known", "[job-end]") {
  World w("a; b: kind sim", "1 x {cpus: 2}");
  w.now = 299;
  w.sched.set_job_end(300);
  CHECK(w.step() == Lines{"start a on n1", "start b on n1"});
  CHECK(w.sched.held_count() == 0);
}

TEST_CASE("the margin: a task must end job_end_margin_s before the job", "[job-end]") {
  World w("fits: timeout 90; over: timeout 90.5", "1 x {cpus: 2}");
  w.sched.set_job_end(100);  // 0 + 90 + 10 = 100: just fits
  CHECK(w.step() == Lines{"start fits on n1"});
  CHECK(held(w, "over"));

  SchedulerConfig tight;
  tight.job_end_margin_s = 0;
  World t("over: timeout 90.5", "1 x {cpus: 2}", tight);
  t.sched.set_job_end(100);
  CHECK(t.step() == Lines{"start over on n1"});
}

TEST_CASE("the declared length is the smaller of --time and --timeout", "[job-end]") {
  World w("a: time 50, timeout 500; b: time 500, timeout 50; c: time 500; d: timeout 500", "1 x {cpus: 4}");
  w.sched.set_job_end(100);
  CHECK(w.step() == Lines{"start a on n1", "start b on n1"});
  CHECK(held(w, "c"));
  CHECK(held(w, "d"));
  CHECK(w.sched.declared_run_s(w.id("a")) == 50);
  CHECK(w.sched.declared_run_s(w.id("c")) == 500);
  CHECK(w.sched.declared_run_s(w.id("d")) == 500);
}

TEST_CASE("time passing makes a task that waited for room too long for what is left", "[job-end]") {
  World w("blocker: timeout 60; next: timeout 30; late: timeout 30", "1 x {cpus: 1}");
  w.sched.set_job_end(100);
  CHECK(w.step() == Lines{"start blocker on n1"});
  CHECK_FALSE(held(w, "next"));  // 0 + 30 + 10 fits; it waits for the core
  w.now = 55;
  w.finish("blocker");
  CHECK(w.step() == Lines{"start next on n1"});  // 55 + 30 + 10 = 95
  w.now = 61;
  w.finish("next");
  CHECK(w.step().empty());  // 61 + 30 + 10 = 101
  CHECK(held(w, "late"));
}

TEST_CASE("a job end moved later puts held tasks back; an end cleared too", "[job-end]") {
  World w("long: timeout 600; longer: timeout 2000", "1 x {cpus: 4}");
  w.sched.set_job_end(300);
  CHECK(w.step().empty());
  CHECK(w.sched.held_count() == 2);
  w.sched.set_job_end(200);  // earlier: nothing to look at again
  CHECK(w.sched.held_count() == 2);
  w.now = 10;
  w.sched.set_job_end(1000);  // scontrol update TimeLimit=...
  CHECK(w.step() == Lines{"start long on n1"});
  CHECK(held(w, "longer"));
  CHECK(w.sched.held_count() == 1);
  w.sched.set_job_end(std::nullopt);
  CHECK(w.step() == Lines{"start longer on n1"});
  CHECK(w.sched.held_count() == 0);
}

TEST_CASE("a held task can be cancelled; the held count follows", "[job-end]") {
  World w("long: timeout 600; succ: after long", "1 x {cpus: 4}");
  w.sched.set_job_end(300);
  w.step();
  REQUIRE(held(w, "long"));
  REQUIRE(w.sched.cancel(w.id("long")));
  CHECK(w.state("long") == TaskState::kCancelled);
  CHECK(w.state("succ") == TaskState::kCancelled);
  CHECK_FALSE(held(w, "long"));
  CHECK(w.sched.held_count() == 0);
  w.sched.set_job_end(std::nullopt);  // its stale entry is dropped, nothing starts
  CHECK(w.step().empty());
  CHECK(w.sched.outcome() == Outcome::kSuccess);
}

TEST_CASE("held tasks do not make an elastic job grow", "[job-end][elastic]") {
  World w("t: array 1-10, timeout 600", "1 x {cpus: 1}", elastic_config());
  w.sched.set_job_end(120);
  const Lines d = w.step();
  CHECK(d.empty());
  CHECK(w.sched.held_count() == 10);
  CHECK(w.sched.nodes_coming() == 0);
}

TEST_CASE("a held task gives up the reservation it held", "[job-end]") {
  SchedulerConfig cfg;
  cfg.reservation_after_s = 0;
  World w("small: timeout 50; big: cpus 2, timeout 40", "1 x {cpus: 2}", cfg);
  w.sched.set_job_end(1000);
  CHECK(w.step() == Lines{"start small on n1"});
  w.now = 1;
  CHECK(w.step().empty());
  REQUIRE(w.sched.reservation());
  CHECK(w.sched.reservation()->task == w.id("big"));
  w.add("tiny");  // no declared length: estimated 60 s, past the reservation's start at 50 s
  w.now = 2;
  CHECK(w.step().empty());
  w.sched.set_job_end(45);  // big can no longer end in time: it stops keeping the node for itself
  w.now = 3;
  CHECK(w.step() == Lines{"start tiny on n1"});
  CHECK(held(w, "big"));
  CHECK_FALSE(w.sched.reservation());
}
