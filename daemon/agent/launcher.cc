// launcher.cc - creating the launcher, starting and killing tasks (reaping and reports: launcher_reap.cc).
#include "daemon/agent/launcher.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "daemon/agent/child.h"
#include "daemon/agent/launcher_running.h"
#include "daemon/agent/task_env.h"

namespace compss::agent {

namespace {

struct Pipe {
  int read = -1;
  int write = -1;
  ~Pipe() {
    if (read >= 0) close(read);
    if (write >= 0) close(write);
  }
  int take_read() { return std::exchange(read, -1); }
};

Status open_pipe(Pipe& p, const char* what) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return fail("cannot create the ", what, " pipe: ", std::strerror(errno));
  p.read = fds[0];
  p.write = fds[1];
  return ok_status();
}

Status prepare_output_dir(const LauncherConfig& config) {
  if (config.node_name.empty() || config.node_name.find('/') != std::string::npos) {
    return fail("bad node name '", config.node_name, "' for the output stream file");
  }
  if (config.output_limit == 0) return fail("the output limit must be at least one byte");
  std::error_code ec;
  std::filesystem::create_directories(config.output_dir, ec);
  if (ec) return fail("cannot create the output directory ", config.output_dir, ": ", ec.message());
  if (access(config.output_dir.c_str(), W_OK | X_OK) != 0) {
    return fail("the output directory ", config.output_dir, " is not writable: ", std::strerror(errno));
  }
  return ok_status();
}

}  // namespace

Launcher::Running::~Running() {
  if (failure_fd >= 0) close(failure_fd);
}

namespace {

constexpr std::size_t kChildStack = 128 * 1024;

struct ChildArgs {
  const ExecPlan* plan;
  int stdin_fd, output_fd, failure_fd;
};

int child_main(void* p) {
  const auto* a = static_cast<const ChildArgs*>(p);
  a->plan->run_in_child(a->stdin_fd, a->output_fd, a->failure_fd);
}

}  // namespace

// The child: cloned with CLONE_VM | CLONE_VFORK (the agent's thread waits until it execs or exits, so one
// stack serves every launch), or forked where the kernel refuses that.
pid_t Launcher::spawn(const ExecPlan& plan, int output_fd, int failure_fd) {
  ChildArgs args{&plan, devnull_, output_fd, failure_fd};
  if (clone_vm_) {
    if (!child_stack_) child_stack_ = std::make_unique<char[]>(kChildStack);
    const pid_t pid = ::clone(child_main, child_stack_.get() + kChildStack, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
    if (pid >= 0 || (errno != EINVAL && errno != ENOSYS)) return pid;
    clone_vm_ = false;
  }
  const pid_t pid = ::fork();
  if (pid == 0) plan.run_in_child(devnull_, output_fd, failure_fd);
  return pid;
}

Result<std::unique_ptr<Launcher>> Launcher::create(boost::asio::io_context& io, NodeTopology topology,
                                                   LauncherConfig config) {
  if (auto st = prepare_output_dir(config); !st) return st.error();
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull < 0) return fail("cannot open /dev/null: ", std::strerror(errno));
  std::unique_ptr<Launcher> launcher;
  try {
    // Asio reports a failure to install the SIGCHLD handler by throwing; it stops here.
    launcher.reset(new Launcher(io, std::move(topology), std::move(config), devnull));
  } catch (const std::exception& e) {
    close(devnull);
    return fail("cannot watch SIGCHLD for the launcher: ", e.what());
  }
  launcher->watch_children();
  return launcher;
}

Launcher::Launcher(boost::asio::io_context& io, NodeTopology topology, LauncherConfig config, int devnull)
    : io_(io),
      topology_(std::move(topology)),
      config_(std::move(config)),
      devnull_(devnull),
      sigchld_(io, SIGCHLD),
      memory_timer_(io),
      stream_(config_.output_dir + "/" + config_.node_name + ".out") {}

Launcher::~Launcher() {
  life_.reset();
  for (auto& [id, r] : tasks_) {
    if (r->reaped) continue;
    killpg(r->pid, SIGKILL);
    while (waitpid(r->pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  close(devnull_);
}

Status Launcher::check_request(const LaunchSpec& spec) const {
  if (!spec.task.valid()) return fail("a task to launch needs a task id");
  if (spec.argv.empty() || spec.argv[0].empty()) return fail("task ", spec.task.str(), " has no command");
  if (tasks_.count(spec.task) != 0) return fail("task ", spec.task.str(), " is already running on this node");
  for (GpuIndex gpu : spec.gpus) {
    bool known = std::any_of(topology_.gpus.begin(), topology_.gpus.end(),
                             [&](const GpuDesc& g) { return g.index == gpu; });
    if (!known) return fail("GPU ", std::to_string(gpu), " is not on this node (", std::to_string(topology_.gpus.size()),
                            " GPUs)");
  }
  return ok_status();
}

Result<pid_t> Launcher::start(const LaunchSpec& spec) {
  if (auto st = check_request(spec); !st) return st.error();
  std::uint64_t t = LaunchProfile::now_ns();
  auto cpus = CpuSet::for_cores(topology_, spec.cores);
  if (!cpus) return fail("task ", spec.task.str(), ": ", cpus.error().message);
  ExecPlan plan(spec, *cpus, build_task_env(spec));
  profile_.add(LaunchProfile::kPlan, t);
  t = LaunchProfile::now_ns();
  Pipe out, failure;
  if (auto st = open_pipe(out, "output"); !st) return st.error();
  if (auto st = open_pipe(failure, "launch status"); !st) return st.error();
  profile_.add(LaunchProfile::kPipes, t);

  std::string spill = config_.output_dir + "/task-" + spec.task.str() + "." + std::to_string(spec.attempt) + ".out";
  auto r = std::make_shared<Running>(io_, spec, std::move(*cpus), std::move(spill), config_.output_limit);

  // With every signal blocked across fork, no agent handler can run in the child before it resets them.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  r->started = std::chrono::steady_clock::now();
  t = LaunchProfile::now_ns();
  pid_t pid = spawn(plan, out.write, failure.write);
  int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  profile_.add(LaunchProfile::kSpawn, t);
  if (pid < 0) return fail("cannot fork task ", spec.task.str(), ": ", std::strerror(fork_errno));
  t = LaunchProfile::now_ns();
  profile_.launched();

  // Also here, so that kill() finds the group even before the child has run.
  setpgid(pid, pid);
  r->pid = pid;
  boost::system::error_code ec;
  r->out.assign(out.read, ec);
  if (ec) {
    killpg(pid, SIGKILL);
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    return fail("cannot watch the output of task ", spec.task.str(), ": ", ec.message());
  }
  out.take_read();
  r->failure_fd = failure.take_read();
  tasks_.emplace(spec.task, r);
  read_output(r);
  if (spec.memory_bytes > 0 && !memory_watch_) watch_memory();
  if (on_started_) on_started_(spec.task, spec.attempt, pid);
  profile_.add(LaunchProfile::kWatch, t);
  return pid;
}

Status Launcher::kill(TaskId task, int signal, std::chrono::milliseconds grace) {
  auto it = tasks_.find(task);
  if (it == tasks_.end() || it->second->reaped) return fail("task ", task.str(), " is not running on this node");
  std::shared_ptr<Running> r = it->second;
  if (killpg(r->pid, signal) != 0 && errno != ESRCH) {
    return fail("cannot signal task ", task.str(), " (process group ", std::to_string(r->pid), "): ",
                std::strerror(errno));
  }
  r->killed = true;
  if (signal == SIGKILL || grace.count() <= 0) return ok_status();
  r->kill_timer.expires_after(grace);
  r->kill_timer.async_wait([r, life = std::weak_ptr<int>(life_)](const boost::system::error_code& ec) {
    if (ec || life.expired() || r->reaped) return;
    killpg(r->pid, SIGKILL);
  });
  return ok_status();
}

void Launcher::kill_all(int signal, std::chrono::milliseconds grace) {
  for (auto& [id, r] : tasks_) {
    if (!r->reaped) (void)kill(id, signal, grace);
  }
}

bool Launcher::holds(TaskId task) const {
  return tasks_.count(task) != 0;
}

bool Launcher::is_running(TaskId task) const {
  auto it = tasks_.find(task);
  return it != tasks_.end() && !it->second->reaped;
}

std::size_t Launcher::running() const {
  return static_cast<std::size_t>(
      std::count_if(tasks_.begin(), tasks_.end(), [](const auto& kv) { return !kv.second->reaped; }));
}

std::vector<RunningInfo> Launcher::unfinished() const {
  std::vector<RunningInfo> out;
  for (const auto& [task, r] : tasks_)
    if (!r->finished) out.push_back(RunningInfo{task, r->spec.attempt, r->pid, r->spec.cores, r->spec.gpus});
  return out;
}

}  // namespace compss::agent
