// compss-agent - one per node: discovers the node, registers with compssd, runs the tasks it is assigned.
//
//   compss-agent --daemon HOST:PORT --job-dir DIR [--node NAME] [--topology-xml FILE | --synthetic DESC]
//
// The job's secret comes from the environment (COMPSS_SECRET), never from argv. The agent exits after a
// `stop` (once its tasks are reported), on SIGTERM/SIGINT, or when the daemon's connection is gone for
// --reconnect seconds; in each case it kills its tasks' process groups first. A connection lost after
// registering (the daemon took the node for lost, or restarted) kills the tasks at once, since the daemon
// re-runs them elsewhere, and the agent registers again as a new life of its node. Task output: one stream file per node in
// <job-dir>/out/ (launcher.h). Exit status: 0 after a stop, 1 when the daemon went away or on an error.
#include <unistd.h>

#include <utility>  // before Asio: Boost 1.74's Asio needs it under C++20

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include "config.h"
#include "common/proto/handshake.h"
#include "common/proto/stream.h"
#include "common/util/allocation.h"
#include "common/util/log.h"
#include "common/util/parse.h"
#include "daemon/agent/identity.h"
#include "daemon/agent/launcher.h"
#include "daemon/agent/node_desc.h"
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
  void heartbeat();
  void shut(int code, const std::string& why);
  Status apply_allocation(agent::TopologyOptions& topt) const;
  void maybe_exit();

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
  bool welcomed_ = false;
  bool registered_once_ = false;  // part of the run once: a lost connection is worth coming back from
  bool refused_ = false;
  bool stopping_ = false;
  int exit_code_ = 0;
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
  if (const char* s = std::getenv("COMPSS_SECRET")) h.auth = s;
  stream_->start([this](proto::Message&& m) { on_message(std::move(m)); },
                 [this](const std::string& why) { connection_lost(why); });
  stream_->send(h);
  return {};
}

// The daemon closed the connection (it took the node for lost: a missed heartbeat after a SIGSTOP or a
// suspend) or went away. Its tasks are being re-run elsewhere, so the ones here are killed at once; then
// the agent comes back as a new node life when it can, for reconnect_s seconds.
void Agent::connection_lost(const std::string& why) {
  if (stopping_) return shut(0, "daemon connection " + why);
  if (refused_ || !registered_once_ || args_.reconnect_s == 0) return shut(1, "daemon connection " + why);
  log::warn("daemon connection ", why, ": killing this node's ", launcher_->running(),
            " task(s) (the daemon re-runs them) and coming back");
  launcher_->kill_all(SIGKILL, std::chrono::milliseconds(0));
  beat_.cancel();
  welcomed_ = false;
  give_up_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(args_.reconnect_s);
  retry_pause_ = std::chrono::milliseconds(500);
  retry_.expires_after(retry_pause_);
  retry_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) try_reconnect();
  });
}

void Agent::try_reconnect() {
  if (io_.stopped()) return;
  // The killed tasks must be gone (and reported to nobody) before this node offers its cores again.
  if (launcher_->running() == 0) {
    if (auto s = connect(); s) return;
    else log::info("reconnecting: ", s.error().message);
  }
  if (std::chrono::steady_clock::now() >= give_up_at_) return shut(1, "the daemon did not come back");
  retry_pause_ = std::min(retry_pause_ * 2, std::chrono::milliseconds(5000));
  retry_.expires_after(retry_pause_);
  retry_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) try_reconnect();
  });
}

void Agent::on_message(proto::Message&& m) {
  if (!welcomed_) {
    if (auto s = proto::check_welcome(m); !s) {
      log::error("daemon refused this agent: ", s.error().message);
      refused_ = true;
      shut(1, "refused");
      return;
    }
    welcomed_ = true;
    auto desc = agent::to_node_desc(topology_, args_.node);
    proto::Register r;
    r.node = args_.node;
    r.cores = desc.cores;
    r.memory = desc.memory;
    for (const auto& g : desc.gpus) r.gpus.push_back(proto::GpuDesc{g.id, g.close_cores});
    r.numa = agent::summarize(topology_);
    stream_->send(r);
    registered_once_ = true;
    heartbeat();
    return;
  }
  if (auto* a = std::get_if<proto::Assign>(&m)) return assign(*a);
  if (auto* k = std::get_if<proto::Kill>(&m)) {
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
    spec.env.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  for (const auto& kv : a.env) {
    auto eq = kv.find('=');
    if (eq != std::string::npos) spec.env.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  spec.cores = a.cores;
  spec.gpus = a.gpus;
  spec.memory_bytes = a.memory;
  if (auto pid = launcher_->start(spec); !pid) {
    proto::Finished f;
    f.task = a.task;
    f.attempt = a.attempt;
    f.cause = proto::FinishCause::kLaunchError;
    f.exit_code = 127;
    f.reason = pid.error().message;
    stream_->send(f);
  }
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
  auto topo = agent::discover_topology(topt);
  if (!topo) {
    log::error("cannot discover this node: ", topo.error().message);
    return 1;
  }
  topology_ = *topo;
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
    stream_->send(proto::Started{t.value(), attempt, static_cast<std::uint32_t>(pid)});
  });
  launcher_->on_finished([this](const agent::TaskResult& r) {
    stream_->send(to_finished(r));
    maybe_exit();
  });
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
