// site_yaml.h - the site's compss.yaml, merged under the job's --compss value.
//
// compss.yaml is a flat YAML mapping whose keys are those of --compss (max-nodes, min-nodes, elastic, idle,
// policy, resume, config, crash-limit; etc/compss.yaml documents them). The plugin hands the file to compssd as
// `config=FILE` in the --compss value; what the user wrote in --compss wins over the file, key by key.
//
//   auto o = merge_site_config("max-nodes=4,config=/etc/slurm-compss/compss.yaml");
//   // -> the file's idle, policy, ... with max-nodes=4
//
// Failure: an error naming the file, line and column (a nested value, a list, an alias, a key given twice,
// an unknown key, a bad value, a value holding more than one --compss item, YAML that does not parse), or
// the --compss parser's error. Nothing is merged on failure.
// Thread-safety: pure functions (read_site_config and merge_site_config read the file).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/util/result.h"
#include "common/util/runtime_options.h"

namespace compss::daemon {

// The file's mapping as key/value pairs, in file order; `true` -> a flag, `false` -> left out.
Result<std::vector<std::pair<std::string, std::string>>> read_site_config(const std::string& path);

// The same for a file's text (tests, the fuzzer); `name` stands for the file in errors (name:line:column).
Result<std::vector<std::pair<std::string, std::string>>> read_site_config_text(std::string_view text,
                                                                                const std::string& name);

// Parses `value` (the --compss string); when it names config=FILE, the file's keys come first and the
// value's own keys replace them.
Result<RuntimeOptions> merge_site_config(std::string_view value);

}  // namespace compss::daemon
