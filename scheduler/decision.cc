// decision.cc - one-line descriptions of decisions.
#include "scheduler/decision.h"

namespace compss::scheduler {

const char* to_string(KillReason r) {
  switch (r) {
    case KillReason::kCancelled:
      return "cancelled";
    case KillReason::kTimeout:
      return "timeout";
    case KillReason::kPredecessorFailed:
      return "predecessor failed";
    case KillReason::kRunStopped:
      return "run stopped";
  }
  return "?";
}

namespace {

std::string slots_text(const Placement& p) {
  std::string s;
  for (const NodeSlot& slot : p.slots) {
    if (!s.empty()) s += "; ";
    s += "node " + slot.node.str() + ": cores " + format_ids(slot.cores);
    if (!slot.gpus.empty()) s += " gpus " + format_ids(slot.gpus);
  }
  return s;
}

struct Describe {
  std::string operator()(const StartTask& d) const {
    return "start " + d.task.str() + " attempt " + std::to_string(d.attempt) + " on " + slots_text(d.placement);
  }
  std::string operator()(const KillTask& d) const { return "kill " + d.task.str() + " (" + to_string(d.reason) + ")"; }
  std::string operator()(const GrowNodes& d) const { return "grow " + std::to_string(d.count) + ": " + d.why; }
  std::string operator()(const WithdrawGrow& d) const { return "withdraw " + std::to_string(d.count) + ": " + d.why; }
  std::string operator()(const DrainNode& d) const { return "drain node " + d.node.str() + ": " + d.why; }
  std::string operator()(const UndrainNode& d) const { return "undrain node " + d.node.str() + ": " + d.why; }
  std::string operator()(const ReleaseNode& d) const { return "release node " + d.node.str() + ": " + d.why; }
  std::string operator()(const QuarantineNode& d) const { return "quarantine node " + d.node.str() + ": " + d.why; }
};

}  // namespace

std::string to_string(const Decision& d) {
  return std::visit(Describe{}, d);
}

}  // namespace compss::scheduler
