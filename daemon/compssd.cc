// compssd - the per-job daemon: composes the Runtime, the Server and the agents (doc/architecture.md).
//
// Start-up: job directory and secret, listen (Unix socket + TCP), write <job-dir>/env, start the agents,
// wait until they registered (or --agent-timeout), then signal readiness (--ready-fd) and, with --exec, run
// the driver command with COMPSS_* in its environment. When the driver exits (or on `compss` shutdown), the
// daemon finishes the tasks there are (the implicit final barrier), stops the agents, writes the summary to
// <job-dir>/summary.txt and to its standard output, and exits. SIGUSR1 means the same as the driver's end
// (the SPANK plugin sends it when the batch script ends). SIGTERM/SIGINT: kill running tasks, same end.
// The journal (<job-dir>/journal.db, doc/spec/journal.md) records the run unless --no-journal; with
// --compss=resume=DIR (or --resume DIR) the tasks DIR's journal had done are not run again. A resume
// DIR without a readable journal stops compssd before anything starts.
// Exit status: the driver's when it failed, else 1 when the run failed, else 0; 2 for a usage error.
#include <fcntl.h>
#include <netdb.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>  // before Asio: Boost 1.74's Asio needs it under C++20

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "config.h"
#include "common/util/log.h"
#include "common/util/random.h"
#include "common/util/parse.h"
#include "common/util/runtime_options.h"
#include "daemon/agents.h"
#include "daemon/elastic.h"
#include "daemon/elastic_setup.h"
#include "daemon/job_dir.h"
#include "daemon/job_end.h"
#include "daemon/run_clock.h"
#include "daemon/runtime.h"
#include "daemon/server.h"
#include "daemon/site_yaml.h"
#include "daemon/supervisor.h"
#include "daemon/user_signals.h"

namespace asio = boost::asio;
namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace compss;
using namespace compss::daemon;

namespace {

struct Args {
  std::string job_dir, options, socket, launch, agent, nodelist, mpi = "auto", log_level = "info", connector;
  std::string resume;       // --resume DIR: as --compss=resume=DIR, and before it
  bool no_journal = false;  // --no-journal: the benchmarks' baseline
  double grow_timeout_s = 60;
  std::uint32_t grow_in_flight = 256, grow_request_nodes = 64;
  std::string grow_forecast = "on";
  std::uint16_t port = 0;
  std::uint32_t local_agents = 2, expect = 0, agent_timeout_s = 60, heartbeat_s = 10;
  int ready_fd = -1;
  std::vector<std::string> exec;
  unsigned restarts = 0;  // --restarts N: run under the supervisor (supervisor.h)
  unsigned reattach = 0;  // --reattach K: the K-th restart of this job's compssd (the supervisor's)
  int secret_fd = -1;     // --secret-fd: the job's secret from the supervisor
  std::string job_id;     // --job-id: the supervisor's job id (outside SLURM one of its own pid)
  bool driver_ended = false;
};

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

Result<Args> parse_args(int argc, char** argv) {
  Args a;
  po::options_description opts("compssd options");
  opts.add_options()("help,h", "show this help")(
      "job-dir", po::value(&a.job_dir), "job directory (default: $PWD/.compss/<job id>)")(
      "options", po::value(&a.options), "the --compss value: max-nodes=..,policy=..,...")(
      "socket", po::value(&a.socket), "Unix socket path (default: /tmp/compss-<uid>/<job id>/compssd.sock)")(
      "port", po::value(&a.port), "TCP port (default: any free port)")(
      "launch", po::value(&a.launch), "how agents start: srun, local or none (default: srun in a job, else local)")(
      "agent", po::value(&a.agent), "path of compss-agent (default: next to compssd)")(
      "nodes", po::value(&a.nodelist), "srun: nodes to start agents on (default: the whole allocation)")(
      "mpi", po::value(&a.mpi), "srun: the --mpi plugin of the agents' and MPI tasks' steps (default auto: pmix, else pmi2, as srun --mpi=list offers)")(
      "local-agents", po::value(&a.local_agents), "local: how many agents (default 2)")(
      "expect", po::value(&a.expect), "agents to wait for before ready (default: one per node)")(
      "agent-timeout", po::value(&a.agent_timeout_s), "seconds to wait for the agents (default 60)")(
      "heartbeat", po::value(&a.heartbeat_s), "agent heartbeat interval in seconds (default 10)")(
      "ready-fd", po::value(&a.ready_fd), "write 'ready' to this fd once the agents registered")(
      "log-level", po::value(&a.log_level), "debug, info, warn or error (default info)")(
      "connector", po::value(&a.connector), "site knobs of the SLURM connector: rpc-rate=2,retry-deadline=30s,...")(
      "grow-timeout", po::value(&a.grow_timeout_s), "seconds a grow request may stay pending (default 60)")(
      "grow-in-flight", po::value(&a.grow_in_flight), "nodes asked for and not yet joined, at most (default 256)")(
      "grow-request-nodes", po::value(&a.grow_request_nodes), "nodes one grow request asks for, at most (default 64)")(
      "grow-forecast", po::value(&a.grow_forecast),
      "on: ask SLURM when the nodes would start before asking for them (default); off: ask as the policy sized it")(
      "resume", po::value(&a.resume), "resume the run whose job directory is DIR (as --compss=resume=DIR)")(
      "no-journal", po::bool_switch(&a.no_journal),
      "write no journal (the benchmarks' baseline; a run without one cannot be resumed)")(
      "restarts", po::value(&a.restarts),
      "run under a supervisor that restarts a killed compssd up to N times (the SPANK plugin's way)")(
      "reattach", po::value(&a.reattach), "internal (the supervisor): restart K of this job's compssd")(
      "secret-fd", po::value(&a.secret_fd), "internal (the supervisor): read the job's secret from this fd")(
      "job-id", po::value(&a.job_id), "internal (the supervisor): the job's id, the same for every restart")(
      "driver-ended", po::bool_switch(&a.driver_ended), "internal (the supervisor): the job's driver ended")(
      "exec", po::value(&a.exec)->multitoken(), "run this driver command, then finish and exit");
  po::positional_options_description pos;
  pos.add("exec", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return fail("compssd: ", e.what(), " (see compssd --help)");
  }
  if (vm.count("help")) {
    std::cout << "usage: compssd [options] [--] [DRIVER ARGS...]\n" << opts;
    std::exit(0);
  }
  if (a.restarts && !a.exec.empty())
    return fail("compssd: --restarts needs a driver outside compssd (the batch script the SPANK plugin runs): "
                "a driver started by compssd would not survive it");
  if (a.restarts && a.no_journal) return fail("compssd: --restarts needs the journal (not --no-journal)");
  if (a.grow_forecast != "on" && a.grow_forecast != "off")
    return fail("compssd: --grow-forecast ", a.grow_forecast, ": expected on or off");
  if (a.grow_in_flight == 0) return fail("compssd: --grow-in-flight 0: at least 1 node");
  if (a.grow_request_nodes == 0) return fail("compssd: --grow-request-nodes 0: at least 1 node");
  if (a.launch.empty()) a.launch = std::getenv("SLURM_JOB_ID") ? "srun" : "local";  // decided here, once
  if (a.launch != "srun" && a.launch != "local" && a.launch != "none")
    return fail("compssd: --launch ", a.launch, ": expected srun, local or none");
  return a;
}

std::string self_dir() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "." : p.parent_path().string();
}

// compss-agent next to compssd (an installation), else the one found in PATH.
std::string default_agent_path() {
  fs::path beside = fs::path(self_dir()) / "compss-agent";
  std::error_code ec;
  return fs::exists(beside, ec) ? beside.string() : "compss-agent";
}

// What `srun --mpi=list` prints (the site's MPI plugins); "" when it cannot run.
std::string srun_mpi_list() {
  std::string out;
  if (FILE* p = ::popen("srun --mpi=list 2>&1", "r")) {
    char buf[512];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

// The address agents and remote clients reach this node by, numeric, and the one TCP listens on: that of
// COMPSS_DAEMON_HOST, else of the host name, else the loopback address (one-host test clusters). Numeric,
// so that every node connects to the address the daemon listens on, whatever its resolver prefers.
std::string advertised_host() {
  std::string host = env_or("COMPSS_DAEMON_HOST", "");
  char name[256] = {};
  if (host.empty() && ::gethostname(name, sizeof name - 1) == 0 && name[0]) host = name;
  if (host.empty()) return "127.0.0.1";
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || !res) return "127.0.0.1";
  char ip[NI_MAXHOST] = {};
  int rc = ::getnameinfo(res->ai_addr, res->ai_addrlen, ip, sizeof ip, nullptr, 0, NI_NUMERICHOST);
  ::freeaddrinfo(res);
  return rc == 0 ? ip : "127.0.0.1";
}


// The secret the supervisor hands over on a pipe (supervisor.h); the pipe is closed after.
Result<std::string> read_secret(int fd) {
  std::string s;
  char buf[128];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    s.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (s.size() < 32) return fail("--secret-fd ", std::to_string(fd), " gave no secret");
  return s;
}

// The TCP port the killed compssd published in <job-dir>/env: a restart listens there again, where the
// agents come back to. 0 when it cannot be read.
std::uint16_t published_port(const fs::path& job_dir) {
  std::ifstream in(job_dir / "env");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("COMPSS_ADDRESS=", 0) != 0) continue;
    const auto colon = line.rfind(':');
    if (colon == std::string::npos) return 0;
    const long port = std::strtol(line.c_str() + colon + 1, nullptr, 10);
    return port > 0 && port < 65536 ? static_cast<std::uint16_t>(port) : 0;
  }
  return 0;
}

// The run, as a small state machine on the io_context: starting -> ready -> (driver) -> draining -> done.
class Daemon : public ElasticHost {
 public:
  Daemon(Args a, RuntimeConfig rc, std::string job, fs::path job_dir, ElasticSetup elastic)
      : args_(std::move(a)), job_(std::move(job)), job_dir_(std::move(job_dir)), runtime_(std::move(rc)),
        signals_(io_, SIGTERM, SIGINT), sigchld_(io_, SIGCHLD), usr_signals_(io_, [this](int signo, bool driver) { on_user_signal(signo, driver); }), timer_(io_),
        elastic_setup_(std::move(elastic)) {}

  int run();
  Runtime& runtime() { return runtime_; }

  // ElasticHost. The run's clock, which skips the time compssd did not run (run_clock.h).
  double now() const override { return clock_.read(); }
  // Started by the supervisor (which hands the secret over a pipe): its --ready-fd is the supervisor's.
  bool supervised() const { return args_.secret_fd >= 0; }
  Status start_agent(const std::string& node, std::uint32_t helper_job, const NodeShare& share) override;
  bool stop_agent(NodeId node, const std::string&, double) override { return runtime_.release_agent(node); }

 private:
  void changed();
  void tick();
  void on_signal(int sig);
  void wait_second_signal(double first);
  void on_user_signal(int signo, bool driver_ended);
  void reap();
  void become_ready(const std::string& how);
  void start_driver();
  void finish();
  Status start_agents(const std::string& address);
  void start_elastic();
  void start_job_end();

  Args args_;
  std::string job_;
  fs::path job_dir_;
  std::string secret_;
  asio::io_context io_;
  Runtime runtime_;
  std::unique_ptr<Server> server_;
  asio::signal_set signals_;
  asio::signal_set sigchld_;
  UserSignals usr_signals_;  // SIGUSR1 from the plugin: the job's driver ended; others: the job's own
  asio::steady_timer timer_;
  mutable RunClock clock_;
  std::vector<pid_t> agent_pids_;
  pid_t driver_ = -1;
  int driver_status_ = 0;
  bool pump_posted_ = false;
  bool ready_ = false;
  bool stopping_agents_ = false;
  double stop_sent_at_ = 0;
  bool done_ = false;
  std::uint32_t expected_agents_ = 0;
  AgentLaunch launch_;  // how the job's agents were started; grown nodes get theirs the same way
  ElasticSetup elastic_setup_;
  std::unique_ptr<ThreadWorker> worker_;
  std::unique_ptr<Elastic> elastic_;
  std::unique_ptr<ThreadWorker> job_end_worker_;  // the job's end time, read again once a minute
  std::unique_ptr<JobEndWatch> job_end_;
};

void Daemon::changed() {
  if (pump_posted_) return;
  pump_posted_ = true;
  asio::post(io_, [this] {
    pump_posted_ = false;
    runtime_.pump(now());
    if (!ready_ && runtime_.agents_connected() >= expected_agents_) become_ready("all agents registered");
  });
}

void Daemon::tick() {
  timer_.expires_after(std::chrono::milliseconds(500));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || done_) return;
    clock_.watch();  // pauses count from the first tick
    const double t = now();
    if (const double pause = clock_.take_paused(); pause > 0) {
      log::warn("compssd did not run for ", static_cast<int>(pause),
                " s (the job suspended, or this process or node stopped): that time is not counted against "
                "heartbeats and timeouts");
      runtime_.add_event(t, "compssd did not run for " + std::to_string(static_cast<int>(pause)) + " s (suspended?)");
    }
    runtime_.check_heartbeats(t);
    runtime_.pump(t);
    if (elastic_) elastic_->tick(t);
    if (job_end_) job_end_->tick(t);
    if (!ready_ && !runtime_.draining() && t > args_.agent_timeout_s) {
      if (runtime_.agents_connected() == 0) {
        log::error("no agent registered within ", args_.agent_timeout_s, " s; see ", (job_dir_ / "agents").string());
        std::cerr << "compssd: no agent registered within " << args_.agent_timeout_s << " s\n";
        runtime_.stop_now("no agent registered");
        driver_status_ = 1;
      } else {
        become_ready(std::to_string(runtime_.agents_connected()) + " of " + std::to_string(expected_agents_) +
                     " agents registered in time");
      }
    }
    if (runtime_.finished() && !stopping_agents_) {
      stopping_agents_ = true;
      stop_sent_at_ = t;
      runtime_.send_stop_to_agents(5);
    }
    if (stopping_agents_ && (runtime_.agents_connected() == 0 || t - stop_sent_at_ > 10)) {
      finish();
      return;
    }
    tick();
  });
}

// SIGUSR1 queued by the plugin: the driver ended. Any other SIGUSR1/SIGUSR2 (`#SBATCH --signal`, scancel
// --signal, the user) is for the job's programs: SLURM delivers it to every process of each step it
// signals, tasks included; the runtime notes it and carries on.
void Daemon::on_user_signal(int signo, bool driver_ended) {
  const char* name = signo == SIGUSR1 ? "USR1" : "USR2";
  if (signo == SIGUSR1 && driver_ended) {
    if (runtime_.draining()) return;
    runtime_.add_event(now(), "the job's driver ended: finishing the remaining tasks");
    runtime_.begin_drain("the job's driver ended");
  } else {
    const std::string text = std::string("SIG") + name + " received: not the runtime's; the run goes on";
    log::info(text);
    runtime_.add_event(now(), text);
  }
  changed();
}

void Daemon::on_signal(int sig) {
  runtime_.add_event(now(), std::string("signal ") + (sig == SIGTERM ? "TERM" : "INT") + ": stopping");
  if (driver_ > 0) ::kill(-driver_, SIGTERM);
  runtime_.stop_now(sig == SIGTERM ? "SIGTERM" : "SIGINT");
  changed();
  const double first = now();
  wait_second_signal(first);
}

// A second SIGTERM/SIGINT exits at once; one within 2 s of the first is the same signal delivered twice
// (SLURM signals every process of the step, and compssd's supervisor passes its copy on).
void Daemon::wait_second_signal(double first) {
  signals_.async_wait([this, first](const boost::system::error_code& ec, int s) {
    if (ec) return;
    if (now() - first < 2.0) return wait_second_signal(first);
    log::warn("second signal ", s, ": exiting at once");
    finish();
  });
}

void Daemon::reap() {
  sigchld_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;
    int status = 0;
    if (driver_ > 0 && ::waitpid(driver_, &status, WNOHANG) == driver_) {
      driver_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      driver_ = -1;
      runtime_.add_event(now(), "driver exited with status " + std::to_string(driver_status_) +
                                    ": finishing the remaining tasks");
      runtime_.begin_drain("the driver exited");
      changed();
    }
    const std::size_t before = agent_pids_.size();
    std::erase_if(agent_pids_, [](pid_t p) { return ::waitpid(p, nullptr, WNOHANG) == p; });
    // The agents' launch ended before any agent registered (srun refused, compss-agent missing): waiting
    // for the agent timeout would only delay the same failure.
    if (!ready_ && before > 0 && agent_pids_.empty() && runtime_.agents_connected() == 0) {
      log::error("the agents' launch ended before any agent registered; see ", (job_dir_ / "agents").string());
      std::cerr << "compssd: the agents could not start; see " << (job_dir_ / "agents").string() << "\n";
      runtime_.stop_now("no agent could start");  // not ready: the plugin and the driver never see a dead runtime
      driver_status_ = 1;
    }
    if (!done_) reap();
  });
}

void Daemon::become_ready(const std::string& how) {
  if (ready_) return;
  ready_ = true;
  runtime_.hold_placement(false, now());
  runtime_.add_event(now(), "ready: " + how);
  // Until the job's own agents registered the scheduler sees fewer nodes than the job has: no growth.
  if (elastic_) runtime_.attach_elasticity(elastic_.get());
  if (args_.ready_fd >= 0) {
    (void)!::write(args_.ready_fd, "ready\n", 6);
    if (!supervised()) ::close(args_.ready_fd);  // the supervisor's stays open: see on_journal_stopped
  }
  if (!args_.exec.empty() && !runtime_.draining()) start_driver();
}

void Daemon::start_driver() {
  std::vector<std::string> env{"COMPSS_SOCKET=" + server_->socket_path(),
                               "COMPSS_ADDRESS=" + advertised_host() + ":" + std::to_string(server_->tcp_port()),
                               "COMPSS_JOB_DIR=" + job_dir_.string(), "COMPSS_JOB=" + job_};
  auto pid = spawn(args_.exec, env, "");
  if (!pid) {
    log::error("cannot start the driver: ", pid.error().message);
    driver_status_ = 127;
    runtime_.begin_drain("the driver could not start");
    return;
  }
  driver_ = *pid;
  log::info("driver started: pid ", driver_);
}

void Daemon::finish() {
  if (done_) return;
  done_ = true;
  if (job_end_worker_) (void)job_end_worker_->stop(std::chrono::milliseconds(1000));
  runtime_.close_journal(now());
  std::string text = runtime_.summary(now());
  if (elastic_) {
    elastic_->shutdown(now());
    if (!worker_->stop(std::chrono::milliseconds(10000)))
      log::warn("the SLURM connector was still busy 10 s after the run ended; not waiting for it");
    text += elastic_->summary();
    text += "  events:\n";
    for (const Event& e : runtime_.nodes().history()) {
      char stamp[32];
      std::snprintf(stamp, sizeof stamp, "    %7.1f s  ", e.t);
      text += stamp + describe(e) + "\n";
    }
  } else {
    text += "  " + elastic_setup_.note + "\n";
  }
  if (Status s = write_private((job_dir_ / "summary.txt").string(), text, 0600); !s) {
    log::error(s.error().message);
    text += "  summary not saved: " + s.error().message + "\n";  // a full job directory: stdout has it still
  }
  std::cout << text << "  job directory: " << job_dir_.string() << "\n" << std::flush;
  log::info("exiting; ", runtime_.assigns_sent(), " assigns sent");
  server_->close();
  stop_children(agent_pids_, 3000);
  if (driver_ > 0) stop_children({driver_}, 3000);
  timer_.cancel();
  signals_.cancel();
  sigchld_.cancel();
  usr_signals_.stop();
  io_.stop();
}

Status Daemon::start_agents(const std::string& address) {
  const std::string& mode = args_.launch;
  AgentLaunch l;
  l.agent_path = args_.agent.empty() ? default_agent_path() : args_.agent;
  l.daemon_address = address;
  l.job_dir = job_dir_.string();
  l.nodelist = args_.nodelist;
  l.mpi = args_.mpi;
  if (mode == "srun" && l.mpi == "auto") {
    std::string why;
    l.mpi = choose_mpi_plugin(srun_mpi_list(), why);
    log::info(why);
  }
  launch_ = l;
  std::vector<std::string> env{"COMPSS_SECRET=" + secret_};
  if (mode == "none") {
    expected_agents_ = args_.expect;
    return {};
  }
  if (mode == "local") {
    expected_agents_ = args_.expect ? args_.expect : args_.local_agents;
    if (args_.reattach) return {};  // the agents outlived the killed compssd: they come back by themselves
    for (std::uint32_t i = 1; i <= args_.local_agents; ++i) {
      std::string node = "local" + std::to_string(i);
      auto pid = spawn(local_agent_argv(l, node), env, (job_dir_ / "agents" / (node + ".log")).string());
      if (!pid) return pid.error();
      agent_pids_.push_back(*pid);
    }
    return {};
  }
  l.nodes = static_cast<std::uint32_t>(std::atoi(env_or("SLURM_JOB_NUM_NODES", env_or("SLURM_NNODES", "1")).c_str()));
  if (!l.nodelist.empty()) l.nodes = static_cast<std::uint32_t>(split(l.nodelist, ',').size());
  // Each agent offers exactly what SLURM allocated to the job on its node (nothing else confines a job
  // under task/none). When slurmctld could not say, the agents use the node as they see it.
  if (elastic_setup_.job) {
    const Allocation own = allocation_of(*elastic_setup_.job);
    env.push_back(std::string(kAllocationEnv) + "=" + format_allocation(own));
    std::map<std::string, std::string> cpus;
    for (const auto& [node, share] : own) cpus.emplace(node, format_cpu_list(share.cpus));
    runtime_.nodes().set_own_cpus(std::move(cpus));
    log::info("the job's allocation: ", format_allocation(own));
  } else {
    const std::string why = "the job's allocation is not known (" + elastic_setup_.job_note +
                            "): agents offer every CPU they see on their node";
    log::warn(why);
    runtime_.add_event(now(), why);
  }
  expected_agents_ = args_.expect ? args_.expect : l.nodes;
  if (args_.reattach) return {};  // the agents' step outlived the killed compssd: they come back by themselves
  auto argv = srun_agents_argv(l);
  auto pid = spawn(argv, env, (job_dir_ / "agents" / "srun.log").string());
  if (!pid) return pid.error();
  agent_pids_.push_back(*pid);
  log::info("agents: ", argv[0], " ... on ", l.nodes, " node(s)");
  return {};
}

void Daemon::start_elastic() {
  log::info(elastic_setup_.note);
  runtime_.add_event(now(), elastic_setup_.note);
  if (!elastic_setup_.connector) return;
  worker_ = std::make_unique<ThreadWorker>([this](Continuation c) {
    asio::post(io_, [this, c = std::move(c)] {
      c();
      changed();
    });
  });
  elastic_ = std::make_unique<Elastic>(*elastic_setup_.connector, *worker_, elastic_setup_.config, runtime_.nodes(),
                                       *this);
  if (ready_) runtime_.attach_elasticity(elastic_.get());
}

// The job's end time: tasks that would run past it are not started (daemon/job_end.h).
void Daemon::start_job_end() {
  connector::Connector* reader = elastic_setup_.reader();
  if (!reader || !elastic_setup_.job) return;
  job_end_worker_ = std::make_unique<ThreadWorker>([this](Continuation c) {
    asio::post(io_, [this, c = std::move(c)] {
      c();
      changed();
    });
  });
  job_end_ = std::make_unique<JobEndWatch>(*reader, *job_end_worker_, elastic_setup_.job->id, [this] { return now(); },
                                           [this](std::optional<double> end) { runtime_.set_job_end(end, now()); });
  job_end_->start(*elastic_setup_.job);
}

// One agent on a node that joined: a step of this job (merge) or of the helper job holding the node.
Status Daemon::start_agent(const std::string& node, std::uint32_t helper_job, const NodeShare& share) {
  AgentLaunch l = launch_;
  l.nodes = 1;
  l.nodelist = node;
  auto argv = srun_agents_argv(l);
  argv.insert(argv.begin() + 1, "--open-mode=append");  // a node that comes back keeps its earlier agent log
  std::vector<std::string> env{"COMPSS_SECRET=" + secret_};
  if (!share.cpus.empty()) env.push_back(std::string(kAllocationEnv) + "=" + format_allocation({{node, share}}));
  const std::string helper = std::to_string(helper_job);
  if (helper_job) {
    argv.insert(argv.begin() + 1, "--jobid=" + helper);
    // The batch environment describes this job, not the helper: describe the helper's one node instead.
    for (const char* k : {"SLURM_JOB_ID=", "SLURM_JOBID="}) env.push_back(k + helper);
    for (const char* k : {"SLURM_JOB_NODELIST=", "SLURM_NODELIST="}) env.push_back(k + node);
    for (const char* k : {"SLURM_NNODES=", "SLURM_JOB_NUM_NODES="}) env.push_back(std::string(k) + "1");
  }
  auto pid = spawn(argv, env, (job_dir_ / "agents" / ("srun-" + node + ".log")).string());
  if (!pid) return pid.error();
  agent_pids_.push_back(*pid);
  log::info("agent for ", node, helper_job ? " in helper job " + helper : std::string(" in this job"), ": pid ", *pid);
  return {};
}

int Daemon::run() {
  // The ready pipe is this process' to write: the agents' srun and the driver must not keep it open (a
  // compssd that died before it was ready would then leave its reader waiting for the timeout).
  if (args_.ready_fd >= 0) ::fcntl(args_.ready_fd, F_SETFD, FD_CLOEXEC);
  // A journal that stopped lacks what the run takes from then on: a restart from it would hand out the
  // ids of tasks it lost. The supervisor, told on the ready pipe, restarts no more.
  if (supervised() && args_.ready_fd >= 0)
    runtime_.on_journal_stopped([fd = args_.ready_fd] { (void)!::write(fd, "journal-stopped\n", 16); });
  // The secret stays off disk: the agents get it in their step's environment, nothing else needs it. Under
  // the supervisor it comes from there, the same for every restart (the agents keep using it).
  Result<std::string> secret = args_.secret_fd >= 0 ? read_secret(args_.secret_fd) : random_hex(24);
  if (!secret) {
    log::error("cannot make the job's secret: ", secret.error().message);
    std::cerr << "compssd: cannot make the job's secret: " << secret.error().message << "\n";
    return 1;
  }
  secret_ = std::move(*secret);
  ServerConfig sc;
  sc.socket_path = args_.socket.empty() ? "/tmp/compss-" + std::to_string(::getuid()) + "/" + job_ + "/compssd.sock"
                                        : args_.socket;
  sc.own_socket_dir = args_.socket.empty();
  sc.tcp_host = advertised_host();
  sc.tcp_port = args_.port;
  sc.secret = secret_;
  sc.job = job_;
  server_ = std::make_unique<Server>(io_, runtime_, [this] { return now(); }, sc, [this] { changed(); });
  if (auto s = server_->listen(); !s) {
    log::error(s.error().message);
    std::cerr << "compssd: " << s.error().message << "\n";
    return 1;
  }
  const std::string address = advertised_host() + ":" + std::to_string(server_->tcp_port());
  (void)write_private((job_dir_ / "env").string(),
                      "COMPSS_SOCKET=" + sc.socket_path + "\nCOMPSS_ADDRESS=" + address +
                          "\nCOMPSS_JOB_DIR=" + job_dir_.string() + "\nCOMPSS_JOB=" + job_ + "\n",
                      0600);
  log::info("listening on ", sc.socket_path, " and TCP port ", server_->tcp_port(), "; job directory ",
            job_dir_.string());
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (!ec) on_signal(sig);
  });
  reap();
  if (auto s = usr_signals_.start(); !s) {
    log::error(s.error().message);
    std::cerr << "compssd: " << s.error().message << "\n";
    return 1;
  }
  if (auto s = start_agents(address); !s) {
    log::error("cannot start the agents: ", s.error().message);
    std::cerr << "compssd: cannot start the agents: " << s.error().message << "\n";
    return 1;
  }
  if (args_.reattach) {
    // Nothing is placed until the agents are back with their tasks (or agent_timeout passed).
    runtime_.hold_placement(true);
    if (args_.driver_ended) runtime_.begin_drain("the job's driver ended before compssd restarted");
  }
  if (expected_agents_ == 0) become_ready("no agents to wait for");
  start_elastic();
  start_job_end();
  tick();
  io_.run();
  if (driver_status_ != 0) return driver_status_;
  return runtime_.outcome() == proto::Outcome::kFailed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = parse_args(argc, argv);
  if (!args) {
    std::cerr << args.error().message << "\n";
    return 2;
  }
  auto opts = merge_site_config(args->options);  // the site's compss.yaml under the user's --compss keys
  if (!opts) {
    std::cerr << "compssd: " << opts.error().message << "\n";
    return 2;
  }
  if (!args->resume.empty()) opts->resume_dir = args->resume;
  // A resume that cannot be done stops the job here, before anything runs or is created (never a silent
  // fresh run). A restart takes the run from its own journal instead (what the resume took is recorded
  // there).
  std::unique_ptr<ResumeCache> resume;
  if (!opts->resume_dir.empty() && !args->reattach) {
    auto cache = load_cache(opts->resume_dir);
    if (!cache) {
      std::cerr << "compssd: " << cache.error().message << "\n";
      return 1;
    }
    resume = std::make_unique<ResumeCache>(std::move(*cache));
  }
  // Outside SLURM the id comes from the pid: the supervisor's, handed to every daemon it starts, so that
  // each restart finds the same job directory and socket.
  std::string job = !args->job_id.empty() ? args->job_id : env_or("SLURM_JOB_ID", "local-" + std::to_string(::getpid()));
  if (const char* step = std::getenv("SLURM_STEP_ID"); step && !args->exec.empty() && args->job_id.empty())
    job += std::string(".") + step;
  fs::path job_dir = args->job_dir.empty() ? fs::current_path() / ".compss" / job : fs::path(args->job_dir);
  if (Status s = prepare_job_dir(job_dir.string()); !s) {
    std::cerr << "compssd: " << s.error().message << "\n";
    return 1;
  }
  if (args->restarts && !args->reattach) {
    SuperviseConfig sc;
    sc.max_restarts = args->restarts;
    sc.ready_fd = args->ready_fd;
    sc.log_path = (job_dir / "compssd.log").string();
    for (int i = 0; i < argc; ++i) {  // the daemon's command line: ours without --restarts and --ready-fd
      const std::string a = argv[i];
      if (a == "--restarts" || a == "--ready-fd") ++i;
      else if (a.rfind("--restarts=", 0) != 0 && a.rfind("--ready-fd=", 0) != 0) sc.argv.push_back(a);
    }
    sc.argv.insert(sc.argv.end(), {"--job-id", job});
    resume.reset();  // checked above; the daemon loads it for itself
    return supervise(sc);
  }
  auto level = log::parse_level(args->log_level);
  log::init("compssd", level ? *level : log::Level::kInfo);
  if (auto s = log::set_file((job_dir / "compssd.log").string()); !s) std::cerr << s.error().message << "\n";
  log::info("options: ", to_string(*opts));

  RuntimeConfig rc;
  rc.job_id = job;
  rc.heartbeat_s = args->heartbeat_s;
  if (opts->crash_limit) rc.sched.crash_limit = *opts->crash_limit;
  switch (opts->policy) {
    case PolicyName::kPriority: rc.sched.policy = scheduler::PlacementPolicy::kPriority; break;
    case PolicyName::kCriticalPath: rc.sched.policy = scheduler::PlacementPolicy::kCriticalPath; break;
    default: rc.sched.policy = scheduler::PlacementPolicy::kFifo; break;
  }
  ElasticSite site;
  site.connector = args->connector;
  site.pending_limit_s = args->grow_timeout_s;
  site.max_in_flight = args->grow_in_flight;
  site.request_nodes = args->grow_request_nodes;
  site.forecast = args->grow_forecast == "on";
  const bool step = job.find('.') != std::string::npos;  // "1234.0": an srun --compss step's runtime
  auto elastic = setup_elasticity(*opts, site, env_or("SLURM_JOB_ID", ""), args->launch, rc.sched, step);
  if (!elastic) {
    log::error(elastic.error().message);
    std::cerr << "compssd: " << elastic.error().message << "\n";
    return 1;
  }
  if (auto given = parse_runtime_options(args->options); given) {
    std::string script = elastic->job ? elastic->job->command : "";
    if (!script.empty() && script.front() != '/' && !elastic->job->work_dir.empty())
      script = (fs::path(elastic->job->work_dir) / script).lexically_normal().string();
    rc.resume_command = resume_command(job, fs::absolute(job_dir).string(), *given, script);
  }
  const bool journal = !args->no_journal;
  // A restart: the run as this job's journal has it, read before the journal is set aside below.
  std::optional<Replay> replay;
  if (args->reattach) {
    log::info("restart ", args->reattach, " of this job's compssd (it was killed): taking the run from ",
              (job_dir / kJournalFile).string());
    auto r = load_replay(job_dir.string());
    if (!r) {
      log::error("cannot restart: ", r.error().message);
      std::cerr << "compssd: cannot restart: " << r.error().message << "\n";
      return 1;
    }
    replay = std::move(*r);
    if (!args->port) args->port = published_port(job_dir);
    args->agent_timeout_s = std::min<std::uint32_t>(args->agent_timeout_s, 30);
  }
  Daemon d(std::move(*args), std::move(rc), job, job_dir, std::move(*elastic));
  if (resume) {
    log::info("resuming from ", resume->dir(), ": its journal has ", resume->done_count(), " tasks done");
    d.runtime().set_resume(std::move(resume));
  }
  if (!journal) {
    d.runtime().set_journal_note("off (--no-journal)");
  } else if (auto aside = set_aside_journal(job_dir.string()); !aside) {
    log::error(aside.error().message);
    d.runtime().set_journal_note("none: " + aside.error().message);
  } else {
    if (!aside->empty()) log::info("the job directory's earlier journal is now ", *aside);
    auto j = Journal::create(job_dir.string(), JournalRun{job, replay ? job_dir.string() : opts->resume_dir});
    if (j) {
      d.runtime().attach_journal(std::move(*j));
    } else {
      // Like a write error later on: said in the log and the summary, and the run goes on without it.
      log::error(j.error().message);
      d.runtime().set_journal_note("none: " + j.error().message);
    }
  }
  if (replay) {
    if (Status s = d.runtime().restore(*replay, 0); !s) {
      log::error("cannot restart: ", s.error().message);
      std::cerr << "compssd: cannot restart: " << s.error().message << "\n";
      return 1;
    }
  }
  return d.run();
}
