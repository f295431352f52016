// hostlist.h - SLURM node-list strings to names and back, through libslurm's hostlist functions.
//
//   expand_hostlist("n[1-3,5]")          -> {"n1", "n2", "n3", "n5"}   (SLURM's order, duplicates kept)
//   compress_hostlist({"n3", "n1", "n2"}) -> "n[1-3]"                  (sorted, duplicates removed)
//   expand_hostlist("")                  -> {}
//   expand_hostlist("n[1-")              -> error "bad node list 'n[1-': ..."
//
// These are pure: no controller and no slurm_init() needed.
// Failure behaviour: malformed input returns an Error naming the input.
// Thread-safety: safe from any thread (each call builds and frees its own hostlist).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace compss::connector {

Result<std::vector<std::string>> expand_hostlist(std::string_view list);
Result<std::string> compress_hostlist(const std::vector<std::string>& names);

}  // namespace compss::connector
