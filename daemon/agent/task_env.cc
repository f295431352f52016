// task_env.cc - environment and command lookup for a task.
#include "daemon/agent/task_env.h"

#include <algorithm>

#include "common/util/parse.h"

namespace compss::agent {

namespace {

constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";

void set_var(std::vector<std::string>& env, const std::string& name, const std::string& value) {
  auto same = [&](const std::string& kv) { return kv.size() > name.size() && kv[name.size()] == '=' &&
                                                  kv.compare(0, name.size(), name) == 0; };
  auto it = std::find_if(env.begin(), env.end(), same);
  if (it != env.end()) {
    *it = name + "=" + value;
  } else {
    env.push_back(name + "=" + value);
  }
}

}  // namespace

std::vector<std::string> build_task_env(const LaunchSpec& spec) {
  std::vector<std::string> env;
  for (const auto& [name, value] : spec.env) {
    if (!name.empty()) set_var(env, name, value);
  }
  set_var(env, "OMP_NUM_THREADS", std::to_string(spec.cores.size()));
  set_var(env, "CUDA_VISIBLE_DEVICES", join(spec.gpus, ","));
  set_var(env, "CUDA_DEVICE_ORDER", "PCI_BUS_ID");
  set_var(env, "COMPSS_TASK_ID", spec.task.str());
  set_var(env, "COMPSS_TASK_ATTEMPT", std::to_string(spec.attempt));
  set_var(env, "COMPSS_TASK_CORES", join(spec.cores, ","));  // the core ids it is bound to, for the task and tests
  return env;
}

std::vector<std::string> exec_candidates(const std::string& command, const std::vector<std::string>& env) {
  if (command.find('/') != std::string::npos) return {command};
  std::string path = kDefaultPath;
  for (const std::string& kv : env) {
    if (kv.rfind("PATH=", 0) == 0) path = kv.substr(5);
  }
  std::vector<std::string> out;
  for (std::string_view dir : split(path, ':')) {
    out.push_back(dir.empty() ? command : std::string(dir) + "/" + command);
  }
  return out;
}

}  // namespace compss::agent
