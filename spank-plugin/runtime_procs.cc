#include "spank-plugin/runtime_procs.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/util/driver_signal.h"

namespace compss::spank {
namespace {

using Clock = std::chrono::steady_clock;

bool environ_has(const std::string& path, const std::string& marker) {
  std::ifstream in(path, std::ios::binary);
  std::string entry;
  while (std::getline(in, entry, '\0'))
    if (entry == marker) return true;
  return false;
}

// State and parent from /proc/<pid>/stat; the command name may hold spaces and parentheses, so parse after
// the last ')'.
bool read_stat(const std::string& path, char& state, pid_t& ppid) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(text.substr(close + 1));
  long parent = 0;
  if (!(rest >> state >> parent)) return false;
  ppid = static_cast<pid_t>(parent);
  return true;
}

bool alive(pid_t pid, const std::string& proc_root = "/proc") {
  char state = 0;
  pid_t ppid = 0;
  if (!read_stat(proc_root + "/" + std::to_string(pid) + "/stat", state, ppid)) return false;
  return state != 'Z' && state != 'X';
}

// Signals `pid` only while it is still the process found: a pidfd pins the process, /proc is read again
// through the pid (the owner and the marker must still match), and the signal goes through the pidfd. A
// process that exited meanwhile, its pid taken by another, is never signalled: root's clean-up must not
// hit an unrelated process (a pid reused between the scan and the kill). Kernels without pidfds: kill(2)
// after the same check. `value` set: a queued signal carrying it (sigqueue).
bool signal_checked(pid_t pid, uid_t uid, const std::string& marker, int sig, const int* value = nullptr) {
  const std::string dir = "/proc/" + std::to_string(pid);
  // Through syscall(2): Debian 12's <sys/pidfd.h> declares its wrappers without C linkage for C++.
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0 && errno != ENOSYS) return false;  // gone already
  struct stat st{};
  const bool same = ::stat(dir.c_str(), &st) == 0 && st.st_uid == uid && environ_has(dir + "/environ", marker);
  bool sent = false;
  if (same && fd >= 0) {
    siginfo_t info{};
    info.si_signo = sig;
    info.si_code = SI_QUEUE;
    info.si_pid = ::getpid();
    info.si_uid = ::getuid();
    if (value) info.si_value.sival_int = *value;
    sent = ::syscall(SYS_pidfd_send_signal, fd, sig, value ? &info : nullptr, 0) == 0;
  } else if (same) {
    if (value) {
      sigval v{};
      v.sival_int = *value;
      sent = ::sigqueue(pid, sig, v) == 0;
    } else {
      sent = ::kill(pid, sig) == 0;
    }
  }
  if (fd >= 0) ::close(fd);
  return sent;
}

void signal_all(const std::vector<MarkedProc>& procs, uid_t uid, const std::string& marker, int sig) {
  for (const auto& p : procs) signal_checked(p.pid, uid, marker, sig);
}

bool wait_gone(const std::vector<pid_t>& pids, Clock::time_point deadline) {
  for (;;) {
    if (std::none_of(pids.begin(), pids.end(), [](pid_t p) { return alive(p); })) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

std::vector<MarkedProc> find_marked(uid_t uid, const std::string& marker, const std::string& proc_root) {
  std::vector<MarkedProc> out;
  DIR* d = ::opendir(proc_root.c_str());
  if (!d) return out;
  const pid_t self = ::getpid();
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0' || pid == self) continue;
    const std::string dir = proc_root + "/" + e->d_name;
    struct stat st{};
    if (::stat(dir.c_str(), &st) != 0 || st.st_uid != uid) continue;
    MarkedProc p;
    p.pid = static_cast<pid_t>(pid);
    char state = 0;
    if (!read_stat(dir + "/stat", state, p.ppid) || state == 'Z' || state == 'X') continue;
    if (!environ_has(dir + "/environ", marker)) continue;
    std::ifstream cmd(dir + "/cmdline", std::ios::binary);
    std::getline(cmd, p.argv0, '\0');
    std::getline(cmd, p.argv1, '\0');
    char exe[4096];
    const ssize_t n = ::readlink((dir + "/exe").c_str(), exe, sizeof exe - 1);
    if (n > 0) p.exe.assign(exe, static_cast<std::size_t>(n));
    out.push_back(p);
  }
  ::closedir(d);
  return out;
}

std::vector<pid_t> daemons_of(const std::vector<MarkedProc>& procs, const std::string& compssd) {
  auto named = [&](const MarkedProc& p) { return p.argv0 == compssd || p.argv1 == compssd || p.exe == compssd; };
  // A child compssd forked and has not exec'd yet looks like compssd too: only the topmost one counts.
  auto parent_named = [&](const MarkedProc& p) {
    return std::any_of(procs.begin(), procs.end(), [&](const MarkedProc& q) { return q.pid == p.ppid && named(q); });
  };
  std::vector<pid_t> out;
  for (const auto& p : procs)
    if (named(p) && !parent_named(p)) out.push_back(p.pid);
  return out;
}

int kill_runtime(uid_t uid, const std::string& marker, unsigned grace_ms) {
  auto left = find_marked(uid, marker);
  if (left.empty()) return 0;
  const int n = static_cast<int>(left.size());
  signal_all(left, uid, marker, SIGCONT);
  signal_all(left, uid, marker, SIGTERM);
  std::vector<pid_t> pids;
  for (const auto& p : left) pids.push_back(p.pid);
  if (wait_gone(pids, Clock::now() + std::chrono::milliseconds(grace_ms))) left.clear();
  signal_all(left, uid, marker, SIGKILL);
  // A process forked while we were signalling escapes the list it was not on: search again, a few times.
  for (int round = 0; round < 20; ++round) {
    auto more = find_marked(uid, marker);
    if (more.empty()) break;
    signal_all(more, uid, marker, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return n;
}

StopReport stop_runtime(uid_t uid, const std::string& marker, const std::string& compssd, unsigned finish_timeout_s,
                        unsigned grace_ms, const std::function<bool()>& cancelled) {
  StopReport r;
  const auto t0 = Clock::now();
  const auto daemons = daemons_of(find_marked(uid, marker), compssd);
  r.daemons = static_cast<int>(daemons.size());
  // Queued with a value, so compssd tells it apart from a SIGUSR1 that SLURM or the user sends.
  for (pid_t p : daemons) signal_checked(p, uid, marker, SIGUSR1, &kDriverEndedSignalValue);
  const auto deadline = t0 + std::chrono::seconds(finish_timeout_s);
  for (;;) {
    const auto step = std::min(deadline, Clock::now() + std::chrono::seconds(1));
    r.finished = wait_gone(daemons, step);
    if (r.finished || step >= deadline) break;
    if (cancelled && cancelled()) {
      r.cancelled = true;
      for (pid_t p : daemons) signal_checked(p, uid, marker, SIGTERM);
      r.finished = wait_gone(daemons, std::min(deadline, Clock::now() + std::chrono::seconds(kCancelGraceS)));
      break;
    }
  }
  r.waited_s = std::chrono::duration<double>(Clock::now() - t0).count();
  r.terminated = kill_runtime(uid, marker, grace_ms);
  return r;
}

}  // namespace compss::spank
