// compss-load - the load benchmark's driver (tools/bench-load, `make bench` part `load`): many concurrent
// clients submit no-op tasks into one compssd while `status` is timed and, half way through, a flood of
// connections that never authenticate hits the daemon's TCP port. It runs as compssd's driver:
//
//   compssd [--agent .../compss-stub-agent] -- compss-load --clients 100 --tasks 1000000 --flood 1000
//
// Phases, all against the one daemon of COMPSS_SOCKET (TCP for the flood: COMPSS_ADDRESS):
//   1. baseline: `status` timed on the idle daemon; then one client submits one array of --baseline-tasks
//      and waits for it (the same daemon's one-client rate).
//   2. load: --clients threads, each with its own connection, submit their share of --tasks: arrays of
//      --array-min..--array-max tasks, and --single-percent of the tasks one per submit. A poller opens a
//      new connection every --status-ms and asks `status` (what `compss status` does, without the process
//      start), timing each. When --flood-at of the tasks are submitted, --flood connections are opened at
//      once to the TCP port and never say hello; they are held --flood-hold seconds. The load ends when
//      `wait --all` answers (with --client-wait each client waits for its own tasks first).
//   3. verification: every id the submits returned is distinct and their number is what was submitted;
//      `status` counts them all done; `query` says each is done after exactly one attempt (none lost, none
//      run twice).
// Every figure is a line `bench <name> <value> <unit>` with its baseline of this run beside it (one client;
// the idle daemon; the same phase of the load without the flood); the daemon's memory is its VmHWM growth
// (from /proc/PID/status of compssd, the nearest ancestor of that name, or --daemon-pid) over the load,
// divided by the tasks of the load. Lines `load: ...` say how many tasks were done while the clients were
// submitting and after (the phases), what became of the flood, and the verification.
// Figures depend on the agents: with compss-agent each task is a process launch; with compss-stub-agent
// (tools/bench_stub_agent.cc) none, so the figures are compssd's own.
// Exit status: 0 when every task was accounted for and no client request failed; 1 otherwise; 2 usage;
// 3 no daemon to talk to.
#include <netdb.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/program_options.hpp>
#include <chrono>
#include <compss/client.hpp>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace po = boost::program_options;
using compss::client::Connection;
using compss::client::IdRange;
using compss::client::Selection;
using compss::client::TaskSpec;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::uint32_t clients = 100;
  std::uint64_t tasks = 1000000;
  std::uint64_t baseline_tasks = 0;  // 0: tasks / 20
  std::uint64_t array_min = 50, array_max = 500;
  std::uint32_t single_percent = 10;
  std::uint32_t flood = 1000;
  double flood_at = 0.5;
  double flood_hold_s = 8;
  std::uint32_t status_ms = 100;
  bool client_wait = false;
  bool verify = true;
  int daemon_pid = 0;
  std::uint64_t seed = 1;
  std::string timeline;  // a file for the polls: seconds, ms, ok, done
  std::vector<std::string> argv{"true"};
};

double since(Clock::time_point t0, Clock::time_point t = Clock::now()) {
  return std::chrono::duration<double>(t - t0).count();
}

// ---- the daemon's memory --------------------------------------------------------------------------------

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int parent_of(int pid) {
  std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(in, line);)
    if (line.rfind("PPid:", 0) == 0) return std::atoi(line.c_str() + 5);
  return 0;
}

// compssd: the nearest ancestor of that name (the driver may be started through a script).
int find_daemon() {
  for (int pid = ::getppid(), hops = 0; pid > 1 && hops < 8; pid = parent_of(pid), ++hops) {
    std::string comm = read_file("/proc/" + std::to_string(pid) + "/comm");
    while (!comm.empty() && comm.back() == '\n') comm.pop_back();
    if (comm == "compssd" || comm.rfind("lt-compssd", 0) == 0) return pid;
  }
  return 0;
}

// A field of /proc/PID/status in bytes (VmRSS, VmHWM); 0 when unknown.
std::uint64_t proc_kb(int pid, const char* field) {
  if (pid <= 0) return 0;
  std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/status"));
  const std::string key = std::string(field) + ":";
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key, 0) == 0) return std::strtoull(line.c_str() + key.size(), nullptr, 10) * 1024;
  return 0;
}

// ---- status, timed ----------------------------------------------------------------------------------------

struct Poll {
  double t = 0;   // seconds since the load began
  double ms = 0;  // connect + hello + status + close
  bool ok = false;
  std::uint64_t done = 0;
  std::string error;
};

Poll poll_status(Clock::time_point t0) {
  Poll p;
  const auto a = Clock::now();
  p.t = since(t0, a);
  auto c = Connection::connect();
  if (!c) {
    p.error = "connect: " + c.error().message;
  } else if (auto s = c->status(); !s) {
    p.error = "status: " + s.error().message;
  } else {
    p.ok = true;
    p.done = s->counts.done;
  }
  p.ms = since(a) * 1000;
  return p;
}

// ---- the flood of strangers ------------------------------------------------------------------------------

struct FloodResult {
  bool ran = false;
  std::uint32_t asked = 0, opened = 0, failed = 0, closed_by_daemon = 0;
  double t_begin = 0, t_opened = 0, t_end = 0;  // seconds since the load began
  double all_closed_after_s = -1;               // every opened one was closed by the daemon this long after
  std::string error;
};

// Opens `n` TCP connections to `address` at once (non-blocking connects, then up to 5 s for them to
// complete), says nothing on them, holds them `hold_s` seconds and counts those the daemon closes.
FloodResult flood(const std::string& address, std::uint32_t n, double hold_s, Clock::time_point t0) {
  FloodResult r;
  r.ran = true;
  r.asked = n;
  r.t_begin = since(t0);
  std::string a = address.rfind("tcp:", 0) == 0 ? address.substr(4) : address;
  auto colon = a.rfind(':');
  if (colon == std::string::npos) {
    r.error = "no TCP address (COMPSS_ADDRESS '" + address + "')";
    return r;
  }
  std::string host = a.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int e = ::getaddrinfo(host.c_str(), a.substr(colon + 1).c_str(), &hints, &res); e != 0 || !res) {
    r.error = std::string("cannot resolve ") + a + ": " + ::gai_strerror(e);
    return r;
  }
  std::vector<pollfd> fds;
  for (std::uint32_t i = 0; i < n; ++i) {
    int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      ++r.failed;
      continue;
    }
    if (::connect(fd, res->ai_addr, res->ai_addrlen) != 0 && errno != EINPROGRESS) {
      ::close(fd);
      ++r.failed;
      continue;
    }
    fds.push_back(pollfd{fd, POLLOUT, 0});
  }
  ::freeaddrinfo(res);
  // Completion of the connects: writable, then SO_ERROR says how it went.
  std::vector<pollfd> open;
  const auto connect_deadline = Clock::now() + std::chrono::seconds(5);
  while (!fds.empty() && Clock::now() < connect_deadline) {
    if (::poll(fds.data(), fds.size(), 100) <= 0) continue;
    for (auto it = fds.begin(); it != fds.end();) {
      if (!it->revents) {
        ++it;
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(it->fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err == 0) {
        open.push_back(pollfd{it->fd, POLLIN, 0});
      } else {
        ::close(it->fd);
        ++r.failed;
      }
      it = fds.erase(it);
    }
  }
  for (const pollfd& p : fds) {  // still connecting after 5 s
    ::close(p.fd);
    ++r.failed;
  }
  r.opened = static_cast<std::uint32_t>(open.size());
  r.t_opened = since(t0);
  // Hold them; a connection the daemon closed reads end-of-file (or a reset).
  const auto hold_until = Clock::now() + std::chrono::milliseconds(static_cast<long>(hold_s * 1000));
  std::size_t live = open.size();
  char buf[4096];
  while (Clock::now() < hold_until && live > 0) {
    if (::poll(open.data(), open.size(), 50) <= 0) continue;
    for (pollfd& p : open) {
      if (p.fd < 0 || !p.revents) continue;
      ssize_t got = ::recv(p.fd, buf, sizeof buf, MSG_DONTWAIT);
      if (got > 0 || (got < 0 && (errno == EAGAIN || errno == EINTR))) continue;
      ::close(p.fd);
      p.fd = -1;  // poll ignores it from now on
      ++r.closed_by_daemon;
      if (--live == 0) r.all_closed_after_s = since(t0) - r.t_opened;
    }
  }
  for (pollfd& p : open)
    if (p.fd >= 0) ::close(p.fd);
  r.t_end = since(t0);
  return r;
}

// ---- the clients ----------------------------------------------------------------------------------------

struct ClientResult {
  std::vector<IdRange> ranges;
  std::uint64_t tasks = 0, arrays = 0, singles = 0;
  Clock::time_point submitted_at;  // when its last submit was answered
  std::vector<std::string> errors;
};

struct Shared {
  std::mutex m;
  std::condition_variable cv;
  bool go = false;
  std::uint32_t connected = 0;
  std::atomic<std::uint64_t> submitted{0};
  std::atomic<bool> clients_done{false};  // every client has returned (submitted, or given up)
  std::atomic<bool> stop{false};
};

void run_client(const Options& o, std::uint32_t index, std::uint64_t share, Shared& sh, ClientResult& out) {
  auto c = Connection::connect();
  {
    std::lock_guard<std::mutex> lk(sh.m);
    ++sh.connected;
  }
  sh.cv.notify_all();
  if (!c) {
    out.errors.push_back("client " + std::to_string(index) + ": connect: " + c.error().message);
    return;
  }
  {
    std::unique_lock<std::mutex> lk(sh.m);
    sh.cv.wait(lk, [&] { return sh.go; });
  }
  std::mt19937_64 rng(o.seed * 1000003 + index);
  const std::uint64_t singles_total = share * o.single_percent / 100;
  std::uint64_t singles_left = singles_total, array_left = share - singles_total;
  TaskSpec single;
  single.argv = o.argv;
  TaskSpec array = single;
  auto submit = [&](const TaskSpec& t, std::uint64_t n) {
    auto ids = c->submit({t});
    if (!ids) {
      out.errors.push_back("client " + std::to_string(index) + ": submit: " + ids.error().message);
      return false;
    }
    for (const IdRange& r : *ids) out.ranges.push_back(r);
    out.tasks += n;
    sh.submitted.fetch_add(n, std::memory_order_relaxed);
    return true;
  };
  // An array, then single submissions in proportion, until the share is submitted.
  while ((singles_left > 0 || array_left > 0) && !sh.stop.load()) {
    if (array_left > 0) {
      std::uniform_int_distribution<std::uint64_t> size(o.array_min, std::max(o.array_min, o.array_max));
      const std::uint64_t k = std::min(array_left, size(rng));
      array.array = compss::client::ArraySpec{1, k, 1};
      if (!submit(array, k)) return;
      ++out.arrays;
      const std::uint64_t s = array_left == k ? singles_left : std::min(singles_left, singles_left * k / array_left);
      array_left -= k;
      for (std::uint64_t i = 0; i < s; ++i, --singles_left, ++out.singles)
        if (!submit(single, 1)) return;
    } else {
      for (; singles_left > 0; --singles_left, ++out.singles)
        if (!submit(single, 1)) return;
    }
  }
  out.submitted_at = Clock::now();
  if (o.client_wait && !out.ranges.empty()) {
    auto w = c->wait(Selection::of_ranges(out.ranges));
    if (!w) {
      out.errors.push_back("client " + std::to_string(index) + ": wait: " + w.error().message);
    } else if (!w->succeeded() || w->done != out.tasks) {
      out.errors.push_back("client " + std::to_string(index) + ": wait: " + std::to_string(w->done) + " of " +
                           std::to_string(out.tasks) + " done, " + std::to_string(w->failed.size()) + " failed, " +
                           std::to_string(w->cancelled.size()) + " cancelled");
    }
  }
}

// ---- output ---------------------------------------------------------------------------------------------

void figure(const char* name, double value, const char* unit, const std::string& note = "") {
  std::printf("bench %s %.*f %s%s%s\n", name, value < 100 && value != static_cast<long long>(value) ? 1 : 0, value,
              unit, note.empty() ? "" : "   ", note.c_str());
  std::fflush(stdout);
}

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

Options parse(int argc, char** argv, bool& help, std::string& error) {
  Options o;
  po::options_description d("compss-load options");
  d.add_options()("help,h", "show this help")("clients", po::value(&o.clients), "concurrent clients (default 100)")(
      "tasks", po::value(&o.tasks), "tasks of the load, all clients together (default 1000000)")(
      "baseline-tasks", po::value(&o.baseline_tasks), "one client's array before the load (default tasks/20)")(
      "array-min", po::value(&o.array_min), "smallest array (default 50)")("array-max", po::value(&o.array_max),
                                                                           "largest array (default 500)")(
      "single-percent", po::value(&o.single_percent), "tasks submitted one per submit, in % (default 10)")(
      "flood", po::value(&o.flood), "connections opened at once that never say hello (default 1000; 0: none)")(
      "flood-at", po::value(&o.flood_at), "when this fraction of the tasks is submitted (default 0.5)")(
      "flood-hold", po::value(&o.flood_hold_s), "seconds the flood's connections are held (default 8)")(
      "status-ms", po::value(&o.status_ms), "a timed status every this many ms (default 100)")(
      "client-wait", po::bool_switch(&o.client_wait), "each client waits for its own tasks")(
      "no-verify", "skip the per-task query of the verification")(
      "daemon-pid", po::value(&o.daemon_pid), "compssd's pid (default: the nearest ancestor named compssd)")(
      "seed", po::value(&o.seed), "random seed of the array sizes (default 1)")(
      "timeline", po::value(&o.timeline), "write every status poll to this file: seconds ms ok done")(
      "argv", po::value(&o.argv)->multitoken(), "the task's command (default: true)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, d), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    error = std::string("compss-load: ") + e.what();
    return o;
  }
  if (vm.count("help")) {
    std::cout << "usage: compss-load [options]   (as compssd's driver)\n" << d;
    help = true;
  }
  if (vm.count("no-verify")) o.verify = false;
  if (o.clients == 0 || o.tasks < o.clients) error = "compss-load: --tasks must be at least --clients (>= 1)";
  if (o.array_min == 0 || o.single_percent > 100) error = "compss-load: --array-min >= 1, --single-percent <= 100";
  if (o.argv.empty()) error = "compss-load: --argv needs a command";
  if (o.baseline_tasks == 0) o.baseline_tasks = std::max<std::uint64_t>(1, o.tasks / 20);
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  bool help = false;
  std::string error;
  const Options o = parse(argc, argv, help, error);
  if (help) return 0;
  if (!error.empty()) {
    std::cerr << error << " (see --help)\n";
    return 2;
  }
  // One descriptor per client and per flood connection, and some to spare.
  rlimit nofile{};
  if (::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
    nofile.rlim_cur = nofile.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &nofile);
  }
  std::uint32_t flood_n = o.flood;
  if (::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY &&
      flood_n + o.clients + 64 > nofile.rlim_cur) {
    flood_n = nofile.rlim_cur > o.clients + 64 ? static_cast<std::uint32_t>(nofile.rlim_cur - o.clients - 64) : 0;
    std::printf("load: only %u descriptors: the flood opens %u connections, not %u\n",
                static_cast<unsigned>(nofile.rlim_cur), flood_n, o.flood);
  }
  const int daemon = o.daemon_pid ? o.daemon_pid : find_daemon();
  const char* tcp = std::getenv("COMPSS_ADDRESS");

  auto main_c = Connection::connect();
  if (!main_c) {
    std::cerr << "compss-load: " << main_c.error().message << "\n";
    return 3;
  }
  std::vector<IdRange> all_ranges;
  bool failed = false;

  // ---- 1. baselines: status on the idle daemon, one client's array ----
  std::vector<double> idle_ms;
  const auto b0 = Clock::now();
  for (int i = 0; i < 10; ++i) {
    Poll p = poll_status(b0);
    if (p.ok) idle_ms.push_back(p.ms);
  }
  double baseline_rate = 0;
  {
    TaskSpec t;
    t.argv = o.argv;
    t.array = compss::client::ArraySpec{1, o.baseline_tasks, 1};
    const auto a = Clock::now();
    auto ids = main_c->submit({t});
    if (!ids) {
      std::cerr << "compss-load: the baseline submit failed: " << ids.error().message << "\n";
      return 1;
    }
    all_ranges.insert(all_ranges.end(), ids->begin(), ids->end());
    auto w = main_c->wait(Selection::of_ranges(*ids));
    if (!w || !w->succeeded()) {
      std::cerr << "compss-load: the baseline array did not succeed: "
                << (w ? std::to_string(w->failed.size()) + " failed" : w.error().message) << "\n";
      return 1;
    }
    baseline_rate = static_cast<double>(o.baseline_tasks) / since(a);
  }
  const std::uint64_t rss_before = proc_kb(daemon, "VmRSS");

  // ---- 2. the load ----
  Shared sh;
  std::vector<ClientResult> results(o.clients);
  std::vector<std::thread> clients;
  for (std::uint32_t i = 0; i < o.clients; ++i) {
    const std::uint64_t share = o.tasks / o.clients + (i < o.tasks % o.clients ? 1 : 0);
    clients.emplace_back(run_client, std::cref(o), i, share, std::ref(sh), std::ref(results[i]));
  }
  {
    std::unique_lock<std::mutex> lk(sh.m);
    sh.cv.wait(lk, [&] { return sh.connected == o.clients; });
  }
  const auto t0 = Clock::now();
  {
    std::lock_guard<std::mutex> lk(sh.m);
    sh.go = true;
  }
  sh.cv.notify_all();

  std::vector<Poll> polls;
  std::thread poller([&] {
    auto next = Clock::now();
    while (!sh.stop.load()) {
      polls.push_back(poll_status(t0));
      next += std::chrono::milliseconds(o.status_ms);
      const auto now = Clock::now();
      if (next < now) next = now;
      std::this_thread::sleep_until(next);
    }
  });
  FloodResult fl;
  std::thread flooder([&] {
    if (flood_n == 0) return;
    const auto at = static_cast<std::uint64_t>(o.flood_at * static_cast<double>(o.tasks));
    while (!sh.clients_done.load() && sh.submitted.load() < std::max<std::uint64_t>(1, at))
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (sh.submitted.load() < std::max<std::uint64_t>(1, at)) return;  // the clients gave up before
    if (!tcp || !*tcp) {
      fl.error = "COMPSS_ADDRESS is not set: no TCP port to flood";
      return;
    }
    fl = flood(tcp, flood_n, o.flood_hold_s, t0);
  });
  for (auto& t : clients) t.join();
  sh.clients_done = true;
  double submit_s = 0;  // the last client's last submit answered
  for (const ClientResult& r : results)
    if (r.submitted_at != Clock::time_point{}) submit_s = std::max(submit_s, since(t0, r.submitted_at));
  std::uint64_t submitted = 0, arrays = 0, singles = 0;
  std::vector<std::string> errors;
  for (const ClientResult& r : results) {
    submitted += r.tasks;
    arrays += r.arrays;
    singles += r.singles;
    all_ranges.insert(all_ranges.end(), r.ranges.begin(), r.ranges.end());
    errors.insert(errors.end(), r.errors.begin(), r.errors.end());
  }
  auto w = main_c->wait(Selection::everything());
  const double load_s = since(t0);
  flooder.join();  // the flood may outlast the load; it is over before the figures
  sh.stop = true;
  poller.join();
  const std::uint64_t hwm_after = proc_kb(daemon, "VmHWM"), rss_after = proc_kb(daemon, "VmRSS");
  if (!w)
    errors.push_back("wait --all: " + w.error().message);
  else if (!w->succeeded())
    errors.push_back("wait --all: " + std::to_string(w->failed.size()) + " failed, " +
                     std::to_string(w->cancelled.size()) + " cancelled");

  // ---- 3. verification ----
  const std::uint64_t expected = o.baseline_tasks + submitted;
  std::uint64_t distinct = 0, overlapping = 0, lost = 0, ran_twice = 0, queried = 0;
  std::sort(all_ranges.begin(), all_ranges.end(), [](const IdRange& a, const IdRange& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < all_ranges.size(); ++i) {
    distinct += all_ranges[i].count();
    if (i > 0 && all_ranges[i].first <= all_ranges[i - 1].last) ++overlapping;
  }
  auto st = main_c->status();
  if (!st) errors.push_back("status: " + st.error().message);
  const bool counts_ok = st && st->counts.done == expected && st->counts.failed == 0 && st->counts.cancelled == 0 &&
                         st->counts.pending + st->counts.ready + st->counts.scheduled + st->counts.running == 0;
  if (o.verify) {
    std::vector<compss::client::TaskId> batch;
    auto check = [&] {
      if (batch.empty()) return;
      auto q = main_c->query(batch);
      if (!q) {
        errors.push_back("query: " + q.error().message);
        lost += batch.size();
      } else {
        for (const auto& t : *q) {
          if (t.state != "done")
            ++lost;
          else if (t.attempts != 1)
            ++ran_twice;
        }
      }
      queried += batch.size();
      batch.clear();
    };
    for (const IdRange& r : all_ranges)
      for (auto id = r.first; id <= r.last; ++id) {
        batch.push_back(id);
        if (batch.size() == 10000) check();
      }
    check();
  }

  // ---- figures ----
  const double idle_max = idle_ms.empty() ? 0 : *std::max_element(idle_ms.begin(), idle_ms.end());
  std::vector<double> ms, flood_ms;
  std::uint64_t poll_failures = 0, slow = 0;
  for (const Poll& p : polls) {
    if (!p.ok) {
      ++poll_failures;
      continue;
    }
    ms.push_back(p.ms);
    if (p.ms > 1000) ++slow;
    if (fl.ran && p.t >= fl.t_begin && p.t <= fl.t_end) flood_ms.push_back(p.ms);
  }
  const double max_ms = ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end());
  const double rate = static_cast<double>(submitted) / load_s;
  std::printf("load: %u clients, %llu tasks (%llu arrays of %llu..%llu, %llu single submissions), task: %s\n",
              o.clients, static_cast<unsigned long long>(submitted), static_cast<unsigned long long>(arrays),
              static_cast<unsigned long long>(o.array_min), static_cast<unsigned long long>(o.array_max),
              static_cast<unsigned long long>(singles), o.argv[0].c_str());
  figure("load_1client_tasks_per_s", baseline_rate, "tasks/s",
         "(baseline: one client, one array of " + std::to_string(o.baseline_tasks) + ", same daemon)");
  figure("load_tasks_per_s", rate, "tasks/s",
         "(" + std::to_string(o.clients) + " clients; submitted in " + fmt("%.1f", submit_s) + " s, all done in " +
             fmt("%.1f", load_s) + " s)");
  figure("load_status_idle_max_ms", idle_max, "ms", "(baseline: the idle daemon, 10 polls)");
  figure("load_status_max_ms", max_ms, "ms",
         "(" + std::to_string(polls.size()) + " polls every " + std::to_string(o.status_ms) +
             " ms, each a new connection; median " + fmt("%.1f", percentile(ms, 0.5)) + ", p99 " +
             fmt("%.1f", percentile(ms, 0.99)) + "; over 1000 ms: " + std::to_string(slow) +
             "; failed: " + std::to_string(poll_failures) + "; target: every one under 1000 ms)");
  if (daemon > 0 && rss_before > 0) {
    const double per_task = (static_cast<double>(hwm_after) - static_cast<double>(rss_before)) /
                            static_cast<double>(std::max<std::uint64_t>(1, submitted));
    figure("load_daemon_bytes_per_task", per_task, "bytes",
           "(compssd's VmHWM growth over the load / its tasks: " + fmt("%.0f", rss_before / 1048576.0) +
               " MB -> peak " + fmt("%.0f", hwm_after / 1048576.0) +
               " MB; resident after: " + fmt("%.0f", rss_after / 1048576.0) + " MB, " +
               fmt("%.0f", (static_cast<double>(rss_after) - static_cast<double>(rss_before)) /
                               static_cast<double>(std::max<std::uint64_t>(1, submitted))) +
               " bytes/task)");
    figure("load_daemon_peak_mb", hwm_after / 1048576.0, "MB");
  } else {
    std::printf("load: compssd's memory is not known (no ancestor named compssd; --daemon-pid)\n");
  }
  // Tasks done at a time of the load, from the polls (the last one at or before it).
  auto done_at = [&](double t) {
    if (t >= load_s) return static_cast<double>(o.baseline_tasks + submitted);
    double d = static_cast<double>(o.baseline_tasks);
    for (const Poll& p : polls)
      if (p.ok && p.t <= t) d = static_cast<double>(p.done);
    return d;
  };
  {
    const double during = done_at(submit_s) - static_cast<double>(o.baseline_tasks);
    const double after_s = load_s - submit_s, after_n = static_cast<double>(submitted) - during;
    auto per_s = [](double n, double t) {
      return t >= 0.5 ? fmt("%.0f/s", n / t) : std::string("too short for a rate");
    };
    std::printf(
        "load: phases: while the clients submitted (%.1f s) %.0f tasks were done (%s); in the %.1f s after, "
        "%.0f (%s)\n",
        submit_s, during, per_s(during, submit_s).c_str(), after_s, after_n, per_s(after_n, after_s).c_str());
  }
  if (fl.ran) {
    // The rate while the flood was on, from the done counts of the polls around it: the last poll before
    // it began, the first after it ended or after every task was done (the load may end first).
    const Poll* before = nullptr;
    const Poll* after = nullptr;
    const std::uint64_t all_done = o.baseline_tasks + submitted;
    for (const Poll& p : polls) {
      if (!p.ok) continue;
      if (p.t <= fl.t_begin) before = &p;
      if (!after && p.t > fl.t_begin && (p.t >= fl.t_end || p.done >= all_done)) after = &p;
    }
    const double flood_max = flood_ms.empty() ? 0 : *std::max_element(flood_ms.begin(), flood_ms.end());
    figure("load_status_flood_max_ms", flood_max, "ms",
           "(the polls while the flood was on: " + std::to_string(flood_ms.size()) + ")");
    if (before && after && after->t > before->t) {
      // The baseline: the rest of the phase the flood fell in (the clients submitting, or the daemon
      // running what was submitted: its rates differ, see the phases line), or of the whole load when the
      // flood straddles both.
      const double span = after->t - before->t;
      const double flood_done = static_cast<double>(after->done - before->done);
      double from = 0, to = load_s;
      const char* phase = "load";
      if (after->t <= submit_s)
        to = submit_s, phase = "submission phase";
      else if (before->t >= submit_s)
        from = submit_s, phase = "run-out phase";
      const double rest_t = (to - from) - span;
      const double rest_done = done_at(to) - done_at(from) - flood_done;
      if (rest_t >= 0.5 && rest_done >= 0)
        figure("load_noflood_tasks_per_s", rest_done / rest_t, "tasks/s",
               "(baseline: tasks done per second in the " + fmt("%.1f", rest_t) + " s of the " + phase +
                   " without the flood)");
      figure("load_flood_tasks_per_s", flood_done / span, "tasks/s",
             "(tasks done per second while the flood was on, " + fmt("%.1f", span) + " s)");
    }
    std::printf(
        "load: flood: %u connections asked at %.1f s, %u opened in %.2f s, %u failed to open; "
        "closed by the daemon within %.0f s: %u%s\n",
        fl.asked, fl.t_begin, fl.opened, fl.t_opened - fl.t_begin, fl.failed, o.flood_hold_s, fl.closed_by_daemon,
        fl.all_closed_after_s >= 0 ? (" (all of them, after " + fmt("%.1f", fl.all_closed_after_s) + " s)").c_str()
                                   : "");
  } else if (!fl.error.empty()) {
    std::printf("load: flood: not run: %s\n", fl.error.c_str());
  } else if (flood_n > 0) {
    std::printf("load: flood: not run (the load was over before %.0f%% of it was submitted)\n", o.flood_at * 100);
  }
  for (const Poll& p : polls)
    if (!p.ok) {
      std::printf("load: a status poll at %.1f s failed: %s\n", p.t, p.error.c_str());
      break;
    }
  if (fl.ran)
    std::printf("load: the flood %s the run: %zu client errors, %llu status polls failed, %llu over 1000 ms\n",
                errors.empty() && poll_failures == 0 && slow == 0 ? "did not stop" : "disturbed", errors.size(),
                static_cast<unsigned long long>(poll_failures), static_cast<unsigned long long>(slow));

  if (!o.timeline.empty()) {
    if (FILE* f = std::fopen(o.timeline.c_str(), "w")) {
      std::fprintf(f, "# seconds since the load began, status ms, answered, tasks done; flood %.2f..%.2f s\n",
                   fl.t_begin, fl.t_end);
      for (const Poll& p : polls)
        std::fprintf(f, "%.3f %.2f %d %llu\n", p.t, p.ms, p.ok ? 1 : 0, static_cast<unsigned long long>(p.done));
      std::fclose(f);
    }
  }
  const bool ids_ok = distinct == expected && overlapping == 0;
  std::printf(
      "load: verified: %llu tasks submitted (%llu of the baseline), %llu ids returned, %llu overlapping "
      "ranges; status: %s; %s\n",
      static_cast<unsigned long long>(expected), static_cast<unsigned long long>(o.baseline_tasks),
      static_cast<unsigned long long>(distinct), static_cast<unsigned long long>(overlapping),
      !st ? "no answer"
          : (std::to_string(st->counts.done) + " done, " + std::to_string(st->counts.failed) + " failed, " +
             std::to_string(st->counts.cancelled) + " cancelled")
                .c_str(),
      o.verify ? ("query: " + std::to_string(queried) + " tasks, " + std::to_string(lost) + " not done, " +
                  std::to_string(ran_twice) + " ran more than once")
                     .c_str()
               : "no per-task query (--no-verify)");
  failed = !errors.empty() || !ids_ok || !counts_ok || lost > 0 || ran_twice > 0 || submitted != o.tasks;
  for (std::size_t i = 0; i < errors.size() && i < 10; ++i) std::printf("load: error: %s\n", errors[i].c_str());
  if (errors.size() > 10) std::printf("load: ... %zu errors in all\n", errors.size());
  const std::uint64_t done = st ? st->counts.done : 0;
  const std::uint64_t lost_n = o.verify ? lost : expected - std::min(expected, done);
  const std::uint64_t dup_n = overlapping + ran_twice + (done > expected ? done - expected : 0);
  std::printf("load: %s: %llu lost, %llu duplicated\n", failed ? "FAILED" : "ok",
              static_cast<unsigned long long>(lost_n), static_cast<unsigned long long>(dup_n));
  return failed ? 1 : 0;
}
