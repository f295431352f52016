// supervisor.cc - compssd's supervisor (supervisor.h): one child at a time, restarted with --reattach.
#include "daemon/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "common/util/driver_signal.h"
#include "common/util/random.h"

namespace compss::daemon {
namespace {

constexpr unsigned kUnreadyDeathsInARow = 3;  // restarted daemons dead before they were ready: a crash loop


void say(const std::string& log_path, const std::string& text) {
  const std::string line = "compssd supervisor[" + std::to_string(::getpid()) + "]: " + text + "\n";
  (void)!::write(2, line.data(), line.size());
  if (log_path.empty()) return;
  const int fd = ::open(log_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return;
  (void)!::write(fd, line.data(), line.size());
  ::close(fd);
}

struct Child {
  pid_t pid = -1;
  int ready = -1;  // read end of its ready pipe
  bool was_ready = false;
  bool journal_stopped = false;  // it said so: a restart would lose what it took since
};

// Forks compssd with `args`, its secret on a pipe (--secret-fd) and its readiness on another (--ready-fd).
Child start(const std::string& exe, std::vector<std::string> args, const std::string& secret, const sigset_t& old_mask) {
  int sec[2], rdy[2];
  if (::pipe2(sec, O_CLOEXEC) != 0) return {};
  if (::pipe2(rdy, O_CLOEXEC) != 0) {
    ::close(sec[0]);
    ::close(sec[1]);
    return {};
  }
  (void)!::write(sec[1], secret.data(), secret.size());  // 48 bytes: far below a pipe's buffer
  ::close(sec[1]);
  args.insert(args.end(), {"--secret-fd", std::to_string(sec[0]), "--ready-fd", std::to_string(rdy[1])});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::fcntl(sec[0], F_SETFD, 0);  // these two survive the exec
    ::fcntl(rdy[1], F_SETFD, 0);
    for (int s = 1; s < NSIG; ++s) ::signal(s, SIG_DFL);
    // SIGUSR1/SIGUSR2 stay blocked across the exec until compssd handles them (UserSignals::start): a
    // driver-ended SIGUSR1 passed on while a restarted compssd still reads its journal would otherwise
    // kill it (default action), and the run would lose a restart.
    sigset_t mask = old_mask;
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGUSR2);
    ::sigprocmask(SIG_SETMASK, &mask, nullptr);
    ::execv(exe.c_str(), argv.data());  // this very program (by its path: the process is named compssd)
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(sec[0]);
  ::close(rdy[1]);
  if (pid < 0) {
    ::close(rdy[0]);
    return {};
  }
  return Child{pid, rdy[0], false};
}

std::string describe(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" + ::strsignal(WTERMSIG(status)) + ")";
}

}  // namespace

int supervise(const SuperviseConfig& cfg) {
  // The plugin's ready pipe is this process's to answer: no daemon, srun or agent may inherit it (one
  // that outlived a daemon dead before it was ready would keep the plugin waiting its whole timeout).
  if (cfg.ready_fd >= 0) (void)::fcntl(cfg.ready_fd, F_SETFD, FD_CLOEXEC);
  auto secret = random_hex(24);
  if (!secret) {
    say(cfg.log_path, "cannot make the job's secret: " + secret.error().message);
    return 1;
  }
  sigset_t set, old_mask;
  sigemptyset(&set);
  for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGHUP}) sigaddset(&set, s);
  ::sigprocmask(SIG_BLOCK, &set, &old_mask);
  const int sfd = ::signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0) {
    say(cfg.log_path, std::string("signalfd: ") + std::strerror(errno));
    return 1;
  }
  (void)::prctl(PR_SET_CHILD_SUBREAPER, 1);
  char exe_buf[4096];
  const ssize_t len = ::readlink("/proc/self/exe", exe_buf, sizeof exe_buf - 1);
  const std::string exe = len > 0 ? std::string(exe_buf, static_cast<std::size_t>(len)) : "/proc/self/exe";
  int ready_out = cfg.ready_fd;
  bool was_ready = false, stop = false, driver_ended = false;
  unsigned restarts = 0, unready = 0;
  Child child = start(exe, cfg.argv, *secret, old_mask);
  if (child.pid < 0) {
    say(cfg.log_path, std::string("cannot start compssd: ") + std::strerror(errno));
    return 1;
  }
  for (;;) {
    pollfd p[2] = {{sfd, POLLIN, 0}, {child.ready, POLLIN, 0}};
    const int n = ::poll(p, child.ready >= 0 ? 2 : 1, -1);
    if (n < 0 && errno != EINTR) {
      // Nobody would forward signals to the daemon or reap it any more: it goes too.
      say(cfg.log_path, std::string("poll: ") + std::strerror(errno) + "; stopping compssd");
      if (child.pid > 0) {
        ::kill(child.pid, SIGKILL);
        ::waitpid(child.pid, nullptr, 0);
      }
      return 1;
    }
    if (child.ready >= 0 && (p[1].revents & (POLLIN | POLLHUP))) {
      char buf[64];
      const ssize_t got = ::read(child.ready, buf, sizeof buf);
      const std::string said(buf, got > 0 ? static_cast<std::size_t>(got) : 0);
      if (said.find("journal-stopped") != std::string::npos) child.journal_stopped = true;
      if (said.find("ready") != std::string::npos) {
        was_ready = child.was_ready = true;
        if (ready_out >= 0) {
          (void)!::write(ready_out, "ready\n", 6);
          ::close(ready_out);
          ready_out = -1;
        }
      }
      if (got <= 0) {  // kept open after ready: the daemon may still say its journal stopped
        ::close(child.ready);
        child.ready = -1;
      }
    }
    if (!(p[0].revents & POLLIN)) continue;
    signalfd_siginfo si{};
    if (::read(sfd, &si, sizeof si) != sizeof si) continue;
    const int sig = static_cast<int>(si.ssi_signo);
    // Everything goes on to the daemon: the plugin signals only the topmost compssd (this process). What
    // SLURM sends to every process of the step arrives twice; compssd takes a repeat as one.
    if (sig != SIGCHLD) {
      if (sig == SIGTERM || sig == SIGINT) stop = true;
      const bool driver = sig == SIGUSR1 && si.ssi_code == SI_QUEUE && si.ssi_int == kDriverEndedSignalValue;
      if (driver) driver_ended = true;
      if (child.pid > 0) {
        if (driver) {
          sigval v{};
          v.sival_int = kDriverEndedSignalValue;
          ::sigqueue(child.pid, SIGUSR1, v);
        } else if (sig != SIGHUP) {
          ::kill(child.pid, sig);
        }
      }
      continue;
    }
    // Reap everything: the daemon, and orphans of a killed one (its srun of the agents) adopted here.
    int status = 0;
    for (pid_t w; (w = ::waitpid(-1, &status, WNOHANG)) > 0;) {
      if (w != child.pid) continue;
      child.pid = -1;
      if (child.ready >= 0) ::close(child.ready);
      child.ready = -1;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      const bool child_ready = child.was_ready;
      unready = child_ready ? 0 : unready + 1;
      std::string why;
      if (stop) why = "the job is stopping";
      else if (!was_ready) why = "it never became ready";
      else if (child.journal_stopped) why = "its journal had stopped: a restart would lose the tasks it took since";
      else if (restarts >= cfg.max_restarts) why = "it was restarted " + std::to_string(restarts) + " times already (--restarts)";
      else if (unready >= kUnreadyDeathsInARow)
        why = "it died before it was ready again " + std::to_string(unready) + " times in a row";
      if (!why.empty()) {
        say(cfg.log_path, "compssd " + describe(status) + "; not restarting it: " + why);
        return 128 + WTERMSIG(status);
      }
      ++restarts;
      say(cfg.log_path, "compssd " + describe(status) + "; restarting it (" + std::to_string(restarts) + " of at most " +
                            std::to_string(cfg.max_restarts) + ")");
      std::vector<std::string> args = cfg.argv;
      args.insert(args.end(), {"--reattach", std::to_string(restarts)});
      if (driver_ended) args.push_back("--driver-ended");
      child = start(exe, std::move(args), *secret, old_mask);
      if (child.pid < 0) {
        say(cfg.log_path, std::string("cannot start compssd again: ") + std::strerror(errno));
        return 1;
      }
    }
  }
}

}  // namespace compss::daemon
