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
