// Launching tasks on this machine: binding, environment, working directory, exit statuses, failures to start.
#include <sys/stat.h>

#include <filesystem>

#include "common/util/parse.h"
#include "tests/unit/agent/launch_harness.h"

using namespace compss::agent;
using compss::TaskId;
using test::Harness;

TEST_CASE("a task is bound exactly to the PUs of its cores", "[launcher][binding]") {
  Harness h;
  const NodeTopology& t = h.launcher->topology();
  std::uint32_t id = 1;
  for (const CoreDesc& core : t.cores) {
    LaunchSpec s = h.spec(id++, {"sh", "-c", "grep Cpus_allowed_list /proc/self/status"});
    s.cores = {core.id};
    TaskResult r = h.run(s);
    CHECK(r.success());
    CHECK(Harness::output_of(r) == "Cpus_allowed_list:\t" + compss::format_cpu_list(core.pus) + "\n");
  }
  LaunchSpec all = h.spec(id, {"sh", "-c", "grep Cpus_allowed_list /proc/self/status"});
  all.cores = t.core_ids();
  TaskResult r = h.run(all);
  std::vector<PuId> pus;
  for (const CoreDesc& c : t.cores) pus.insert(pus.end(), c.pus.begin(), c.pus.end());
  CHECK(Harness::output_of(r) == "Cpus_allowed_list:\t" + compss::format_cpu_list(pus) + "\n");
}

TEST_CASE("a task sees its thread count, GPUs, task id and attempt, and the job's environment", "[launcher]") {
  NodeTopology t = test::this_machine();
  // GPUs are plain data here: this machine has none, the launcher only passes their numbers on.
  t.gpus = {GpuDesc{0, {}, "", {}}, GpuDesc{1, {}, "", {}}, GpuDesc{2, {}, "", {}}};
  Harness h({}, t);
  LaunchSpec s = h.spec(7, {"sh", "-c",
                            "echo \"$OMP_NUM_THREADS|$CUDA_VISIBLE_DEVICES|$CUDA_DEVICE_ORDER|$COMPSS_TASK_ID|"
                            "$COMPSS_TASK_ATTEMPT|$JOB_VAR\""});
  s.attempt = 3;
  s.cores = t.core_ids();
  s.gpus = {0, 2};
  s.env.emplace_back("JOB_VAR", "from the job");
  s.env.emplace_back("OMP_NUM_THREADS", "99");  // the launcher's value wins
  TaskResult r = h.run(s);
  CHECK(Harness::output_of(r) ==
        std::to_string(t.cores.size()) + "|0,2|PCI_BUS_ID|7|3|from the job\n");
}

TEST_CASE("a task without GPUs gets CUDA_VISIBLE_DEVICES set and empty", "[launcher]") {
  Harness h;
  LaunchSpec s = h.spec(1, {"sh", "-c", "echo \"${CUDA_VISIBLE_DEVICES+set}:${CUDA_VISIBLE_DEVICES}\""});
  s.env.emplace_back("CUDA_VISIBLE_DEVICES", "0,1,2,3");  // what the agent itself may have been given
  CHECK(Harness::output_of(h.run(s)) == "set:\n");
}

TEST_CASE("a task runs in its working directory", "[launcher]") {
  Harness h;
  std::filesystem::create_directory(h.dir + "/work");
  LaunchSpec s = h.spec(1, {"pwd"});
  s.cwd = h.dir + "/work";
  CHECK(Harness::output_of(h.run(s)) == h.dir + "/work\n");
}

TEST_CASE("a missing working directory fails the task with a reason and the launcher goes on", "[launcher]") {
  Harness h;
  LaunchSpec s = h.spec(1, {"true"});
  s.cwd = h.dir + "/nope";
  TaskResult r = h.run(s);
  CHECK_FALSE(r.success());
  CHECK(r.launch_failed);
  CHECK(r.exit.code == 127);
  CHECK(r.reason == "cannot enter the working directory '" + h.dir + "/nope': No such file or directory");
  CHECK(h.started.count(TaskId(1)) == 1);

  TaskResult next = h.run(h.spec(2, {"true"}));
  CHECK(next.success());
  CHECK(next.reason.empty());
}

TEST_CASE("a command that is not found is reported as such with exit 127", "[launcher]") {
  Harness h;
  TaskResult r = h.run(h.spec(1, {"compss-no-such-command", "x"}));
  CHECK(r.launch_failed);
  CHECK(r.exit.kind == ExitStatus::Kind::kExited);
  CHECK(r.exit.code == 127);
  CHECK(r.reason == "command not found: 'compss-no-such-command' (not in the task's PATH)");

  TaskResult abs = h.run(h.spec(2, {"/nonexistent/bin/tool"}));
  CHECK(abs.reason == "command not found: '/nonexistent/bin/tool'");
}

TEST_CASE("a command is looked up in the task's PATH, not the agent's", "[launcher]") {
  Harness h;
  std::filesystem::create_directory(h.dir + "/bin");
  {
    std::ofstream tool(h.dir + "/bin/my-tool");
    tool << "#!/bin/sh\necho tool ran\n";
  }
  chmod((h.dir + "/bin/my-tool").c_str(), 0755);
  LaunchSpec s = h.spec(1, {"my-tool"});
  s.env.emplace_back("PATH", h.dir + "/bin:/usr/bin:/bin");
  TaskResult r = h.run(s);
  CHECK(r.success());
  CHECK(Harness::output_of(r) == "tool ran\n");
}

TEST_CASE("a file that is not executable is reported as such", "[launcher]") {
  Harness h;
  { std::ofstream(h.dir + "/data.txt") << "not a program\n"; }
  TaskResult r = h.run(h.spec(1, {h.dir + "/data.txt"}));
  CHECK(r.launch_failed);
  CHECK(r.reason == "cannot execute '" + h.dir + "/data.txt': Permission denied");
}

TEST_CASE("exit codes and signals are reported", "[launcher]") {
  Harness h;
  TaskResult three = h.run(h.spec(1, {"sh", "-c", "exit 3"}));
  CHECK_FALSE(three.success());
  CHECK_FALSE(three.launch_failed);
  CHECK(three.exit.kind == ExitStatus::Kind::kExited);
  CHECK(three.exit.code == 3);
  CHECK(three.reason == "exited with status 3");

  TaskResult segv = h.run(h.spec(2, {"sh", "-c", "kill -SEGV $$"}));
  CHECK(segv.exit.kind == ExitStatus::Kind::kSignaled);
  CHECK(segv.exit.code == SIGSEGV);
  CHECK(segv.exit.str() == "SIGSEGV");
  CHECK(segv.reason == "killed by SIGSEGV");

  TaskResult ok = h.run(h.spec(3, {"true"}));
  CHECK(ok.success());
  CHECK(ok.exit.str() == "0");
}

TEST_CASE("on_started reports the task's pid, and the wall time covers its run", "[launcher]") {
  Harness h;
  TaskResult r = h.run(h.spec(4, {"sleep", "0.2"}));
  REQUIRE(h.started.count(TaskId(4)) == 1);
  CHECK(h.started[TaskId(4)] == r.pid);
  CHECK(r.wall >= std::chrono::milliseconds(200));
  CHECK(r.wall < std::chrono::seconds(5));
}

TEST_CASE("a request the node cannot carry out is refused and starts nothing", "[launcher]") {
  NodeTopology t = test::this_machine();
  t.gpus = {GpuDesc{0, {}, "", {}}};
  Harness h({}, t);

  LaunchSpec bad_core = h.spec(1, {"true"});
  bad_core.cores = {4096};
  auto r1 = h.launcher->start(bad_core);
  REQUIRE_FALSE(r1.ok());
  CHECK(r1.error().message.find("task 1: core 4096 is not one of this node's usable cores") == 0);

  LaunchSpec bad_gpu = h.spec(2, {"true"});
  bad_gpu.gpus = {1};
  auto r2 = h.launcher->start(bad_gpu);
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.error().message == "GPU 1 is not on this node (1 GPUs)");

  auto r3 = h.launcher->start(h.spec(3, {}));
  REQUIRE_FALSE(r3.ok());
  CHECK(r3.error().message == "task 3 has no command");

  REQUIRE(h.launcher->start(h.spec(4, {"sleep", "5"})).ok());
  auto twice = h.launcher->start(h.spec(4, {"true"}));
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().message == "task 4 is already running on this node");

  CHECK(h.started.size() == 1);
  CHECK(h.launcher->running() == 1);
  REQUIRE(h.launcher->kill(TaskId(4), SIGKILL).ok());
  h.wait_for(TaskId(4));
  CHECK(h.launcher->running() == 0);
}
