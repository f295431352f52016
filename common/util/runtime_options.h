// runtime_options.h - the value of `--compss[=key=value,...]`, parsed and checked.
//
// Used by the SPANK plugin at submission (a bad value stops sbatch/srun/salloc before the job is queued) and
// by compssd at start-up (it receives the same string). Keys (all optional):
//   max-nodes=N  min-nodes=N  elastic=auto|merge|helper|off  idle=DURATION  policy=fifo|priority|critical-path
//   resume=DIR  config=FILE  crash-limit=N
// `trace`, `graph` and `policy=locality` are known and refused: not built yet, and an option that does
// nothing is worse than none. Errors name the key and what is accepted:
//   "--compss: unknown key 'max-node' (known: max-nodes, min-nodes, elastic, idle, policy, resume, trace, graph, config, crash-limit)"
//   "--compss: min-nodes=8 is larger than max-nodes=4"
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/util/result.h"

namespace compss {

// Seconds a node may stay idle before the runtime drains and releases it, when neither `idle=` nor the
// site's compss.yaml says: the one default behind the scheduler's, elasticity's and the simulator's.
inline constexpr std::uint64_t kDefaultIdleReleaseS = 60;

enum class ElasticMode { kAuto, kMerge, kHelper, kOff };
enum class PolicyName { kFifo, kPriority, kCriticalPath };

struct RuntimeOptions {
  std::optional<std::uint32_t> max_nodes;  // unset: the site default
  std::optional<std::uint32_t> min_nodes;  // unset: the job's initial node count
  ElasticMode elastic = ElasticMode::kAuto;
  bool elastic_set = false;                // elastic= was given (else a site's compss.yaml may set it)
  std::optional<std::uint64_t> idle_s;     // release a node idle this long; unset: the site's or the default
  PolicyName policy = PolicyName::kPriority;  // submission order among equal --priority
  bool policy_set = false;                 // policy= was given
  std::string resume_dir;                  // empty: a fresh run
  std::string config_file;                 // a user compss.yaml; empty: none
  std::optional<std::uint32_t> crash_limit;  // re-runs of a task after lost nodes; unset: 5

  bool operator==(const RuntimeOptions&) const = default;
};

// Parses the option's value; "" (plain `--compss`) gives the defaults.
Result<RuntimeOptions> parse_runtime_options(std::string_view value);

// The canonical string form, parseable again (what the plugin hands to compssd).
std::string to_string(const RuntimeOptions& o);

std::string_view to_string(ElasticMode m);
std::string_view to_string(PolicyName p);

}  // namespace compss
