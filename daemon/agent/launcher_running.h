// launcher_running.h - the launcher's record of one task between fork and its report (internal to the
// launcher: launcher.cc starts and kills, launcher_reap.cc reaps and reports).
// Thread-safety: the io_context's thread only.
#pragma once

#include <utility>  // before Asio: Boost 1.74's Asio needs it under C++20

#include <sys/resource.h>

#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

#include "daemon/agent/binding.h"
#include "daemon/agent/launcher.h"

namespace compss::agent {

struct Launcher::Running {
  Running(boost::asio::io_context& io, const LaunchSpec& s, CpuSet c, std::string spill_path, std::size_t limit)
      : spec(s), cpus(std::move(c)), out(io), output(std::move(spill_path), limit),
        kill_timer(io), drain_timer(io) {}
  ~Running();

  LaunchSpec spec;
  CpuSet cpus;
  pid_t pid = -1;
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point ended;

  boost::asio::posix::stream_descriptor out;  // read end of the task's stdout+stderr pipe
  int failure_fd = -1;                        // read end of the child's failure pipe
  std::array<char, 16384> buf{};
  TaskOutput output;

  boost::asio::steady_timer kill_timer;
  boost::asio::steady_timer drain_timer;

  bool killed = false;
  bool over_memory = false;  // killed by the memory watch
  std::uint64_t rss_seen = 0;  // the largest resident size the watch saw for the group (bytes)
  bool reaped = false;       // the main process has been waited for
  bool status_lost = false;  // someone else reaped it
  bool output_done = false;  // the output pipe reached its end (or was given up on)
  bool finished = false;     // reported
  int wait_status = 0;
  struct rusage usage{};
};

}  // namespace compss::agent
