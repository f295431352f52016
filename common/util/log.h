// log.h - the logging facade: one line per event, to stderr or a file.
//
// Lifecycle: log::init("compssd", Level::kInfo) once at start-up (optional: the defaults log at info
// to stderr as "compss"); log::set_file(path) to move the output to a file (the job directory's log).
// Then log::info("agent ", node, " joined") etc. from any thread.
//
// Line format:  2026-11-21T18:23:12.123Z compssd[4242] warn: agent n3 lost: connection reset
//
// The level can be raised or lowered by the environment: COMPSS_LOG_LEVEL=debug|info|warn|error.
// Thread-safety: every function is safe to call from any thread; each line is written whole.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

#include "common/util/result.h"

namespace compss::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

void init(std::string_view program, Level level);
// Appends; on failure the sink stays as it was. A log file that cannot be written (a full disk) is said once
// on stderr, with the line that failed; the lines that fail after it are lost, until a write succeeds again.
Status set_file(const std::string& path);
void set_level(Level level);
Level level();
Result<Level> parse_level(std::string_view name);

void write(Level level, std::string_view message);

template <class... Parts>
void emit(Level lvl, const Parts&... parts) {
  if (lvl < level()) return;
  std::ostringstream os;
  (os << ... << parts);
  write(lvl, os.str());
}

template <class... Parts>
void debug(const Parts&... parts) { emit(Level::kDebug, parts...); }
template <class... Parts>
void info(const Parts&... parts) { emit(Level::kInfo, parts...); }
template <class... Parts>
void warn(const Parts&... parts) { emit(Level::kWarn, parts...); }
template <class... Parts>
void error(const Parts&... parts) { emit(Level::kError, parts...); }

}  // namespace compss::log
