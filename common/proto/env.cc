// env.cc - the task environment rule of `compss submit --export` (env.h).
#include "common/proto/env.h"

#include <algorithm>
#include <array>
#include <unordered_set>

namespace compss::proto {

bool caller_variable(std::string_view name) {
  static constexpr std::array<std::string_view, 7> kPrefixes = {"COMPSS_", "SLURM_", "SLURMD_", "PMI_",
                                                                "PMIX_",   "OMPI_",  "PRTE_"};
  static constexpr std::array<std::string_view, 7> kNames = {
      "OMP_NUM_THREADS", "CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER", "PWD", "OLDPWD", "SHLVL", "_"};
  if (name.empty()) return false;
  for (auto p : kPrefixes)
    if (name.starts_with(p)) return false;
  return std::find(kNames.begin(), kNames.end(), name) == kNames.end();
}

EnvMap env_map(char** environ_list) {
  EnvMap m;
  for (char** e = environ_list; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    m.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return m;
}

void resolve_export(TaskSpec& t, const EnvMap& job_env) {
  if (t.exported.empty() && !t.export_all) return;
  std::vector<std::string> env;
  std::unordered_set<std::string_view> has;
  for (const std::string& kv : t.exported) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    std::string_view name(kv.data(), eq);
    if (!caller_variable(name) || !has.insert(name).second) continue;
    auto it = job_env.find(std::string(name));
    if (it == job_env.end() || it->second != std::string_view(kv).substr(eq + 1)) env.push_back(kv);
  }
  if (t.export_all) {
    std::vector<std::string> gone;
    for (const auto& [name, value] : job_env)
      if (caller_variable(name) && !has.count(name)) gone.push_back(name);
    std::sort(gone.begin(), gone.end());  // the same submit journals the same bytes
    for (auto& n : gone)
      if (std::find(t.env_unset.begin(), t.env_unset.end(), n) == t.env_unset.end()) t.env_unset.push_back(std::move(n));
  }
  env.insert(env.end(), std::make_move_iterator(t.env.begin()), std::make_move_iterator(t.env.end()));
  t.env = std::move(env);
  t.exported.clear();
  t.export_all = false;
}

}  // namespace compss::proto
