#include "common/util/log.h"

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace compss::log {
namespace {

std::mutex g_mu;
std::string g_program = "compss";
int g_fd = STDERR_FILENO;
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
  while (left > 0) {
    ssize_t n = ::write(g_fd, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace compss::log
