#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "spank-plugin/daemon_launch.h"
#include "spank-plugin/runtime_procs.h"

using namespace compss::spank;
namespace fs = std::filesystem;

namespace {

struct Started {
  pid_t pid;
  std::string marker;
  std::string job_dir;
};

Started start_fake(const std::string& name, const std::string& mode) {
  DaemonLaunch l;
  l.compssd = FAKE_COMPSSD;
  l.job_dir = (fs::temp_directory_path() / ("spank-procs-" + std::to_string(::getpid())) / name).string();
  fs::remove_all(l.job_dir);
  const std::string marker = "COMPSS_RUNTIME_STEP=procs-" + std::to_string(::getpid()) + "-" + name;
  l.env = {"PATH=/usr/bin:/bin", "FAKE_MODE=" + mode, marker};
  auto pid = start_compssd(l);
  REQUIRE(pid);
  return {*pid, marker, l.job_dir};
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("the runtime's processes are found by their marker, compssd among them", "[spank][procs]") {
  auto s = start_fake("find", "ready");
  auto procs = find_marked(::getuid(), s.marker);
  CHECK(procs.size() >= 2);  // the fake and its sleeping child
  CHECK(daemons_of(procs, FAKE_COMPSSD) == std::vector<pid_t>{s.pid});
  CHECK(find_marked(::getuid(), s.marker + "-other").empty());
  CHECK(find_marked(::getuid() + 1, s.marker).empty());
  kill_runtime(::getuid(), s.marker, 500);
  ::waitpid(s.pid, nullptr, 0);
}

TEST_CASE("stopping the runtime asks compssd to finish, then removes what it left", "[spank][procs]") {
  auto s = start_fake("stop", "ready");
  const StopReport r = stop_runtime(::getuid(), s.marker, FAKE_COMPSSD, 10, 500);
  CHECK(r.daemons == 1);
  CHECK(r.finished);
  CHECK(r.waited_s < 5);
  CHECK(r.terminated >= 1);  // the child the fake left behind
  CHECK(slurp(s.job_dir + "/fake.log").find("finished") != std::string::npos);
  CHECK(find_marked(::getuid(), s.marker).empty());
  ::waitpid(s.pid, nullptr, 0);
}

TEST_CASE("a compssd that does not finish in time is killed", "[spank][procs]") {
  auto s = start_fake("stubborn", "stubborn");
  const StopReport r = stop_runtime(::getuid(), s.marker, FAKE_COMPSSD, 1, 300);
  CHECK(r.daemons == 1);
  CHECK_FALSE(r.finished);
  CHECK(r.waited_s >= 1.0);
  CHECK(r.terminated >= 2);
  CHECK(find_marked(::getuid(), s.marker).empty());
  ::waitpid(s.pid, nullptr, 0);
}

TEST_CASE("stopping a runtime that is not there does nothing", "[spank][procs]") {
  const StopReport r = stop_runtime(::getuid(), "COMPSS_RUNTIME_STEP=nobody", FAKE_COMPSSD, 1);
  CHECK(r.daemons == 0);
  CHECK(r.finished);
  CHECK(r.terminated == 0);
}

TEST_CASE("a job cancelled while compssd finishes stops the wait and sends SIGTERM", "[spank][procs]") {
  auto s = start_fake("cancelled", "ready-ignoring-usr1");
  int asked = 0;
  const StopReport r = stop_runtime(::getuid(), s.marker, FAKE_COMPSSD, 60, 300, [&] { return ++asked >= 2; });
  CHECK(r.daemons == 1);
  CHECK(r.cancelled);
  CHECK(r.finished);  // SIGTERM ended it
  CHECK(r.waited_s < 5);
  CHECK(asked == 2);
  CHECK(find_marked(::getuid(), s.marker).empty());
  ::waitpid(s.pid, nullptr, 0);
}
