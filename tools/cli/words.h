// words.h - one line of text split into words as a POSIX shell splits a simple command, without
// expansions: what `compss submit --stdin` reads, one task per line.
//
//   split_words("--out 'r 1.txt' -- sh -c \"echo \\\"hi\\\"\"")
//     -> {"--out", "r 1.txt", "--", "sh", "-c", "echo \"hi\""}
//
// Rules: blanks (space, tab) separate words; '...' keeps everything literally; "..." keeps everything
// but \" \\ \$ \` (a backslash before anything else stays); a backslash outside quotes keeps the next
// character; a '#' that begins a word starts a comment to the end of the line. Nothing is expanded ($VAR,
// globs, ~ stay as written): the line is data, not a script.
// Failure behaviour: an unterminated quote or a trailing backslash is an error naming the column.
// Thread-safety: pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace compss::cli {

Result<std::vector<std::string>> split_words(std::string_view line);

}  // namespace compss::cli
