// launch_harness.h - a Launcher on this machine's topology in a temporary directory, for the tests.
//
// Harness h;                                    // output in h.dir + "/out", node name "n1"
// TaskResult r = h.run(h.spec(1, {"sh", "-c", "echo hi"}));
// CHECK(h.output_of(r) == "hi\n");
// Thread-safety: the test's thread only.
#pragma once

#include <utility>  // before Asio: Boost 1.74's Asio needs it under C++20

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "daemon/agent/launcher.h"

extern char** environ;

namespace compss::agent::test {

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Running, and not a zombie waiting for a parent that does not reap (this machine's PID 1 may not).
inline bool process_alive(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return false;
  char state = stat[close + 2];
  return state != 'Z' && state != 'X';
}

inline bool gone_within(pid_t pid, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (process_alive(pid)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

inline std::vector<std::pair<std::string, std::string>> current_environment() {
  std::vector<std::pair<std::string, std::string>> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) env.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

inline NodeTopology this_machine() {
  auto t = discover_topology(TopologyOptions{});
  REQUIRE(t.ok());
  return *t;
}

struct Harness {
  explicit Harness(LauncherConfig config = {}, NodeTopology topology = this_machine()) {
    char tmpl[] = "/tmp/compss-agent-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    if (config.node_name.empty()) config.node_name = "n1";
    if (config.output_dir.empty()) config.output_dir = dir + "/out";
    out_dir = config.output_dir;
    auto l = Launcher::create(io, std::move(topology), config);
    INFO((l ? std::string() : l.error().message));
    REQUIRE(l.ok());
    launcher = std::move(*l);
    launcher->on_started([this](TaskId t, std::uint32_t, pid_t pid) { started[t] = pid; });
    launcher->on_finished([this](const TaskResult& r) { finished.push_back(r); });
  }
  ~Harness() {
    launcher.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  LaunchSpec spec(std::uint32_t id, std::vector<std::string> argv) const {
    LaunchSpec s;
    s.task = TaskId(id);
    s.name = "t" + std::to_string(id);
    s.argv = std::move(argv);
    s.cwd = dir;
    s.env = current_environment();
    s.cores = {launcher->topology().cores.front().id};
    return s;
  }

  // Runs the io_context until `done` holds; false after `limit`.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      if (io.stopped()) io.restart();
      io.run_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  const TaskResult* result_of(TaskId task) const {
    for (const TaskResult& r : finished) {
      if (r.task == task) return &r;
    }
    return nullptr;
  }

  TaskResult wait_for(TaskId task, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    REQUIRE(run_until([&] { return result_of(task) != nullptr; }, limit));
    return *result_of(task);
  }

  TaskResult run(const LaunchSpec& s) {
    auto pid = launcher->start(s);
    INFO((pid ? std::string() : pid.error().message));
    REQUIRE(pid.ok());
    return wait_for(s.task);
  }

  // The output bytes a result points at.
  static std::string output_of(const TaskResult& r) {
    std::string all = slurp(r.output.path);
    REQUIRE(r.output.offset + r.output.length <= all.size());
    return all.substr(r.output.offset, r.output.length);
  }

  // Waits until `file` (relative to dir) exists with content, then returns it.
  std::string await_file(const std::string& file) {
    std::string path = dir + "/" + file;
    std::string text;
    REQUIRE(run_until([&] {
      text = slurp(path);
      return !text.empty() && text.back() == '\n';
    }));
    return text;
  }

  boost::asio::io_context io;
  std::string dir;
  std::string out_dir;
  std::unique_ptr<Launcher> launcher;
  std::map<TaskId, pid_t> started;
  std::vector<TaskResult> finished;
};

}  // namespace compss::agent::test
