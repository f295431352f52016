#include "spank-plugin/daemon_launch.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "common/util/spawn.h"

namespace compss::spank {
namespace {

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("was killed by signal ") + ::strsignal(WTERMSIG(status));
  return "stopped";
}

// Reads until "ready\n", EOF or the deadline. Returns 1 ready, 0 EOF, -1 time out.
int wait_ready(int fd, unsigned timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  std::string got;
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return -1;
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return r == 0 ? -1 : 0;
    char buf[64];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    got.append(buf, static_cast<std::size_t>(n));
    if (got.find("ready\n") != std::string::npos) return 1;
  }
}

void kill_group(pid_t pid) {
  ::kill(-pid, SIGKILL);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

}  // namespace

Result<pid_t> start_compssd(const DaemonLaunch& l) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return fail("spank_compss: pipe: ", std::strerror(errno));
  // Only the write end goes to compssd; it must survive exec there (no FD_CLOEXEC on the copy).
  const int ready_w = ::fcntl(fds[1], F_DUPFD, 3);
  ::close(fds[1]);
  SpawnSpec s;
  s.argv = {l.compssd, "--job-dir", l.job_dir, "--ready-fd", std::to_string(ready_w)};
  if (!l.options.empty()) s.argv.insert(s.argv.end(), {"--options", l.options});
  if (!l.socket.empty()) s.argv.insert(s.argv.end(), {"--socket", l.socket});
  if (l.restarts) s.argv.insert(s.argv.end(), {"--restarts", std::to_string(l.restarts)});
  s.env = l.env;
  s.who = "spank_compss";
  const auto spawned = spawn_process(s);
  ::close(ready_w);
  if (!spawned) {
    ::close(fds[0]);
    return fail("spank_compss: ", spawned.error().message);
  }
  const pid_t pid = *spawned;
  const int r = wait_ready(fds[0], l.ready_timeout_s);
  ::close(fds[0]);
  if (r == 1) return pid;
  const std::string log = l.job_dir + "/compssd.log";
  if (r == -1) {
    kill_group(pid);
    return fail("spank_compss: ", l.compssd, " did not report ready within ", std::to_string(l.ready_timeout_s),
                " s (plugstack ready_timeout); killed it; see ", log);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return fail("spank_compss: ", l.compssd, " ended before it was ready");
  return fail("spank_compss: ", l.compssd, " ", describe_exit(status), " before it was ready; see ", log,
              " and the job's output");
}

std::string resolve_compssd(const std::string& site_path, const std::string& path_var) {
  if (::access(site_path.c_str(), X_OK) == 0) return site_path;
  std::size_t start = 0;
  while (start <= path_var.size()) {
    const std::size_t end = std::min(path_var.find(':', start), path_var.size());
    const std::string dir = path_var.substr(start, end - start);
    // Only absolute entries: a relative one would depend on the directory the job happens to start in.
    if (!dir.empty() && dir.front() == '/') {
      const std::string candidate = dir + "/compssd";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = end + 1;
  }
  return site_path;
}

Result<std::vector<std::string>> read_env_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail("spank_compss: cannot read ", path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (line.rfind("COMPSS_", 0) == 0 && line.find('=') != std::string::npos) out.push_back(line);
  if (out.empty()) return fail("spank_compss: ", path, " names no COMPSS_ variable");
  return out;
}

Result<std::vector<std::string>> wait_env_file(const std::string& path, unsigned timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto complete = [](const std::vector<std::string>& lines) {
    int found = 0;
    for (const auto& l : lines)
      for (const char* k : {"COMPSS_SOCKET=", "COMPSS_ADDRESS=", "COMPSS_JOB_DIR="})
        if (l.rfind(k, 0) == 0 && l.size() > std::strlen(k)) ++found;
    return found == 3;
  };
  for (;;) {
    auto lines = read_env_file(path);
    if (lines && complete(*lines)) return lines;  // written in one go, but read it whole before trusting it
    if (std::chrono::steady_clock::now() >= deadline)
      return fail("spank_compss: ", path, " did not appear within ", std::to_string(timeout_ms / 1000),
                  " s (the step's task 0 starts the runtime; is the job directory shared by the nodes?)");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace compss::spank
