#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/util/log.h"

using namespace compss;

TEST_CASE("log lines go to the file with program, pid and level, below-level lines are dropped", "[util][log]") {
  char path[] = "/tmp/compss-log-test-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  log::init("unit", log::Level::kInfo);
  log::set_level(log::Level::kInfo);
  REQUIRE(log::set_file(path).ok());
  log::debug("hidden ", 1);
  log::info("agent ", "n3", " joined with ", 2, " cores");
  log::error("boom");
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  std::string text = all.str();
  CHECK(text.find("hidden") == std::string::npos);
  CHECK(text.find("unit[" + std::to_string(::getpid()) + "] info: agent n3 joined with 2 cores\n") !=
        std::string::npos);
  CHECK(text.find("error: boom\n") != std::string::npos);
  ::unlink(path);
}

TEST_CASE("log levels parse by name", "[util][log]") {
  CHECK(*log::parse_level("warn") == log::Level::kWarn);
  CHECK_FALSE(log::parse_level("loud").ok());
  CHECK_FALSE(log::set_file("/nonexistent-dir/x.log").ok());
}

TEST_CASE("a log file on a full disk says so once on stderr, with the line that failed", "[util][log]") {
  // /dev/full fails every write with ENOSPC, as a full disk does.
  if (::access("/dev/full", W_OK) != 0) {
    WARN("skipped: no writable /dev/full here to stand for a full disk");
    return;
  }
  char captured[] = "/tmp/compss-log-stderr-XXXXXX";
  const int cap = ::mkstemp(captured);
  REQUIRE(cap >= 0);
  const int saved = ::dup(STDERR_FILENO);
  REQUIRE(saved >= 0);
  log::init("unit", log::Level::kInfo);
  log::set_level(log::Level::kInfo);
  REQUIRE(log::set_file("/dev/full").ok());
  ::dup2(cap, STDERR_FILENO);
  log::info("first line");
  log::info("second line");
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::close(cap);
  std::ifstream in(captured);
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  ::unlink(captured);
  CHECK(text.find("error: cannot write the log /dev/full: No space left on device; this line follows") !=
        std::string::npos);
  CHECK(text.find("info: first line\n") != std::string::npos);
  CHECK(text.find("second line") == std::string::npos);  // once: later lines are lost, not sent to stderr
  char path[] = "/tmp/compss-log-test-XXXXXX";
  const int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  REQUIRE(log::set_file(path).ok());  // away from /dev/full for the tests that follow
  ::unlink(path);
}
