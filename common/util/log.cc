#include "common/util/log.h"

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>

namespace compss::log {
namespace {

std::mutex g_mu;
std::string g_program = "compss";
int g_fd = STDERR_FILENO;
std::string g_path;      // the log file's, "" while on stderr
bool g_failing = false;  // the last write to the file failed (said once on stderr)
std::atomic<int> g_level{static_cast<int>(Level::kInfo)};

const char* level_name(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
    case Level::kOff: return "off";
  }
  return "?";
}

}  // namespace

Result<Level> parse_level(std::string_view name) {
  for (auto l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError, Level::kOff})
    if (name == level_name(l)) return l;
  return fail("unknown log level '", name, "' (expected debug, info, warn, error or off)");
}

void init(std::string_view program, Level lvl) {
  {
    std::lock_guard lk(g_mu);
    g_program = std::string(program);
  }
  if (const char* env = std::getenv("COMPSS_LOG_LEVEL")) {
    if (auto parsed = parse_level(env)) lvl = *parsed;
  }
  set_level(lvl);
}

Status set_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return fail("cannot open log file ", path);
  std::lock_guard lk(g_mu);
  if (g_fd != STDERR_FILENO) ::close(g_fd);
  g_fd = fd;
  g_path = path;
  g_failing = false;
  return {};
}

void set_level(Level lvl) { g_level.store(static_cast<int>(lvl)); }
Level level() { return static_cast<Level>(g_level.load(std::memory_order_relaxed)); }

void write(Level lvl, std::string_view message) {
  if (lvl < level()) return;
  timeval tv{};
  ::gettimeofday(&tv, nullptr);
  tm utc{};
  ::gmtime_r(&tv.tv_sec, &utc);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(tv.tv_usec / 1000));
  std::lock_guard lk(g_mu);
  std::string line;
  line.reserve(64 + message.size());
  line.append(stamp).append(" ").append(g_program).append("[").append(std::to_string(::getpid())).append("] ");
  line.append(level_name(lvl)).append(": ").append(message);
  if (line.empty() || line.back() != '\n') line.push_back('\n');
  // One write(2) per line so lines from several processes sharing a file do not interleave.
  const char* p = line.data();
  size_t left = line.size();
  int err = 0;
  while (left > 0) {
    ssize_t n = ::write(g_fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : ENOSPC;
      break;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (g_fd == STDERR_FILENO) return;
  if (err == 0) {
    g_failing = false;
    return;
  }
  if (g_failing) return;  // said already; the lines that cannot be written meanwhile are lost
  g_failing = true;
  // A full disk must not make the log's own failure silent: once on stderr (the job's output under SLURM),
  // with the line that failed.
  std::string note = std::string(stamp) + " " + g_program + "[" + std::to_string(::getpid()) +
                     "] error: cannot write the log " + g_path + ": " + std::strerror(err) +
                     "; this line follows, and later lines are lost until it can be written again\n" + line;
  (void)!::write(STDERR_FILENO, note.data(), note.size());
}

}  // namespace compss::log
