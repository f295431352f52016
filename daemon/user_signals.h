// user_signals.h - SIGUSR1/SIGUSR2 for compssd, with who sent them (common/util/driver_signal.h).
//
// A handler with SA_SIGINFO writes each signal's number and whether it carried kDriverEndedSignalValue
// into a pipe; the io_context reads the pipe and calls the owner's function on its own thread.
//
//   UserSignals sig(io, [](int signo, bool driver_ended) { ... });
//   sig.start();   // installs the handlers, then unblocks SIGUSR1/SIGUSR2 (blocked by the supervisor
//                  // until now); the destructor puts the default ones back
//
// Failure: start() returns an error when the pipe or the handlers cannot be set up.
// Thread-safety: one instance per process; the callback runs on the io_context's thread.
#pragma once

#include <utility>  // before Asio: Boost 1.74's Asio needs it under C++20

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>

#include "common/util/result.h"

namespace compss::daemon {

class UserSignals {
 public:
  using Fn = std::function<void(int signo, bool driver_ended)>;
  UserSignals(boost::asio::io_context& io, Fn fn) : pipe_(io), fn_(std::move(fn)) {}
  ~UserSignals();
  UserSignals(const UserSignals&) = delete;
  UserSignals& operator=(const UserSignals&) = delete;

  Status start();
  void stop();

 private:
  void read_next();

  boost::asio::posix::stream_descriptor pipe_;
  Fn fn_;
  std::array<int, 2> rec_{};
  int write_fd_ = -1;
  bool installed_ = false;
};

}  // namespace compss::daemon
