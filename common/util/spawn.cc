#include "common/util/spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace compss {
namespace {

std::string key_of(const std::string& kv) { return kv.substr(0, kv.find('=')); }

// After fork, before exec: only async-signal-safe calls.
[[noreturn]] void exec_child(char* const* argv, char* const* envp, int out_fd, const std::string& exec_error) {
  ::setpgid(0, 0);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0 && devnull != 0) {
    ::dup2(devnull, 0);
    ::close(devnull);
  }
  if (out_fd >= 0) {  // O_CLOEXEC: the copies on 1 and 2 survive exec, the original does not
    ::dup2(out_fd, 1);
    ::dup2(out_fd, 2);
  }
  ::execvpe(argv[0], argv, envp);
  const char* why = std::strerror(errno);
  (void)!::write(2, exec_error.data(), exec_error.size());
  (void)!::write(2, why, std::strlen(why));
  (void)!::write(2, "\n", 1);
  ::_exit(127);
}

}  // namespace

Result<pid_t> spawn_process(const SpawnSpec& spec) {
  if (spec.argv.empty()) return fail("spawn: no command");
  // Everything the child needs is built before fork: it may not allocate.
  std::vector<std::string> args = spec.argv, env = spec.env;
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string exec_error = spec.who + ": cannot execute " + spec.argv[0] + ": ";
  int out_fd = -1;
  if (!spec.output.empty()) {
    out_fd = ::open(spec.output.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (out_fd < 0) return fail("cannot open ", spec.output, ": ", std::strerror(errno));
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    if (out_fd >= 0) ::close(out_fd);
    return fail("fork failed: ", std::strerror(err));
  }
  if (pid == 0) exec_child(argv.data(), envp.data(), out_fd, exec_error);
  ::setpgid(pid, pid);  // both sides set it: whichever runs first, the group exists before anyone signals it
  if (out_fd >= 0) ::close(out_fd);
  return pid;
}

std::vector<std::string> current_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  return env;
}

std::vector<std::string> env_with(std::vector<std::string> env, const std::vector<std::string>& set,
                                  const std::vector<std::string>& drop) {
  std::erase_if(env, [&](const std::string& kv) {
    const std::string k = key_of(kv);
    return std::find(drop.begin(), drop.end(), k) != drop.end() ||
           std::any_of(set.begin(), set.end(), [&](const std::string& s) { return key_of(s) == k; });
  });
  env.insert(env.end(), set.begin(), set.end());
  return env;
}

}  // namespace compss
