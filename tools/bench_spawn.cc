// bench_spawn.cc - compss-spawn-ceiling: the machine's ceiling for process tasks, the baseline of the
// end-to-end task rate (issue: e2e no-op tasks/s at least 0.7x this, measured in the same run).
//
//   compss-spawn-ceiling CHILDREN TASKS [COMMAND [ARG...]]
//
// posix_spawn()s COMMAND (default /bin/true) TASKS times, keeping CHILDREN of them running at once (as many
// as the cores the runtime's agents offer), reaping each with waitpid(); prints `TASKS SECONDS RATE` on one
// line. Nothing else runs: no pipes, no binding, no accounting. A child that fails is an error (exit 1).
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

namespace {

long positive(const char* what, const char* text) {
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v <= 0) {
    std::fprintf(stderr, "compss-spawn-ceiling: %s '%s': expected a positive integer\n", what, text);
    std::exit(2);
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: compss-spawn-ceiling CHILDREN TASKS [COMMAND [ARG...]]\n");
    return 2;
  }
  long children = positive("CHILDREN", argv[1]);
  long tasks = positive("TASKS", argv[2]);
  std::vector<char*> cmd;
  static char kTrue[] = "/bin/true";
  if (argc > 3)
    cmd.assign(argv + 3, argv + argc);
  else
    cmd.push_back(kTrue);
  cmd.push_back(nullptr);

  auto t0 = std::chrono::steady_clock::now();
  long started = 0, done = 0, running = 0;
  while (done < tasks) {
    while (running < children && started < tasks) {
      pid_t pid;
      int rc = posix_spawnp(&pid, cmd[0], nullptr, nullptr, cmd.data(), environ);
      if (rc != 0) {
        std::fprintf(stderr, "compss-spawn-ceiling: cannot start %s: %s\n", cmd[0], std::strerror(rc));
        return 1;
      }
      ++started;
      ++running;
    }
    int status;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      std::perror("compss-spawn-ceiling: waitpid");
      return 1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::fprintf(stderr, "compss-spawn-ceiling: %s failed (wait status %d)\n", cmd[0], status);
      return 1;
    }
    --running;
    ++done;
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%ld %.6f %.1f\n", tasks, s, tasks / s);
  return 0;
}
