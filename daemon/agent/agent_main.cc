// compss-agent - one per node: discovers the node, registers with compssd, runs the tasks it is assigned.
//
//   compss-agent --daemon HOST:PORT --job-dir DIR [--node NAME] [--topology-xml FILE | --synthetic DESC]
//
// The job's secret comes from the environment (COMPSS_SECRET), never from argv. The agent exits after a
// `stop` (once its tasks are reported), on SIGTERM/SIGINT, or when the daemon's connection is gone for
// --reconnect seconds; in each case it kills its tasks' process groups first. A connection lost after
// registering: when the daemon said the node is lost (an `error` "lost: ...", after a SIGSTOP or a suspend
// silenced the heartbeats) the tasks are killed at once, since the daemon re-runs them elsewhere; when it
// just ended (compssd killed, and restarted by its supervisor) the tasks go on, their ends are kept, and
// the agent registers again with them (register.running) followed by the `finished` of those that ended
// meanwhile and of those reported in the last kResendWindow (the old compssd may not have journaled them);
// the new compssd takes over or kills each. Task output: one stream file per node in <job-dir>/out/
// (launcher.h). Exit status: 0 after a stop, 1 when the daemon went away or on an error.
#include <unistd.h>

#include <utility>  // before Asio: Boost 1.74's Asio needs it under C++20

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "config.h"
#include "common/client/auth.h"
#include "common/proto/handshake.h"
#include "common/proto/stream.h"
#include "common/util/allocation.h"
#include "common/util/log.h"
#include "common/util/parse.h"
#include "common/util/random.h"
#include "daemon/agent/gpu_grant.h"
#include "daemon/agent/identity.h"
#include "daemon/agent/launcher.h"
#include "daemon/agent/node_desc.h"
#include "daemon/agent/rank.h"
#include "daemon/agent/topology.h"

namespace asio = boost::asio;
namespace po = boost::program_options;
using namespace compss;

namespace {

struct Args {
  std::string daemon, job_dir, node, topology_xml, synthetic;
  std::uint32_t heartbeat_s = 10;
  std::uint32_t reconnect_s = 60;  // after losing the daemon: keep trying to come back this long
};

// Finished reports sent this long ago or less are sent again to a daemon that restarted: the old one
// commits its journal every 0.1 s, so anything older is in it.
constexpr std::chrono::seconds kResendWindow{30};

class Agent {
 public:
  Agent(asio::io_context& io, Args args) : io_(io), args_(std::move(args)), signals_(io, SIGTERM, SIGINT), user_signals_(io, SIGUSR1, SIGUSR2), beat_(io) {}
  int run();
  void wait_user_signal();

 private:
  Status connect();
  void connection_lost(const std::string& why);
  void try_reconnect();
  void on_message(proto::Message&& m);
  void assign(const proto::Assign& a);
  Status mpi_step(const proto::Assign& a, agent::LaunchSpec& spec);
  std::string rank_exe() const;
  static std::string output_tail(const agent::OutputLocation& o);
  std::set<std::pair<std::uint64_t, std::uint32_t>> mpi_steps_;  // (task, attempt) run as an MPI step here
  // Assigns of a task whose earlier attempt still ends here (an MPI step killed because another of its
  // nodes was lost, and the task placed here again at once): each starts when that attempt has ended.
  std::map<std::uint64_t, proto::Assign> deferred_;
  std::string mpi_hosts(std::uint64_t task, std::uint32_t attempt) const;  // the step's SLURM_HOSTFILE
  bool end_mpi_step(std::uint64_t task, std::uint32_t attempt);
  void heartbeat();
  void shut(int code, const std::string& why);
  Status apply_allocation(agent::TopologyOptions& topt) const;
  void maybe_exit();
  bool connected() const { return welcomed_ && stream_ && stream_->is_open(); }
  void report(proto::Finished f, pid_t pid);
  void register_node();

  asio::io_context& io_;
  Args args_;
  asio::signal_set signals_;
  asio::signal_set user_signals_;  // SIGUSR1/SIGUSR2: the job's, not the agent's
  asio::steady_timer beat_;
  asio::steady_timer retry_{io_};
  std::chrono::steady_clock::time_point give_up_at_;
  std::chrono::milliseconds retry_pause_{500};
  std::shared_ptr<proto::Stream> stream_;
  std::unique_ptr<agent::Launcher> launcher_;
  agent::NodeTopology topology_;
  agent::GpuGrant gpus_;  // the job's GPUs here and the numbers tasks use for them
  bool welcomed_ = false;
  bool registered_once_ = false;  // part of the run once: a lost connection is worth coming back from
  bool refused_ = false;
  bool stopping_ = false;
  bool lost_ = false;  // the daemon said this node is lost: its tasks die before the agent comes back
  // MUNGE works here: the hello shows a MUNGE credential of this user instead of the job's secret, and
  // the daemon's welcome must prove it runs as this user too (else whoever holds its port while it
  // restarts would learn the secret and could make this agent run commands). Without munged (a run
  // outside a cluster) the hello shows the secret and no proof is asked for.
  bool use_munge_ = false;
  std::string nonce_;  // of this connection's hello
  int exit_code_ = 0;
  struct Report {
    std::chrono::steady_clock::time_point sent;
    proto::Finished f;
    pid_t pid;
  };
  std::deque<Report> recent_;  // sent in the last kResendWindow
  std::vector<Report> unsent_;  // ended while no daemon was connected
};

proto::Finished to_finished(const agent::TaskResult& r) {
  proto::Finished f;
  f.task = r.task.value();
  f.attempt = r.attempt;
  if (r.launch_failed) {
    f.cause = proto::FinishCause::kLaunchError;
    f.exit_code = r.exit.code;
  } else if (r.out_of_memory) {
    f.cause = proto::FinishCause::kOom;
    f.signal = SIGKILL;
  } else if (r.killed) {
    f.cause = proto::FinishCause::kKilled;
    if (r.exit.kind == agent::ExitStatus::Kind::kSignaled) f.signal = static_cast<std::uint32_t>(r.exit.code);
  } else if (r.exit.kind == agent::ExitStatus::Kind::kSignaled) {
    f.cause = proto::FinishCause::kSignaled;
    f.signal = static_cast<std::uint32_t>(r.exit.code);
  } else {
    f.cause = proto::FinishCause::kExited;
    f.exit_code = r.exit.code;
  }
  f.cpu_time_s = std::chrono::duration<double>(r.cpu_time()).count();
  f.max_rss = r.max_rss_bytes;
  f.wall_s = std::chrono::duration<double>(r.wall).count();
  if (!r.output.path.empty()) f.output = proto::OutputRef{r.output.path, r.output.offset, r.output.length};
  f.reason = r.reason;
  f.output_lost = r.output.error;  // a full disk: said in the report, the task's result stands
  return f;
}

Status Agent::connect() {
  auto sock = proto::connect_tcp(io_, args_.daemon);
  if (!sock) return sock.error();
  stream_ = proto::Stream::create(std::move(*sock), "daemon " + args_.daemon);
  proto::Hello h;
  h.role = proto::Role::kAgent;
  h.prog = "compss-agent " PACKAGE_VERSION;
  h.node = args_.node;
  nonce_.clear();
  if (use_munge_) {
    auto n = random_hex(16);
    if (!n) return n.error();
    nonce_ = *n;
    // Bound to the daemon's address as connected and this nonce (protocol.md 2.2); no job named.
    auto cred = client::munge_credential(proto::hello_payload({stream_->remote_address(), "", nonce_}));
    if (!cred) return fail("cannot make a MUNGE credential for the hello: ", cred.error().message);
    h.auth = *cred;
  } else if (const char* s = std::getenv("COMPSS_SECRET")) {
    h.auth = s;
  }
  stream_->start([this](proto::Message&& m) { on_message(std::move(m)); },
                 [this](const std::string& why) { connection_lost(why); });
  stream_->send(h);
  return {};
}

// The daemon's connection ended. After a `lost` error the daemon re-runs this node's tasks elsewhere, so
// they are killed at once and the agent comes back, once they are gone, as a new node life. Otherwise the
// daemon itself went away (killed; its supervisor restarts it): the tasks go on and the agent comes back
// with them. Either way it tries for reconnect_s seconds.
void Agent::connection_lost(const std::string& why) {
  if (stopping_) return shut(0, "daemon connection " + why);
  if (refused_ || !registered_once_ || args_.reconnect_s == 0) return shut(1, "daemon connection " + why);
  beat_.cancel();
  welcomed_ = false;
  if (lost_) {
    log::warn("daemon connection ", why, " after the daemon took this node for lost: killing its ",
              launcher_->running(), " task(s) (the daemon re-runs them) and coming back");
    launcher_->kill_all(SIGKILL, std::chrono::milliseconds(0));
    unsent_.clear();
    recent_.clear();
  } else {
    log::warn("daemon connection ", why, ": keeping this node's ", launcher_->running(),
              " task(s) running and coming back with them");
  }
  give_up_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(args_.reconnect_s);
  retry_pause_ = std::chrono::milliseconds(500);
  retry_.expires_after(retry_pause_);
  retry_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) try_reconnect();
  });
}

void Agent::try_reconnect() {
  if (io_.stopped()) return;
  // After a loss the killed tasks must be gone (and reported to nobody) before the node offers its cores.
  if (!lost_ || launcher_->running() == 0) {
    if (auto s = connect(); s) return;
    else log::info("reconnecting: ", s.error().message);
  }
  if (std::chrono::steady_clock::now() >= give_up_at_) return shut(1, "the daemon did not come back");
  retry_pause_ = std::min(retry_pause_ * 2, std::chrono::milliseconds(2000));
  retry_.expires_after(retry_pause_);
  retry_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) try_reconnect();
  });
}

// Register (again): the node, the tasks still running here, then the reports the daemon may lack.
void Agent::register_node() {
  auto desc = agent::to_node_desc(topology_, args_.node);
  proto::Register r;
  r.node = args_.node;
  r.cores = desc.cores;
  r.memory = desc.memory;
  for (const auto& g : desc.gpus) r.gpus.push_back(proto::GpuDesc{g.id, g.close_cores});
  r.numa = agent::summarize(topology_);
  const auto now = std::chrono::steady_clock::now();
  while (!recent_.empty() && now - recent_.front().sent > kResendWindow) recent_.pop_front();
  if (!lost_) {
    for (const auto& t : launcher_->unfinished())
      r.running.push_back(proto::RunningTask{t.task.value(), t.attempt, static_cast<std::uint32_t>(t.pid), t.cores, t.gpus});
    // Ended ones are listed too, without cores (they hold none now), so that the daemon takes them over
    // before their `finished` arrives; a launch error has no pid and is not listed (it runs again).
    auto add_ended = [&](const Report& rep) {
      if (rep.pid > 0)
        r.running.push_back(proto::RunningTask{rep.f.task, rep.f.attempt, static_cast<std::uint32_t>(rep.pid), {}, {}});
    };
    for (const auto& rep : recent_) add_ended(rep);
    for (const auto& rep : unsent_) add_ended(rep);
  }
  stream_->send(r);
  if (!r.running.empty()) log::info("registered again with ", r.running.size(), " task(s) of the earlier connection");
  for (const auto& rep : recent_) stream_->send(rep.f);
  for (auto& rep : unsent_) {
    stream_->send(rep.f);
    rep.sent = now;
    recent_.push_back(std::move(rep));
  }
  unsent_.clear();
  lost_ = false;
  registered_once_ = true;
}

void Agent::report(proto::Finished f, pid_t pid) {
  if (connected()) {
    stream_->send(f);
    recent_.push_back(Report{std::chrono::steady_clock::now(), std::move(f), pid});
    while (recent_.size() > 1 && std::chrono::steady_clock::now() - recent_.front().sent > kResendWindow)
      recent_.pop_front();
  } else {
    unsent_.push_back(Report{{}, std::move(f), pid});
  }
}

void Agent::on_message(proto::Message&& m) {
  if (!welcomed_) {
    if (auto s = proto::check_welcome(m); !s) {
      log::error("daemon refused this agent: ", s.error().message);
      refused_ = true;
      shut(1, "refused");
      return;
    }
    if (use_munge_) {
      if (auto s = client::check_daemon_credential(std::get<proto::Welcome>(m).auth, nonce_); !s) {
        // Not the job's daemon (someone else on its port): nothing from it is taken. An agent that was
        // registered tries again (the real one may be restarting), one that never was gives up.
        log::error("the daemon at ", args_.daemon, ": ", s.error().message, "; not registering with it");
        stream_->close("no proof of the job's owner");
        connection_lost("refused: the daemon did not prove it runs as this user");
        return;
      }
    }
    welcomed_ = true;
    register_node();
    heartbeat();
    return;
  }
  if (auto* a = std::get_if<proto::Assign>(&m)) return assign(*a);
  if (auto* k = std::get_if<proto::Kill>(&m)) {
    if (auto it = deferred_.find(k->task); it != deferred_.end() && (k->attempt == 0 || it->second.attempt == k->attempt)) {
      proto::Finished f;  // killed before it started: it ends here, as killed
      f.task = k->task;
      f.attempt = it->second.attempt;
      f.cause = proto::FinishCause::kKilled;
      f.signal = k->signal;
      f.reason = "killed before it started (an earlier attempt was still ending on this node)";
      deferred_.erase(it);
      report(std::move(f), 0);
      if (k->attempt != 0) return;
    }
    auto s = launcher_->kill(TaskId(static_cast<std::uint32_t>(k->task)), static_cast<int>(k->signal),
                             std::chrono::seconds(k->grace_s));
    if (!s) log::debug("kill ", k->task, ": ", s.error().message);
    return;
  }
  if (auto* st = std::get_if<proto::Stop>(&m)) {
    stopping_ = true;
    launcher_->kill_all(SIGTERM, std::chrono::seconds(st->grace_s));
    maybe_exit();
    return;
  }
  if (auto* e = std::get_if<proto::ErrorMessage>(&m)) {
    log::warn("daemon says: ", e->message);
    if (e->message.rfind(proto::kLostPrefix, 0) == 0) lost_ = true;  // the close follows
    // A refused registration leaves nothing to do here.
    if (e->code == proto::ErrorCode::kInvalid && e->message.rfind("register:", 0) == 0) {
      refused_ = true;
      shut(1, e->message);
    }
    return;
  }
  log::warn("unexpected message '", proto::type_name(m), "' from the daemon");
}

void Agent::assign(const proto::Assign& a) {
  if (launcher_->holds(TaskId(static_cast<std::uint32_t>(a.task)))) {
    log::info("task ", a.task, " attempt ", a.attempt, " waits for its earlier attempt here to end");
    deferred_[a.task] = a;
    return;
  }
  const std::uint64_t t = agent::LaunchProfile::now_ns();
  agent::LaunchSpec spec;
  spec.task = TaskId(static_cast<std::uint32_t>(a.task));
  spec.attempt = a.attempt;
  spec.name = a.name;
  spec.argv = a.argv;
  spec.cwd = a.cwd;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string::npos || kv.rfind("COMPSS_SECRET=", 0) == 0) continue;
    // The job's variables the submitter no longer had (compss submit --export=ALL).
    if (!a.env_unset.empty() &&
        std::find(a.env_unset.begin(), a.env_unset.end(), std::string_view(kv).substr(0, eq)) != a.env_unset.end())
      continue;
    // An MPI task's step gets its own session and layout from SLURM, not this agent's step's.
    if (a.mpi && agent::inherited_step_variable(std::string_view(kv).substr(0, eq))) continue;
    spec.env.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  for (const auto& kv : a.env) {
    auto eq = kv.find('=');
    if (eq != std::string::npos) spec.env.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  spec.cores = a.cores;
  spec.gpus = gpus_.task_numbers(a.gpus);  // an MPI task's ranks translate their own (compss-rank)
  spec.memory_bytes = a.memory;
  launcher_->profile().add(agent::LaunchProfile::kEnv, t);
  Status step = a.mpi ? mpi_step(a, spec) : Status{};
  if (auto pid = step ? launcher_->start(spec) : Result<pid_t>(step.error()); !pid) {
    if (a.mpi) end_mpi_step(a.task, a.attempt);
    proto::Finished f;
    f.task = a.task;
    f.attempt = a.attempt;
    f.cause = proto::FinishCause::kLaunchError;
    f.exit_code = 127;
    f.reason = pid.error().message;
    report(std::move(f), 0);
  }
}

// An MPI task: this agent runs `srun ... compss-rank -- ARGV` over the task's nodes (rank.h); the srun
// is the task's process here (bound to this node's cores of the task), its exit the task's.
Status Agent::mpi_step(const proto::Assign& a, agent::LaunchSpec& spec) {
  const char* job = std::getenv("SLURM_JOB_ID");
  if (!job) return fail("an MPI task needs SLURM: this agent does not run in a SLURM job");
  std::vector<agent::RankSlot> slots;
  for (const auto& s : a.mpi->slots) slots.push_back({s.node, s.ranks, s.cores, s.gpus});
  const std::string hosts = mpi_hosts(a.task, a.attempt);
  {
    std::ofstream f(hosts, std::ios::trunc);
    f << agent::hostfile_text(slots);
    if (!f.flush()) return fail("cannot write ", hosts, " (the MPI step's rank order)");
  }
  const char* mpi = std::getenv("SLURM_MPI_TYPE");
  spec.argv = agent::step_argv(slots, job, mpi && *mpi && std::string(mpi) != "none" ? mpi : "pmix", rank_exe(), a.argv);
  spec.env.emplace_back("SLURM_HOSTFILE", hosts);
  spec.env.emplace_back("COMPSS_RANK_BIND", agent::bind_text(slots));
  mpi_steps_.insert({a.task, a.attempt});
  return {};
}

std::string Agent::mpi_hosts(std::uint64_t task, std::uint32_t attempt) const {
  return args_.job_dir + "/agents/mpi-" + std::to_string(task) + "." + std::to_string(attempt) + ".hosts";
}

// Forgets an MPI step that ended (or never started) and removes its host file. False: not one of ours.
bool Agent::end_mpi_step(std::uint64_t task, std::uint32_t attempt) {
  if (!mpi_steps_.erase({task, attempt})) return false;
  std::error_code ec;
  std::filesystem::remove(mpi_hosts(task, attempt), ec);
  return true;
}

// The last 64 KiB of a finished task's stored output (srun's error lines come last).
std::string Agent::output_tail(const agent::OutputLocation& o) {
  if (o.path.empty() || o.length == 0) return {};
  std::ifstream in(o.path, std::ios::binary);
  const std::uint64_t n = std::min<std::uint64_t>(o.length, 64 * 1024);
  std::string text(n, '\0');
  in.seekg(static_cast<std::streamoff>(o.offset + o.length - n));
  in.read(text.data(), static_cast<std::streamsize>(n));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

// compss-rank beside this program (libtool puts an uninstalled compss-agent one directory down, in .libs).
std::string Agent::rank_exe() const {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (auto dir = self.parent_path(); !dir.empty(); dir = dir.parent_path()) {
      if (std::filesystem::exists(dir / "compss-rank", ec)) return (dir / "compss-rank").string();
      if (dir.filename() != ".libs") break;
    }
  }
  return "compss-rank";  // on the task's PATH
}

void Agent::heartbeat() {
  if (args_.heartbeat_s == 0) return;
  beat_.expires_after(std::chrono::seconds(args_.heartbeat_s));
  beat_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !stream_ || !stream_->is_open()) return;
    stream_->send(proto::Heartbeat{});
    heartbeat();
  });
}

void Agent::maybe_exit() {
  if (stopping_ && launcher_->running() == 0) {
    stream_->close_after_flush("stopped");
    io_.post([this] { shut(0, "stopped by the daemon"); });
  }
}

void Agent::shut(int code, const std::string& why) {
  if (io_.stopped()) return;
  log::info("exiting: ", why);
  if (launcher_ && launcher_->profile().launches() > 0) log::info(launcher_->profile().summary());
  exit_code_ = code;
  if (launcher_) launcher_->kill_all(SIGKILL, std::chrono::milliseconds(0));
  beat_.cancel();
  retry_.cancel();
  signals_.cancel();
  user_signals_.cancel();
  if (stream_) stream_->close(why);
  io_.stop();
}

// What the job holds on this node, from compssd (COMPSS_ALLOCATION): only those CPUs are offered. Not
// set (a run outside SLURM, or a site compssd could not ask): the node as this process sees it.
Status Agent::apply_allocation(agent::TopologyOptions& topt) const {
  const char* env = std::getenv(kAllocationEnv);
  if (!env || !*env) return ok_status();
  auto a = parse_allocation(env);
  if (!a) return a.error();
  auto it = a->find(args_.node);
  if (it == a->end())
    return fail(kAllocationEnv, " names no CPUs for node ", args_.node, " (it has ", format_allocation(*a),
                "): refusing to guess which CPUs of a shared node are this job's");
  topt.slurm_cpus = it->second.cpus;
  if (it->second.memory_mb) topt.memory_limit_bytes = it->second.memory_mb << 20;
  log::info("node ", args_.node, ": the job holds SLURM CPUs ", format_cpu_list(it->second.cpus),
            it->second.memory_mb ? " and " + std::to_string(it->second.memory_mb) + " MiB" : std::string());
  return ok_status();
}

// `#SBATCH --signal=USR1@120` or `scancel --signal=USR2` is for the job's programs: SLURM sends it to every
// process of the step, so the tasks have it already (forwarding it would deliver it twice). The agent only
// must not die of it, as the default action would have it.
void Agent::wait_user_signal() {
  user_signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    log::info("SIG", sig == SIGUSR1 ? "USR1" : "USR2", " received: the tasks get it from SLURM; carrying on");
    wait_user_signal();
  });
}

int Agent::run() {
  agent::TopologyOptions topt;
  if (!args_.topology_xml.empty()) topt.source = agent::TopologySource::xml_file(args_.topology_xml);
  if (!args_.synthetic.empty()) topt.source = agent::TopologySource::synthetic(args_.synthetic);
  if (auto s = apply_allocation(topt); !s) {
    log::error(s.error().message);
    return 1;
  }
  if (topt.source.kind == agent::TopologySource::Kind::kThisSystem) {
    // The GPUs SLURM gave this job here (an XML or synthetic topology stands for another machine).
    auto grant = agent::gpu_grant(agent::process_env());
    if (!grant) {
      log::error("cannot tell which GPUs this job holds: ", grant.error().message);
      return 1;
    }
    gpus_ = std::move(*grant);
    topt.visible_gpus = gpus_.keep;
    topt.cuda_library = "libcuda.so.1";  // the driver, where NVIDIA GPUs are usable; absent is fine
  }
  auto topo = agent::discover_topology(topt);
  if (!topo && topt.visible_gpus && !topt.visible_gpus->empty()) {
    // SLURM names a GPU neither hwloc nor the CUDA driver shows: serve CPU tasks, and say why no GPU.
    log::error("the GPUs SLURM gave this job here (", gpus_.source, ") are not all on this node: ",
               topo.error().message, "; offering no GPU");
    topt.visible_gpus = std::vector<agent::GpuIndex>{};
    topo = agent::discover_topology(topt);
  }
  if (!topo) {
    log::error("cannot discover this node: ", topo.error().message);
    return 1;
  }
  topology_ = *topo;
  if (!topology_.gpus.empty() || gpus_.keep) log::info("GPUs: ", gpus_.source);
  if (!topology_.gpus.empty() && !topology_.cuda.empty()) log::info(topology_.cuda);
  agent::LauncherConfig lc;
  lc.node_name = args_.node;
  lc.output_dir = args_.job_dir + "/out";
  auto launcher = agent::Launcher::create(io_, topology_, lc);
  if (!launcher) {
    log::error("cannot start the launcher: ", launcher.error().message);
    return 1;
  }
  launcher_ = std::move(*launcher);
  launcher_->on_started([this](TaskId t, std::uint32_t attempt, pid_t pid) {
    if (connected()) stream_->send(proto::Started{t.value(), attempt, static_cast<std::uint32_t>(pid)});
  });
  launcher_->on_finished([this](const agent::TaskResult& r) {
    proto::Finished f = to_finished(r);
    if (end_mpi_step(f.task, f.attempt) && !r.exit.success() && !r.launch_failed) {
      // srun's own lines in the step's output say which rank ended it, on which node.
      if (std::string who = agent::step_failure(output_tail(r.output)); !who.empty()) f.reason = who;
    }
    const std::uint64_t task = f.task;
    report(std::move(f), r.pid);
    if (auto it = deferred_.find(task); it != deferred_.end()) {
      proto::Assign next = std::move(it->second);
      deferred_.erase(it);
      asio::post(io_, [this, next = std::move(next)] { assign(next); });
    }
    maybe_exit();
  });
  use_munge_ = client::munge_credential("compss-agent probe").ok();
  if (!use_munge_)
    log::warn("MUNGE is not available here: this agent shows the job's secret and takes the daemon's welcome "
              "without proof of its owner");
  if (auto s = connect(); !s) {
    log::error(s.error().message);
    return 1;
  }
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (!ec) shut(1, std::string("signal ") + (sig == SIGTERM ? "TERM" : "INT"));
  });
  wait_user_signal();
  log::info("node ", args_.node, ": ", agent::summarize(topology_), "; daemon ", args_.daemon);
  io_.run();
  return exit_code_;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  po::options_description opts("compss-agent options");
  opts.add_options()("help,h", "show this help")("daemon", po::value(&a.daemon), "compssd's HOST:PORT (required)")(
      "job-dir", po::value(&a.job_dir), "the job directory (required)")(
      "node", po::value(&a.node), "this node's name (default: $SLURMD_NODENAME, else the PMIx/SLURM identity)")(
      "topology-xml", po::value(&a.topology_xml), "describe the node from this hwloc XML file (tests)")(
      "synthetic", po::value(&a.synthetic), "describe the node from an hwloc synthetic description (tests)")(
      "heartbeat", po::value(&a.heartbeat_s), "seconds between heartbeats (default 10)")(
      "reconnect", po::value(&a.reconnect_s),
      "seconds to keep trying to come back after the daemon's connection is lost (default 60; 0: exit)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "compss-agent: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << "usage: compss-agent --daemon HOST:PORT --job-dir DIR [options]\n" << opts;
    return 0;
  }
  if (a.daemon.empty() || a.job_dir.empty()) {
    std::cerr << "compss-agent: --daemon and --job-dir are required\n";
    return 2;
  }
  log::init("compss-agent", log::Level::kInfo);
  if (a.node.empty()) {
    auto id = agent::discover_identity();
    if (!id) {
      std::cerr << "compss-agent: cannot tell this node's name: " << id.error().message << " (use --node)\n";
      return 2;
    }
    a.node = id->node_name;
  }
  asio::io_context io;
  Agent agent(io, std::move(a));
  return agent.run();
}
