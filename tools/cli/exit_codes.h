// exit_codes.h - the exit statuses of the compss CLI, one meaning each (doc/man/compss.1, EXIT STATUS).
//
// Thread-safety: constants.
#pragma once

namespace compss::cli {

inline constexpr int kExitOk = 0;           // what was asked for succeeded
inline constexpr int kExitTasksFailed = 1;  // an awaited task failed or was cancelled
inline constexpr int kExitUsage = 2;        // bad command line: the message names the option and what it accepts
inline constexpr int kExitUnreachable = 3;  // no runtime to talk to, or the connection to it broke
inline constexpr int kExitRefused = 4;      // the runtime refused the request (its message is printed as is)
inline constexpr int kExitTimedOut = 5;     // wait --timeout passed with awaited tasks unfinished, none failed

}  // namespace compss::cli
