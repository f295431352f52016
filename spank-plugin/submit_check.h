// submit_check.h - the check of a --compss value at submission (sbatch/srun/salloc, before the job is queued).
//
// Pure: the caller (spank_compss.cc, ALLOCATOR/LOCAL context) supplies what the controller said
// (slurm_load_ctl_conf) as ControllerFacts, so every rule is testable without SLURM.
// Failure behaviour: the first broken rule is returned as an Error whose message names the key and what is
// accepted, ready to print as it is ("--compss: max-nodes=32 is above this site's limit of 16 ...").
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/util/merge_rule.h"
#include "common/util/result.h"
#include "common/util/runtime_options.h"
#include "spank-plugin/plugstack_args.h"

namespace compss::spank {

struct ControllerFacts {
  bool known = false;  // false: slurmctld did not answer; controller rules are not checked
  MergeConf conf;      // the slurm.conf settings of the merge rule (common/util/merge_rule.h)
};

// Parses `value` and checks it against the site's limits and the controller's settings (elastic=merge
// against the merge rule compssd applies at start-up, with the same message). On success the
// options carry the site defaults where the user gave none (max-nodes, config).
Result<RuntimeOptions> check_submission(std::string_view value, const PlugstackArgs& site, const ControllerFacts& ctl);

}  // namespace compss::spank
