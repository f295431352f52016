#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/util/spawn.h"

using namespace compss;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("util-spawn-" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int wait_status(pid_t pid) {
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

}  // namespace

TEST_CASE("a spawned child gets the extra variable, its own process group and its output in the file",
          "[util][spawn]") {
  const fs::path out = scratch("env") / "child.log";
  std::ofstream(out) << "before\n";  // appended to, not truncated
  SpawnSpec s;
  // Field 5 of /proc/<pid>/stat is the process group; "$$" is the shell's own pid.
  s.argv = {"sh", "-c", "echo \"var=$COMPSS_SPAWN_TEST\"; echo \"pgid=$(cut -d' ' -f5 /proc/$$/stat) pid=$$\"; "
                        "echo to-stderr >&2; read line; echo \"stdin=[$line]\""};
  s.env = env_with(current_environment(), {"COMPSS_SPAWN_TEST=hello world"}, {});
  s.output = out.string();
  auto pid = spawn_process(s);
  REQUIRE(pid.ok());
  CHECK(wait_status(*pid) == 0);
  const std::string log = slurp(out);
  const std::string p = std::to_string(*pid);
  CHECK(log == "before\nvar=hello world\npgid=" + p + " pid=" + p + "\nto-stderr\nstdin=[]\n");
}

TEST_CASE("a spawned child gets exactly the environment it is given", "[util][spawn]") {
  const fs::path out = scratch("exact") / "child.log";
  SpawnSpec s;
  s.argv = {"/usr/bin/env"};
  s.env = {"ONLY=1"};
  s.output = out.string();
  auto pid = spawn_process(s);
  REQUIRE(pid.ok());
  CHECK(wait_status(*pid) == 0);
  CHECK(slurp(out) == "ONLY=1\n");
}

TEST_CASE("a program that cannot be executed is a child exiting 127 with the reason in its output",
          "[util][spawn]") {
  const fs::path out = scratch("missing") / "child.log";
  SpawnSpec s;
  s.argv = {"/nonexistent/program"};
  s.output = out.string();
  s.who = "tester";
  auto pid = spawn_process(s);
  REQUIRE(pid.ok());
  CHECK(wait_status(*pid) == 127);
  CHECK(slurp(out) == "tester: cannot execute /nonexistent/program: No such file or directory\n");
}

TEST_CASE("an output file that cannot be opened fails the spawn before anything starts", "[util][spawn]") {
  SpawnSpec s;
  s.argv = {"true"};
  s.output = "/nonexistent/dir/child.log";
  auto pid = spawn_process(s);
  REQUIRE_FALSE(pid.ok());
  CHECK(pid.error().message == "cannot open /nonexistent/dir/child.log: No such file or directory");
  CHECK_FALSE(spawn_process(SpawnSpec{}).ok());
}

TEST_CASE("env_with replaces and drops variables by key", "[util][spawn]") {
  auto env = env_with({"A=1", "B=2", "SLURM_SPANK__SLURM_SPANK_OPTION_compss_compss=x", "C=3", "BB=4"},
                      {"B=9", "D=4"}, {"SLURM_SPANK__SLURM_SPANK_OPTION_compss_compss"});
  CHECK(env == std::vector<std::string>{"A=1", "C=3", "BB=4", "B=9", "D=4"});
}
