// paths.h - where the agent tests find their data, and small helpers to load it.
//
// COMPSS_TEST_DATA (set by make check) names tests/data; without it the source tree's copy is used.
// COMPSS_SHARED_TOPOLOGIES names the shared XML exports of real machines, which may be absent: a test
// that needs them says so and skips. Thread-safety: plain functions for the test thread.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#ifndef COMPSS_TOP_SRCDIR
#error "COMPSS_TOP_SRCDIR must name the source tree (tests/unit/agent/Makefile.am defines it)"
#endif

namespace compss::agent::test {

inline std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

inline std::string data_dir() { return env_or("COMPSS_TEST_DATA", std::string(COMPSS_TOP_SRCDIR) + "/tests/data"); }

inline std::string topology_file(const std::string& name) { return data_dir() + "/topologies/" + name; }

// The shared file, or nullopt when the shared folder is not there.
inline std::optional<std::string> shared_topology(const std::string& name) {
  std::string dir = env_or("COMPSS_SHARED_TOPOLOGIES", std::string(COMPSS_TOP_SRCDIR) + "/../shared/topologies");
  std::string path = dir + "/" + name;
  if (!std::filesystem::exists(path)) return std::nullopt;
  return path;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace compss::agent::test
