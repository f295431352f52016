// estimates.cc - running means of task durations per name.
#include "scheduler/estimates.h"

namespace compss::scheduler {

void Estimates::note_name(std::uint32_t name, double timeout_s) {
  if (name >= names_.size()) {
    names_.resize(name + 1);
    names_[name].fallback = timeout_s > 0 ? timeout_s : 0;
  }
}

bool Estimates::learn(std::uint32_t name, double seconds) {
  if (name >= names_.size()) names_.resize(name + 1);
  Entry& e = names_[name];
  if (seconds < 0) seconds = 0;
  ++e.samples;
  e.mean += (seconds - e.mean) / static_cast<double>(e.samples);
  return (e.samples & (e.samples - 1)) == 0;
}

double Estimates::of(std::uint32_t name) const {
  if (name < names_.size()) {
    const Entry& e = names_[name];
    if (e.samples > 0) return e.mean;
    if (e.fallback > 0) return e.fallback;
  }
  return default_s_;
}

}  // namespace compss::scheduler
