#include "connector/slurm_connector.h"

#include <sys/stat.h>

#include <cstdlib>
#include <mutex>

#include <slurm/slurm.h>

namespace compss::connector {

namespace {

bool is_file(const char* path) {
  struct stat st;
  return ::stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

Result<std::string> slurm_config_path() {
  if (const char* env = std::getenv("SLURM_CONF"); env && *env) {
    if (is_file(env)) return std::string(env);
    return fail("SLURM_CONF names '", env, "', which is not a readable file");
  }
  // Debian and most builds look here; configless sites set SLURM_CONF inside jobs.
  constexpr const char* kDefault = "/etc/slurm/slurm.conf";
  if (is_file(kDefault)) return std::string(kDefault);
  return fail("no SLURM configuration found: SLURM_CONF is unset and ", kDefault,
              " does not exist (set SLURM_CONF to the cluster's slurm.conf)");
}

Result<std::unique_ptr<SlurmConnector>> SlurmConnector::create(const ConnectorConfig& config) {
  if (Status st = check_budget(config.budget); !st) return st.error();
  if (Status st = check_backoff(config.retry); !st) return st.error();
  auto path = slurm_config_path();
  if (!path) return fail("cannot talk to SLURM: ", path.error().message);
  static std::once_flag once;
  std::call_once(once, [] { slurm_init(nullptr); });
  return std::unique_ptr<SlurmConnector>(new SlurmConnector(std::make_unique<Parts>(), config));
}

SlurmConnector::SlurmConnector(std::unique_ptr<Parts> parts, const ConnectorConfig& config)
    : ControllerConnector(parts->controller, config, parts->clock), parts_(std::move(parts)) {}

}  // namespace compss::connector
