// plugstack_args.h - the plugstack.conf arguments of spank_compss.so (the site's configuration).
//
//   required /usr/lib/.../slurm-wlm/spank_compss.so compssd=/usr/local/bin/compssd max_nodes=16
//            jobdir=/scratch/compss config=/etc/slurm-compss/compss.yaml ready_timeout=120 finish_timeout=3600
//            restarts=20
//
// Lifecycle: parsed once per process in slurm_spank_init from the argument vector SLURM hands the plugin.
// Failure behaviour: an unknown argument or a bad value is reported in `errors` (one line each, for the log)
// and the default stays in force; parsing never fails as a whole, so a typo cannot break every job.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace compss::spank {

struct PlugstackArgs {
  std::string compssd;                   // absolute path of compssd; default: the configured $(bindir)/compssd
  std::uint32_t max_nodes = 0;           // site default and limit of max-nodes; 0: no limit
  std::string jobdir_root;               // job directories go to <root>/<job>; empty: <cwd>/.compss/<job>
  std::string config_file;               // the site compss.yaml handed to compssd; empty: none
  std::uint32_t ready_timeout_s = 120;   // how long the job waits for compssd's "ready"
  std::uint32_t finish_timeout_s = 3600; // how long the job's end waits for the remaining tasks
  std::uint32_t restarts = 20;           // compssd killed in a job is restarted this often (0: never)
};

struct PlugstackParse {
  PlugstackArgs config;
  std::vector<std::string> errors;  // "spank_compss: unknown plugstack argument 'max_node=4' (known: ...)"
};

// `default_compssd` is the build's $(bindir)/compssd.
PlugstackParse parse_plugstack_args(const std::vector<std::string>& args, const std::string& default_compssd);

}  // namespace compss::spank
