// paths.h - making a task's paths absolute on the client side: the daemon and its agents may run on
// other nodes, in other directories, so "out/3.nc" must travel as "/home/me/run/out/3.nc".
//
// Lexical only: nothing is looked up on disk (an output file does not exist yet), "." and ".." are
// folded so that "./a" and "a" name the same file for dependency matching.
//
// Thread-safety: pure functions.
#pragma once

#include <compss/types.hpp>
#include <string>
#include <string_view>

namespace compss::client {

// `path` joined to `base` when it is relative (base must be absolute), then normalised; "" stays "".
std::string absolute_path(std::string_view path, std::string_view base);

// The spec with cwd made absolute against `caller_cwd` (an empty cwd becomes caller_cwd) and every
// in/out/inout path made absolute against the task's cwd.
TaskSpec with_absolute_paths(TaskSpec spec, std::string_view caller_cwd);

}  // namespace compss::client
