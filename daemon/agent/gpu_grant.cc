// gpu_grant.cc - the job's GPUs on this node from SLURM's step environment (gpu_grant.h).
#include "daemon/agent/gpu_grant.h"

#include <algorithm>

#include "common/util/parse.h"

namespace compss::agent {

namespace {

std::string numbers(const std::vector<GpuIndex>& ids) {
  return join(ids, ",");
}

}  // namespace

GpuIndex GpuGrant::task_number(GpuIndex node_index) const {
  for (const auto& [from, to] : rename)
    if (from == node_index) return to;
  return node_index;
}

std::vector<GpuIndex> GpuGrant::task_numbers(const std::vector<GpuIndex>& node_indices) const {
  std::vector<GpuIndex> out;
  out.reserve(node_indices.size());
  for (GpuIndex g : node_indices) out.push_back(task_number(g));
  return out;
}

Result<GpuGrant> gpu_grant(const EnvLookup& env) {
  GpuGrant g;
  const auto step = env("SLURM_STEP_GPUS");
  const auto visible = env("CUDA_VISIBLE_DEVICES");
  if (step) {
    auto ids = parse_visible_gpus(*step);
    if (!ids) return fail("SLURM_STEP_GPUS='", *step, "': ", ids.error().message);
    g.keep = *ids;
    g.source = "SLURM_STEP_GPUS=" + numbers(*ids);
    if (!visible) return g;
    auto seen = parse_visible_gpus(*visible);
    if (!seen || seen->size() != ids->size()) {
      g.source += " (CUDA_VISIBLE_DEVICES='" + *visible + "' does not match it: tasks get these numbers)";
      return g;
    }
    for (std::size_t i = 0; i < ids->size(); ++i)
      if ((*ids)[i] != (*seen)[i]) g.rename.emplace_back((*ids)[i], (*seen)[i]);
    if (!g.rename.empty()) g.source += " (tasks see them as " + numbers(*seen) + ")";
    return g;
  }
  if (visible) {
    auto ids = parse_visible_gpus(*visible);
    if (!ids) return ids.error();
    g.keep = *ids;
    g.source = "CUDA_VISIBLE_DEVICES=" + numbers(*ids) + " (no SLURM_STEP_GPUS)";
    return g;
  }
  g.source = "every GPU on the node: SLURM gave no GPU list (SLURM_STEP_GPUS, CUDA_VISIBLE_DEVICES)";
  return g;
}

}  // namespace compss::agent
