// estimates.h - duration estimates per task name, learnt from finished tasks.
//
// A task's estimate is the mean duration of the successful runs of tasks with the same name; before
// any has finished, the fallback recorded for that name (the first such task's timeout, else its
// declared time, when it has one) or the configured default. The critical-path policy, backfilling and the elasticity input use it.
//
// Lifecycle: note_name() when a task of a name is submitted; learn() when one finishes successfully.
// learn() reports whether the estimate moved enough (first sample, or a power-of-two count of samples)
// that priorities computed from it should be refreshed.
// Failure behaviour: none. Thread-safety: none; one owner.
#pragma once

#include <cstdint>
#include <vector>

namespace compss::scheduler {

class Estimates {
 public:
  explicit Estimates(double default_s = 60) : default_s_(default_s) {}

  void note_name(std::uint32_t name, double timeout_s);
  bool learn(std::uint32_t name, double seconds);  // true: refresh priorities derived from estimates
  double of(std::uint32_t name) const;
  bool known(std::uint32_t name) const { return name < names_.size() && names_[name].samples > 0; }
  // A task of the name declared its length (a timeout): the fallback is that, not the default.
  bool declared(std::uint32_t name) const { return name < names_.size() && names_[name].fallback > 0; }
  std::uint64_t samples(std::uint32_t name) const { return name < names_.size() ? names_[name].samples : 0; }

 private:
  struct Entry {
    double mean = 0;
    double fallback = 0;  // 0: use default_s_
    std::uint64_t samples = 0;
  };
  double default_s_;
  std::vector<Entry> names_;
};

}  // namespace compss::scheduler
