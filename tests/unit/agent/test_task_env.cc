// A task's environment and command lookup, built before fork.
#include <algorithm>
#include <catch2/catch.hpp>

#include "daemon/agent/task_env.h"

using namespace compss::agent;
using Strings = std::vector<std::string>;

namespace {

std::size_t count_named(const Strings& env, const std::string& name) {
  return static_cast<std::size_t>(
      std::count_if(env.begin(), env.end(), [&](const std::string& kv) { return kv.rfind(name + "=", 0) == 0; }));
}

bool has(const Strings& env, const std::string& kv) { return std::find(env.begin(), env.end(), kv) != env.end(); }

}  // namespace

TEST_CASE("the launcher's variables override the job's, each name once", "[task_env]") {
  LaunchSpec s;
  s.task = compss::TaskId(12);
  s.attempt = 2;
  s.cores = {0, 2, 4};
  s.gpus = {1, 3};
  s.env = {{"HOME", "/home/u"}, {"OMP_NUM_THREADS", "64"}, {"CUDA_VISIBLE_DEVICES", "0-7"}, {"HOME", "/scratch/u"}};
  Strings env = build_task_env(s);
  CHECK(has(env, "HOME=/scratch/u"));
  CHECK(count_named(env, "HOME") == 1);
  CHECK(has(env, "OMP_NUM_THREADS=3"));
  CHECK(count_named(env, "OMP_NUM_THREADS") == 1);
  CHECK(has(env, "CUDA_VISIBLE_DEVICES=1,3"));
  CHECK(count_named(env, "CUDA_VISIBLE_DEVICES") == 1);
  CHECK(has(env, "CUDA_DEVICE_ORDER=PCI_BUS_ID"));
  CHECK(has(env, "COMPSS_TASK_ID=12"));
  CHECK(has(env, "COMPSS_TASK_ATTEMPT=2"));
  CHECK(has(env, "COMPSS_TASK_CORES=0,2,4"));
  CHECK(env.front() == "HOME=/scratch/u");  // the job's order is kept
}

TEST_CASE("a variable whose name is a prefix of another is not confused with it", "[task_env]") {
  LaunchSpec s;
  s.task = compss::TaskId(1);
  s.cores = {0};
  s.env = {{"OMP_NUM_THREADS_MAX", "8"}};
  Strings env = build_task_env(s);
  CHECK(has(env, "OMP_NUM_THREADS_MAX=8"));
  CHECK(has(env, "OMP_NUM_THREADS=1"));
  CHECK(has(env, "CUDA_VISIBLE_DEVICES="));
}

TEST_CASE("commands are looked up in the task's PATH", "[task_env]") {
  CHECK(exec_candidates("./sim", {"PATH=/a:/b"}) == Strings{"./sim"});
  CHECK(exec_candidates("/bin/true", {"PATH=/a"}) == Strings{"/bin/true"});
  CHECK(exec_candidates("sim", {"HOME=/h", "PATH=/opt/x/bin::/usr/bin"}) ==
        Strings{"/opt/x/bin/sim", "sim", "/usr/bin/sim"});
  CHECK(exec_candidates("sim", {}) == Strings{"/usr/local/bin/sim", "/usr/bin/sim", "/bin/sim"});
  CHECK(exec_candidates("sim", {"PATH="}).empty());
}
