// compss-stub-agent - an agent that runs nothing, for tools/bench-load and its test: it registers like
// compss-agent (protocol.md 4.4) and answers every `assign` at once with `started` and `finished`
// (exited 0), so that a benchmark measures compssd alone, without the cost of a process launch per task.
// compssd starts it in place of compss-agent: compssd --agent PATH/compss-stub-agent [--launch local].
//
//   compss-stub-agent --daemon HOST:PORT --job-dir DIR [--node NAME]
//
// The job's secret comes from COMPSS_SECRET (as for compss-agent); the node is --node, else
// SLURMD_NODENAME, else the host name. COMPSS_STUB_CORES (default 8) is how many cores it offers. It
// heartbeats as the welcome asks, exits on `stop` or when the daemon closes the connection, and then
// writes DIR/agents/<node>.stub: `assigns A tasks T repeated R` (R: assigns of a task it had been assigned
// before, i.e. tasks that ran more than once).
// Exit status: 0 after `stop`, 1 when it could not connect or was refused or the connection broke first.
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <unordered_set>

#include "common/proto/codec.h"
#include "common/proto/frame.h"

using namespace compss;

namespace {

int dial(const std::string& host_port) {
  auto colon = host_port.rfind(':');
  if (colon == std::string::npos) return -1;
  std::string host = host_port.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), host_port.substr(colon + 1).c_str(), &hints, &res) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = res; a && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && ::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(res);
  return fd;
}

bool send_all(int fd, const proto::Frame& f) {
  std::size_t off = 0;
  while (off < f.size()) {
    ssize_t n = ::send(fd, f.data() + off, f.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string daemon, job_dir, node;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--daemon")
      daemon = argv[i + 1];
    else if (k == "--job-dir")
      job_dir = argv[i + 1];
    else if (k == "--node")
      node = argv[i + 1];
  }
  if (daemon.empty()) {
    std::fprintf(stderr, "usage: compss-stub-agent --daemon HOST:PORT --job-dir DIR [--node NAME]\n");
    return 2;
  }
  if (node.empty() && std::getenv("SLURMD_NODENAME")) node = std::getenv("SLURMD_NODENAME");
  if (node.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    node = host;
  }
  std::uint32_t cores = 8;
  if (const char* c = std::getenv("COMPSS_STUB_CORES"); c && std::atoi(c) > 0) cores = std::atoi(c);

  int fd = dial(daemon);
  if (fd < 0) {
    std::fprintf(stderr, "compss-stub-agent: cannot connect to %s\n", daemon.c_str());
    return 1;
  }
  proto::Hello h;
  h.role = proto::Role::kAgent;
  h.prog = "compss-stub-agent";
  h.node = node;
  if (const char* s = std::getenv("COMPSS_SECRET")) h.auth = s;
  if (!send_all(fd, proto::encode(h))) return 1;

  proto::FrameReader reader;
  std::unordered_set<std::uint64_t> seen;
  std::uint64_t assigns = 0, repeated = 0;
  bool welcomed = false, stopped = false;
  std::uint32_t heartbeat_s = 10;
  auto next_beat = std::chrono::steady_clock::now();
  proto::Frame out;  // the replies to one read, sent together
  std::vector<std::uint8_t> buf(1 << 16);
  const std::uint32_t pid = static_cast<std::uint32_t>(::getpid());
  while (!stopped) {
    int wait_ms = -1;
    if (welcomed && heartbeat_s > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next_beat - std::chrono::steady_clock::now());
      wait_ms = static_cast<int>(std::max<long long>(0, left.count()));
    }
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, wait_ms);
    if (r < 0 && errno == EINTR) continue;
    if (welcomed && heartbeat_s > 0 && std::chrono::steady_clock::now() >= next_beat) {
      if (!send_all(fd, proto::encode(proto::Heartbeat{}))) break;
      next_beat = std::chrono::steady_clock::now() + std::chrono::seconds(heartbeat_s);
    }
    if (r <= 0) continue;
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reader.feed(buf.data(), static_cast<std::size_t>(n));
    out.clear();
    while (auto m = reader.next()) {
      if (!*m) {
        std::fprintf(stderr, "compss-stub-agent: %s\n", m->error().message.c_str());
        if (reader.broken()) return 1;
        continue;
      }
      proto::Message& msg = m->value();
      if (!welcomed) {
        const auto* w = std::get_if<proto::Welcome>(&msg);
        if (!w) {
          const auto* e = std::get_if<proto::ErrorMessage>(&msg);
          std::fprintf(stderr, "compss-stub-agent: refused: %s\n", e ? e->message.c_str() : "not a welcome");
          return 1;
        }
        welcomed = true;
        heartbeat_s = w->heartbeat_s;
        next_beat = std::chrono::steady_clock::now() + std::chrono::seconds(heartbeat_s);
        proto::Register reg;
        reg.node = node;
        for (std::uint32_t c = 0; c < cores; ++c) reg.cores.push_back(c);
        reg.memory = 64ull << 30;
        reg.numa = std::to_string(cores) + " cores (stub agent: runs nothing)";
        auto f = proto::encode(reg);
        out.insert(out.end(), f.begin(), f.end());
      } else if (const auto* a = std::get_if<proto::Assign>(&msg)) {
        ++assigns;
        if (!seen.insert(a->task).second) ++repeated;
        auto s = proto::encode(proto::Started{.task = a->task, .attempt = a->attempt, .pid = pid});
        out.insert(out.end(), s.begin(), s.end());
        proto::Finished fin;
        fin.task = a->task;
        fin.attempt = a->attempt;
        fin.cause = proto::FinishCause::kExited;
        fin.exit_code = 0;
        auto f = proto::encode(fin);
        out.insert(out.end(), f.begin(), f.end());
      } else if (std::holds_alternative<proto::Stop>(msg)) {
        stopped = true;
      } else if (const auto* e = std::get_if<proto::ErrorMessage>(&msg)) {
        std::fprintf(stderr, "compss-stub-agent: daemon says: %s\n", e->message.c_str());
      }
      // kill: every task here has finished already; nothing to do.
    }
    if (!out.empty() && !send_all(fd, out)) break;
  }
  ::close(fd);
  if (!job_dir.empty()) {
    std::ofstream f(job_dir + "/agents/" + node + ".stub");
    f << "assigns " << assigns << " tasks " << seen.size() << " repeated " << repeated << "\n";
  }
  std::fprintf(stderr, "compss-stub-agent %s: %s; assigns %llu tasks %zu repeated %llu\n", node.c_str(),
               stopped ? "stopped" : "connection closed", static_cast<unsigned long long>(assigns), seen.size(),
               static_cast<unsigned long long>(repeated));
  return stopped ? 0 : 1;
}
