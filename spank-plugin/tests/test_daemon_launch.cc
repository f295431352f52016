#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "spank-plugin/daemon_launch.h"
#include "spank-plugin/runtime_procs.h"

using namespace compss::spank;
namespace fs = std::filesystem;

namespace {

std::string scratch(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("spank-test-" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  return d.string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

DaemonLaunch fake(const std::string& name, const std::string& mode, unsigned timeout_s = 10) {
  DaemonLaunch l;
  l.compssd = FAKE_COMPSSD;
  l.options = "max-nodes=4";
  l.job_dir = scratch(name);
  l.socket = "/tmp/x/compssd.sock";
  l.env = {"PATH=/usr/bin:/bin", "FAKE_MODE=" + mode, "COMPSS_RUNTIME_STEP=launch-" + name};
  l.ready_timeout_s = timeout_s;
  return l;
}

void reap(pid_t pid) {
  ::kill(-pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

}  // namespace

TEST_CASE("compssd is started, says ready and publishes its variables", "[spank][launch]") {
  auto l = fake("ready", "ready");
  auto pid = start_compssd(l);
  REQUIRE(pid);
  const std::string log = slurp(l.job_dir + "/fake.log");
  CHECK(log.find("options=max-nodes=4") != std::string::npos);
  CHECK(log.find("socket=/tmp/x/compssd.sock") != std::string::npos);
  CHECK(log.find("marker=launch-ready") != std::string::npos);
  CHECK(::getpgid(*pid) == *pid);  // its own process group, for the clean-up
  auto vars = read_env_file(l.job_dir + "/env");
  REQUIRE(vars);
  CHECK(*vars == std::vector<std::string>{"COMPSS_SOCKET=/tmp/x/compssd.sock", "COMPSS_ADDRESS=127.0.0.1:1",
                                         "COMPSS_JOB_DIR=" + l.job_dir});
  reap(*pid);
}

TEST_CASE("compssd starts with signals unblocked and default dispositions although the caller blocks them",
          "[spank][launch]") {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGUSR1);
  ::sigprocmask(SIG_BLOCK, &block, &old);
  auto old_quit = ::signal(SIGQUIT, SIG_IGN);
  auto l = fake("signals", "ready");
  auto pid = start_compssd(l);
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  ::signal(SIGQUIT, old_quit);
  REQUIRE(pid);
  const std::string log = slurp(l.job_dir + "/fake.log");
  CHECK(log.find("sigblk=0000000000000000") != std::string::npos);
  // bash itself ignores a few signals of its own accord (none of TERM/USR1/QUIT: bit 3 = QUIT)
  const auto at = log.find("sigign=");
  REQUIRE(at != std::string::npos);
  const unsigned long ign = std::stoul(log.substr(at + 7, 16), nullptr, 16);
  CHECK((ign & (1ul << (SIGQUIT - 1))) == 0);
  CHECK((ign & (1ul << (SIGTERM - 1))) == 0);
  CHECK((ign & (1ul << (SIGUSR1 - 1))) == 0);
  reap(*pid);
}

TEST_CASE("a compssd that exits before ready is reported with its status and log", "[spank][launch]") {
  auto l = fake("exit3", "exit3");
  auto pid = start_compssd(l);
  REQUIRE_FALSE(pid);
  CHECK(pid.error().message.find("exited with status 3 before it was ready") != std::string::npos);
  CHECK(pid.error().message.find(l.job_dir + "/compssd.log") != std::string::npos);
}

TEST_CASE("a compssd that never says ready is killed after ready_timeout", "[spank][launch]") {
  auto l = fake("silent", "silent", 1);
  const auto t0 = std::chrono::steady_clock::now();
  auto pid = start_compssd(l);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE_FALSE(pid);
  CHECK(pid.error().message.find("did not report ready within 1 s") != std::string::npos);
  CHECK(took >= 1.0);
  CHECK(took < 5.0);
  CHECK(find_marked(::getuid(), "COMPSS_RUNTIME_STEP=launch-silent").empty());
}

TEST_CASE("a compssd path that cannot be executed fails the start", "[spank][launch]") {
  auto l = fake("missing", "ready");
  l.compssd = "/nonexistent/compssd";
  auto pid = start_compssd(l);
  REQUIRE_FALSE(pid);
  CHECK(pid.error().message.find("exited with status 127") != std::string::npos);
}

TEST_CASE("an env file without COMPSS variables is an error", "[spank][launch]") {
  const std::string dir = scratch("envfile");
  fs::create_directories(dir);
  std::ofstream(dir + "/env") << "PATH=/bin\n";
  CHECK_FALSE(read_env_file(dir + "/env"));
  CHECK_FALSE(read_env_file(dir + "/absent"));
}

TEST_CASE("compssd is the site's when it exists, else the one in the job's PATH", "[spank][launch]") {
  const std::string dir = fs::path(FAKE_COMPSSD).parent_path().string();
  const std::string bin = scratch("bin");
  fs::create_directories(bin);
  fs::copy_file(FAKE_COMPSSD, bin + "/compssd");
  CHECK(resolve_compssd(FAKE_COMPSSD, bin) == FAKE_COMPSSD);
  CHECK(resolve_compssd("/nonexistent/compssd", "/usr/bin:relative:" + bin) == bin + "/compssd");
  CHECK(resolve_compssd("/nonexistent/compssd", "/usr/bin") == "/nonexistent/compssd");
  CHECK(resolve_compssd("/nonexistent/compssd", "") == "/nonexistent/compssd");
}

TEST_CASE("the other tasks of a step wait for a complete env file", "[spank][launch]") {
  const std::string dir = scratch("wait-env");
  fs::create_directories(dir);
  CHECK_FALSE(wait_env_file(dir + "/env", 200));
  std::ofstream(dir + "/env") << "COMPSS_SOCKET=/s\nCOMPSS_ADDRESS=h:1\n";
  auto partial = wait_env_file(dir + "/env", 200);
  REQUIRE_FALSE(partial);
  CHECK(partial.error().message.find("shared by the nodes") != std::string::npos);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::ofstream(dir + "/env") << "COMPSS_SOCKET=/s\nCOMPSS_ADDRESS=h:1\nCOMPSS_JOB_DIR=/j\n";
  });
  auto full = wait_env_file(dir + "/env", 5000);
  writer.join();
  REQUIRE(full);
  CHECK(full->size() == 3);
}
