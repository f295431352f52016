#include "daemon/user_signals.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <boost/asio/read.hpp>
#include <cerrno>
#include <cstring>

#include "common/util/driver_signal.h"

namespace compss::daemon {

namespace {

int g_write_fd = -1;

void on_user_signal(int signo, siginfo_t* si, void*) {
  const int saved = errno;
  int rec[2] = {signo, si && si->si_code == SI_QUEUE && si->si_value.sival_int == kDriverEndedSignalValue ? 1 : 0};
  if (g_write_fd >= 0) (void)!::write(g_write_fd, rec, sizeof rec);  // under PIPE_BUF: atomic
  errno = saved;
}

}  // namespace

Status UserSignals::start() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return fail("cannot make a pipe for signals: ", std::strerror(errno));
  // The reading end blocks for Asio's reads to complete whole records; the writing end never blocks
  // the handler (a full pipe drops the signal: thousands of them pending mean the same as one).
  ::fcntl(fds[0], F_SETFL, 0);
  write_fd_ = fds[1];
  g_write_fd = fds[1];
  pipe_.assign(fds[0]);
  struct sigaction sa {};
  sa.sa_sigaction = on_user_signal;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  if (::sigaction(SIGUSR1, &sa, nullptr) != 0 || ::sigaction(SIGUSR2, &sa, nullptr) != 0)
    return fail("cannot handle SIGUSR1/SIGUSR2: ", std::strerror(errno));
  installed_ = true;
  // Under the supervisor they arrive blocked (supervisor.cc): what came meanwhile is delivered now.
  sigset_t usr;
  sigemptyset(&usr);
  sigaddset(&usr, SIGUSR1);
  sigaddset(&usr, SIGUSR2);
  ::pthread_sigmask(SIG_UNBLOCK, &usr, nullptr);
  read_next();
  return {};
}

void UserSignals::read_next() {
  boost::asio::async_read(pipe_, boost::asio::buffer(rec_), [this](const boost::system::error_code& ec, std::size_t) {
    if (ec) return;
    fn_(rec_[0], rec_[1] != 0);
    read_next();
  });
}

void UserSignals::stop() {
  if (installed_) {
    // Ignored, not defaulted: a late SIGUSR1 from SLURM must not kill a daemon that is writing its summary.
    ::signal(SIGUSR1, SIG_IGN);
    ::signal(SIGUSR2, SIG_IGN);
    installed_ = false;
  }
  boost::system::error_code ec;
  pipe_.close(ec);
  g_write_fd = -1;
  if (write_fd_ >= 0) ::close(write_fd_);
  write_fd_ = -1;
}

UserSignals::~UserSignals() {
  stop();
}

}  // namespace compss::daemon
