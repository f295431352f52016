// launcher_reap.cc - reading task output, reaping tasks, their exit statuses in words, and reporting them (see
// launcher.h).
#include <dirent.h>
#include <signal.h>
#include <string.h>  // sigabbrev_np
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "daemon/agent/child.h"
#include "daemon/agent/launcher_running.h"

namespace compss::agent {

std::string ExitStatus::str() const {
  if (kind == Kind::kExited) return std::to_string(code);
  const char* abbrev = sigabbrev_np(code);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(code);
}

namespace {

std::chrono::microseconds micros(const timeval& tv) {
  return std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
}

// The child's ChildFailure, when it wrote one before exec (the pipe is at its end by now).
std::optional<ChildFailure> read_failure(int fd) {
  ChildFailure f;
  ssize_t n;
  do {
    n = read(fd, &f, sizeof f);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof f)) return std::nullopt;
  return f;
}

ExitStatus exit_status(int status) {
  if (WIFSIGNALED(status)) return {ExitStatus::Kind::kSignaled, WTERMSIG(status)};
  return {ExitStatus::Kind::kExited, WEXITSTATUS(status)};
}

std::string reason_for(const TaskResult& res) {
  if (res.killed) return "killed on request (ended by " + res.exit.str() + ")";
  if (res.exit.kind == ExitStatus::Kind::kSignaled) return "killed by " + res.exit.str();
  if (res.exit.code != 0) return "exited with status " + std::to_string(res.exit.code);
  return "";
}

}  // namespace

void Launcher::watch_children() {
  sigchld_.async_wait([this, life = std::weak_ptr<int>(life_)](const boost::system::error_code& ec, int) {
    if (ec || life.expired()) return;
    reap();
    watch_children();
  });
}

void Launcher::reap() {
  const std::uint64_t t = LaunchProfile::now_ns();
  std::vector<std::shared_ptr<Running>> ended;
  for (auto& [id, r] : tasks_) {
    if (r->reaped) continue;
    pid_t got = wait4(r->pid, &r->wait_status, WNOHANG, &r->usage);
    if (got == 0 || (got < 0 && errno == EINTR)) continue;
    r->status_lost = got < 0;  // ECHILD: something else in this process waited for it
    r->reaped = true;
    r->ended = std::chrono::steady_clock::now();
    ended.push_back(r);
  }
  profile_.add(LaunchProfile::kReap, t);
  for (auto& r : ended) on_exit(r);
}

void Launcher::on_exit(const std::shared_ptr<Running>& r) {
  // Whatever the task left in its group goes with it; the group id cannot have been reused yet,
  // since its leader was only just reaped by us.
  killpg(r->pid, SIGKILL);
  r->kill_timer.cancel();
  if (r->output_done) {
    maybe_finish(r);
    return;
  }
  // A process that left the group (setsid) may hold the pipe open: wait for it a little, then give up.
  r->drain_timer.expires_after(config_.drain_timeout);
  r->drain_timer.async_wait([r, life = std::weak_ptr<int>(life_)](const boost::system::error_code& ec) {
    if (ec || life.expired() || r->output_done) return;
    boost::system::error_code ignored;
    r->out.close(ignored);  // the pending read ends with operation_aborted and finishes the task
  });
}

void Launcher::read_output(const std::shared_ptr<Running>& r) {
  r->out.async_read_some(boost::asio::buffer(r->buf), [this, r, life = std::weak_ptr<int>(life_)](
                                                          const boost::system::error_code& ec, std::size_t n) {
    if (life.expired()) return;
    if (n > 0) r->output.append(r->buf.data(), n);
    if (ec) {
      r->output_done = true;  // end of file, or given up on after the drain timeout
      maybe_finish(r);
      return;
    }
    read_output(r);
  });
}

void Launcher::maybe_finish(const std::shared_ptr<Running>& r) {
  if (!r->reaped || !r->output_done || r->finished) return;
  r->finished = true;
  const std::uint64_t t = LaunchProfile::now_ns();
  r->drain_timer.cancel();
  TaskResult result = make_result(*r);
  tasks_.erase(r->spec.task);
  if (on_finished_) on_finished_(result);
  profile_.add(LaunchProfile::kFinish, t);
}

TaskResult Launcher::make_result(Running& r) {
  TaskResult res;
  res.task = r.spec.task;
  res.attempt = r.spec.attempt;
  res.pid = r.pid;
  res.killed = r.killed;
  res.out_of_memory = r.over_memory;
  res.wall = r.ended - r.started;
  if (r.status_lost) {
    res.exit = {ExitStatus::Kind::kExited, -1};
    res.reason = "the task's exit status was lost: another part of the agent waited for its process";
  } else {
    res.exit = exit_status(r.wait_status);
    res.user_cpu = micros(r.usage.ru_utime);
    res.system_cpu = micros(r.usage.ru_stime);
    res.max_rss_bytes = static_cast<std::uint64_t>(r.usage.ru_maxrss) * 1024;  // Linux counts KiB
    if (auto failure = read_failure(r.failure_fd)) {
      res.launch_failed = true;
      res.reason = describe_failure(*failure, r.spec, r.cpus);
    } else if (r.over_memory) {
      res.reason = "out of memory: its processes used " + std::to_string(r.rss_seen >> 20) + " MiB, above the " +
                   std::to_string(r.spec.memory_bytes >> 20) + " MiB it asked for (killed by the agent)";
    } else {
      res.reason = reason_for(res);
    }
  }
  r.output.close();
  res.output = stream_.append(record_header(r.spec.task, r.spec.attempt, r.spec.name, res.exit), r.output);
  return res;
}

// A task's memory request is a limit: the resident size of its whole process group (children included),
// read from /proc every 500 ms, may not exceed it. Without a cgroup of its own to give each task, this is
// the agent's way to keep one task from taking the memory the others on the node were promised; a burst
// shorter than the period can pass.
void Launcher::watch_memory() {
  std::unordered_map<pid_t, std::shared_ptr<Running>> limited;  // by process group
  for (auto& [id, r] : tasks_)
    if (r->spec.memory_bytes > 0 && !r->reaped && !r->over_memory) limited.emplace(r->pid, r);
  memory_watch_ = !limited.empty();
  if (!memory_watch_) return;
  std::unordered_map<pid_t, std::uint64_t> rss;
  static const long page = ::sysconf(_SC_PAGESIZE);
  if (DIR* d = ::opendir("/proc")) {
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      std::ifstream in(std::string("/proc/") + e->d_name + "/stat");
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const auto close = text.rfind(')');
      if (close == std::string::npos) continue;
      // After the command: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
      // cutime cstime priority nice threads itrealvalue starttime vsize rss
      std::istringstream rest(text.substr(close + 2));
      std::string field;
      long pgrp = 0;
      std::uint64_t pages = 0;
      rest >> field >> field >> pgrp;
      if (limited.find(static_cast<pid_t>(pgrp)) == limited.end()) continue;
      for (int i = 0; i < 18; ++i) rest >> field;  // session .. vsize
      if (rest >> pages) rss[static_cast<pid_t>(pgrp)] += pages * static_cast<std::uint64_t>(page);
    }
    ::closedir(d);
  }
  for (auto& [pgid, r] : limited) {
    const std::uint64_t used = rss[pgid];
    r->rss_seen = std::max(r->rss_seen, used);
    if (used <= r->spec.memory_bytes) continue;
    r->over_memory = true;
    r->killed = true;
    killpg(pgid, SIGKILL);
  }
  memory_timer_.expires_after(std::chrono::milliseconds(500));
  memory_timer_.async_wait([this, life = std::weak_ptr<int>(life_)](const boost::system::error_code& ec) {
    if (ec || life.expired()) return;
    watch_memory();
  });
}

}  // namespace compss::agent
