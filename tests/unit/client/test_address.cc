// Where the client looks for the runtime, and how it makes a task's paths absolute.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <map>
#include <string>

#include "common/client/address.h"
#include "common/client/paths.h"

using namespace compss::client;

namespace {

std::map<std::string, std::string> g_env;  // the environment resolve_address sees in these tests

const char* fake_getenv(const char* name) {
  auto it = g_env.find(name);
  return it == g_env.end() ? nullptr : it->second.c_str();
}

}  // namespace

TEST_CASE("an address is a socket path or host:port", "[client][address]") {
  auto unix_path = parse_address("/tmp/job/compss.sock");
  REQUIRE(unix_path);
  CHECK(unix_path->kind == Address::Kind::kUnix);
  CHECK(unix_path->path == "/tmp/job/compss.sock");

  auto prefixed = parse_address("unix:compss.sock");
  REQUIRE(prefixed);
  CHECK(prefixed->kind == Address::Kind::kUnix);
  CHECK(prefixed->path == "compss.sock");

  auto tcp = parse_address("n3:7001");
  REQUIRE(tcp);
  CHECK(tcp->kind == Address::Kind::kTcp);
  CHECK(tcp->host == "n3");
  CHECK(tcp->port == 7001);

  auto v6 = parse_address("tcp:[::1]:7001");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->text() == "[::1]:7001");
}

TEST_CASE("a malformed address says what is accepted", "[client][address]") {
  for (const char* bad : {"n3", "n3:", ":7001", "n3:70000", "n3:port", "[::1]7001", "unix:"}) {
    INFO(bad);
    auto got = parse_address(bad);
    REQUIRE_FALSE(got);
    CHECK(got.error().kind == ErrorKind::kUnreachable);
    CHECK_THAT(got.error().message, Catch::StartsWith("bad runtime address"));
  }
  auto too_long = parse_address("/" + std::string(200, 'x'));
  REQUIRE_FALSE(too_long);
  CHECK_THAT(too_long.error().message, Catch::Contains("at most 107 characters"));
}

TEST_CASE("with no address the client reads COMPSS_SOCKET when the socket is on this node, else COMPSS_ADDRESS", "[client][address]") {
  // Both set, and the socket exists on this node: the socket.
  char dir[] = "/tmp/compss-addr-test-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  const std::string sock_path = std::string(dir) + "/d.sock";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock_path.c_str());
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  g_env = {{"COMPSS_SOCKET", sock_path}, {"COMPSS_ADDRESS", "n1:7000"}};
  auto both = resolve_address("", fake_getenv);
  ::close(fd);
  ::unlink(sock_path.c_str());
  ::rmdir(dir);
  REQUIRE(both);
  CHECK(both->kind == Address::Kind::kUnix);
  CHECK(both->path == sock_path);

  // Both set, but the socket is on another node (the path does not exist here): TCP.
  g_env = {{"COMPSS_SOCKET", "/run/compss/1234.sock"}, {"COMPSS_ADDRESS", "n1:7000"}};
  auto elsewhere = resolve_address("", fake_getenv);
  REQUIRE(elsewhere);
  CHECK(elsewhere->kind == Address::Kind::kTcp);
  CHECK(elsewhere->text() == "n1:7000");

  g_env = {{"COMPSS_ADDRESS", "n1:7000"}};
  auto tcp = resolve_address("", fake_getenv);
  REQUIRE(tcp);
  CHECK(tcp->kind == Address::Kind::kTcp);
  CHECK(tcp->text() == "n1:7000");

  g_env = {{"COMPSS_SOCKET", "relative.sock"}};  // a path from COMPSS_SOCKET is a path, '/' or not
  auto rel = resolve_address("", fake_getenv);
  REQUIRE(rel);
  CHECK(rel->kind == Address::Kind::kUnix);

  g_env = {{"COMPSS_SOCKET", "/ignored"}};
  auto given = resolve_address("n2:7002", fake_getenv);  // an explicit address wins
  REQUIRE(given);
  CHECK(given->text() == "n2:7002");
}

TEST_CASE("with neither variable set the error names both and says where to run", "[client][address]") {
  g_env = {{"COMPSS_SOCKET", ""}};
  auto got = resolve_address("", fake_getenv);
  REQUIRE_FALSE(got);
  CHECK(got.error().kind == ErrorKind::kUnreachable);
  CHECK(got.error().message ==
        "no compss runtime for this shell: COMPSS_SOCKET and COMPSS_ADDRESS are unset "
        "(run inside sbatch --compss or srun --compss)");
}

TEST_CASE("relative task paths become absolute against the task's directory", "[client][paths]") {
  CHECK(absolute_path("a.txt", "/home/u") == "/home/u/a.txt");
  CHECK(absolute_path("./a/../b/", "/home/u") == "/home/u/b");
  CHECK(absolute_path("../x", "/home/u/run") == "/home/u/x");
  CHECK(absolute_path("/data//in.nc", "/home/u") == "/data/in.nc");
  CHECK(absolute_path("", "/home/u").empty());
  CHECK(absolute_path("../../../..", "/home/u") == "/");
  CHECK(absolute_path("/", "/home/u") == "/");
  CHECK(absolute_path(".", "/home/u/") == "/home/u");
  CHECK(absolute_path("a/./b/../../c", "/x") == "/x/c");
  CHECK(absolute_path("out/{i}.nc", "/x") == "/x/out/{i}.nc");

  TaskSpec t;
  t.argv = {"sim"};
  t.cwd = "sub";
  t.in = {"in.nc"};
  t.out = {"/abs/out.nc"};
  t.inout = {"../state"};
  auto r = with_absolute_paths(t, "/home/u/run");
  CHECK(r.cwd == "/home/u/run/sub");
  CHECK(r.in == std::vector<std::string>{"/home/u/run/sub/in.nc"});
  CHECK(r.out == std::vector<std::string>{"/abs/out.nc"});
  CHECK(r.inout == std::vector<std::string>{"/home/u/run/state"});

  TaskSpec no_cwd;
  no_cwd.in = {"x"};
  auto here = with_absolute_paths(no_cwd, "/home/u");
  CHECK(here.cwd == "/home/u");
  CHECK(here.in == std::vector<std::string>{"/home/u/x"});
}
