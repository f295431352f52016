// file_size_limit.h - a full disk for unit tests, without root: while a FileSizeLimit lives, a write that
// would take a regular file past `bytes` writes up to the limit, then fails with EFBIG, as a write to a
// full disk fails with ENOSPC (RLIMIT_FSIZE, with SIGXFSZ ignored so that the write fails instead of
// killing the process). Both are put back when it goes.
//
//   FileSizeLimit full(64 * 1024);
//   if (!full.ok()) SKIP(full.why());   // Catch2 v2 has no SKIP: WARN and return instead
//
// The limit holds for every file the process writes, the test's own log included: keep the scope to the
// writes under test and make the checks after it.
// Thread-safety: one test at a time (process-wide settings).
#pragma once

#include <signal.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace compss::test {

class FileSizeLimit {
 public:
  explicit FileSizeLimit(std::uint64_t bytes) {
    if (::getrlimit(RLIMIT_FSIZE, &old_) != 0) {
      why_ = std::string("getrlimit(RLIMIT_FSIZE): ") + std::strerror(errno);
      return;
    }
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    if (::sigaction(SIGXFSZ, &ignore, &old_action_) != 0) {
      why_ = std::string("cannot ignore SIGXFSZ: ") + std::strerror(errno);
      return;
    }
    rlimit lim = old_;
    lim.rlim_cur = static_cast<rlim_t>(bytes);
    if (old_.rlim_max != RLIM_INFINITY && lim.rlim_cur > old_.rlim_max) lim.rlim_cur = old_.rlim_max;
    if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) {
      why_ = std::string("setrlimit(RLIMIT_FSIZE): ") + std::strerror(errno);
      ::sigaction(SIGXFSZ, &old_action_, nullptr);
      return;
    }
    set_ = true;
  }
  ~FileSizeLimit() { lift(); }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

  // Puts the old limit and SIGXFSZ's old action back (also done by the destructor).
  void lift() {
    if (!set_) return;
    ::setrlimit(RLIMIT_FSIZE, &old_);
    ::sigaction(SIGXFSZ, &old_action_, nullptr);
    set_ = false;
  }
  bool ok() const { return set_; }
  // Why no full disk could be made: the test says it is skipped, with this.
  std::string why() const { return "skipped: no full disk for this test (" + why_ + ")"; }

 private:
  rlimit old_{};
  struct sigaction old_action_ {};
  bool set_ = false;
  std::string why_;
};

}  // namespace compss::test
