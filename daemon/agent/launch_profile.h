// launch_profile.h - where the agent's time per task goes, step by step: the launch path measured where it
// runs. The agent logs the totals when it exits (`launch steps: ...`, tools/bench-cli reads them); the cost
// is two clock reads per step.
#pragma once

#include <time.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>

namespace compss::agent {

class LaunchProfile {
 public:
  // In the order a task meets them. env: the task's environment gathered from the agent's and the
  // assignment's; plan: cpuset and exec plan (argv, envp); pipes: its output and launch-status pipes;
  // spawn: clone until the child has exec'd; watch: registering its output with the event loop and the
  // started report; reap: wait4 of ended tasks; finish: the result (usage, output) and the finished report.
  enum Step { kEnv, kPlan, kPipes, kSpawn, kWatch, kReap, kFinish, kSteps };

  static std::uint64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000u + static_cast<std::uint64_t>(ts.tv_nsec);
  }
  void add(Step s, std::uint64_t since_ns) { ns_[s] += now_ns() - since_ns; }
  void launched() { ++launched_; }
  std::uint64_t launches() const { return launched_; }

  // "launch steps: 3000 tasks, us per task: env 4.1 plan 2.0 pipes 6.3 spawn 410.2 watch 12.0 reap 8.1
  // finish 20.3 total 463.0"
  std::string summary() const {
    static constexpr const char* kNames[kSteps] = {"env", "plan", "pipes", "spawn", "watch", "reap", "finish"};
    std::string s = "launch steps: " + std::to_string(launched_) + " tasks, us per task:";
    if (launched_ == 0) return s + " (none)";
    std::uint64_t total = 0;
    char buf[48];
    for (int i = 0; i < kSteps; ++i) {
      std::snprintf(buf, sizeof buf, " %s %.1f", kNames[i], static_cast<double>(ns_[i]) / 1e3 / launched_);
      s += buf;
      total += ns_[i];
    }
    std::snprintf(buf, sizeof buf, " total %.1f", static_cast<double>(total) / 1e3 / launched_);
    return s + buf;
  }

 private:
  std::array<std::uint64_t, kSteps> ns_{};
  std::uint64_t launched_ = 0;
};

}  // namespace compss::agent
