#include "tests/unit/client/fake_daemon.h"

#include <arpa/inet.h>
#include <munge.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "common/proto/codec.h"
#include "common/proto/handshake.h"
#include "common/proto/frame.h"

namespace compss::test {

namespace {

void write_all(int fd, const std::uint8_t* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return;  // the client went away; the test will see it from its side
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

bool readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) > 0;
}

}  // namespace

Answer reply(proto::Message m) {
  Answer a;
  a.messages.push_back(std::move(m));
  return a;
}

Answer reply_and_close(proto::Message m) {
  Answer a = reply(std::move(m));
  a.close = true;
  return a;
}

Answer hang_up() {
  Answer a;
  a.close = true;
  return a;
}

Answer raw_bytes(std::vector<std::uint8_t> bytes, bool close) {
  Answer a;
  a.raw = std::move(bytes);
  a.close = close;
  return a;
}

FakeDaemon::FakeDaemon(Script script, Transport transport) : script_(std::move(script)) {
  if (transport == Transport::kTcp) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sin;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&sin), sizeof sin) < 0 || ::listen(listen_fd_, 8) < 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&sin), &len) < 0)
      throw std::runtime_error("cannot listen on 127.0.0.1");
    path_ = "127.0.0.1:" + std::to_string(ntohs(sin.sin_port));
  } else {
    char tmpl[] = "/tmp/compss-fake-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    path_ = dir_ + "/compss.sock";
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::strncpy(sun.sun_path, path_.c_str(), sizeof sun.sun_path - 1);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&sun), sizeof sun) < 0 || ::listen(listen_fd_, 8) < 0)
      throw std::runtime_error("cannot listen on " + path_);
  }
  thread_ = std::thread([this] { serve(); });
}

FakeDaemon::~FakeDaemon() {
  stop_ = true;
  thread_.join();
  ::close(listen_fd_);
  if (!dir_.empty()) {
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
}

std::vector<proto::Message> FakeDaemon::received() const {
  std::lock_guard lock(mu_);
  return received_;
}

void FakeDaemon::serve() {
  while (!stop_) {
    if (!readable(listen_fd_, 20)) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    serve_connection(fd);
    ::close(fd);
  }
}

void FakeDaemon::serve_connection(int fd) {
  proto::FrameReader reader;
  std::uint8_t buf[65536];
  while (!stop_) {
    if (!readable(fd, 20)) continue;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    reader.feed(buf, static_cast<std::size_t>(n));
    while (auto m = reader.next()) {
      if (!*m) return;  // the client sent something undecodable: a test failure shows on the client side
      {
        std::lock_guard lock(mu_);
        received_.push_back(**m);
      }
      Answer a = script_ ? script_(*this, **m) : canned(**m);
      for (const auto& out : a.messages) {
        auto frame = proto::encode(out);
        write_all(fd, frame.data(), frame.size());
      }
      write_all(fd, a.raw.data(), a.raw.size());
      if (a.close) return;
    }
  }
}

Answer FakeDaemon::canned(const proto::Message& m) {
  if (const auto* h = std::get_if<proto::Hello>(&m)) {
    proto::Welcome w{proto::kProtocolVersion, "fake-compssd", "4242", 10, {}};
    if (!h->auth.empty()) w.auth = munge_answer(h->auth);
    return test::reply(w);
  }
  if (const auto* s = std::get_if<proto::Submit>(&m)) {
    proto::Submitted reply{s->rid, {}};
    for (const auto& t : s->tasks) {
      std::uint64_t n = t.array ? (t.array->last - t.array->first) / t.array->step + 1 : 1;
      reply.ids.push_back({next_id_, next_id_ + n - 1});
      next_id_ += n;
    }
    return test::reply(reply);
  }
  if (const auto* w = std::get_if<proto::Wait>(&m)) {
    proto::WaitResult r;
    r.rid = w->rid;
    r.done = w->all ? next_id_ : proto::count(w->ids);
    return test::reply(r);
  }
  if (const auto* s = std::get_if<proto::StatusQuery>(&m)) {
    proto::StatusResult r;
    r.rid = s->rid;
    r.counts.running = 2;
    r.counts.done = 5;
    r.counts.cached = 3;  // a resumed run's
    r.counts.ready = 3;
    r.counts.held = 2;  // by the job's time limit
    r.nodes.push_back({"n1", proto::NodeState::kUp, 16, 4});
    proto::NodeInfo n2{"n2", proto::NodeState::kReleased, 16, 0, 1};
    n2.granted = 2;
    n2.joined = 2.5;
    n2.left = 9;
    n2.why = "idle 5 s";
    r.nodes.push_back(n2);
    r.events.push_back({0.5, "joined", "n1", std::nullopt, 0, 0, "16 cores", "node n1 joined: 16 cores"});
    r.events.push_back({2, "granted", "n2", std::nullopt, 1, 0, "after 0.4 s", "grow request 1 granted n2: after 0.4 s"});
    r.events.push_back({9, "released", "n2", std::nullopt, 1, 0, "helper job 7 ended",
                        "n2 given back to SLURM: helper job 7 ended"});
    return test::reply(r);
  }
  if (const auto* c = std::get_if<proto::Cancel>(&m))
    return test::reply(proto::Cancelled{c->rid, proto::count(c->ids)});
  if (const auto* e = std::get_if<proto::Explain>(&m))
    return test::reply(proto::Explanation{e->rid,
                                          e->id,
                                          "task " + std::to_string(e->id) + " is pending: waits for 1 task",
                                          {"waits for task 0 (member, running on n1)"}});
  if (const auto* q = std::get_if<proto::Query>(&m)) {
    proto::QueryResult r;
    r.rid = q->rid;
    for (const auto& range : q->ids)
      for (auto id = range.first; id <= range.last; ++id)
        r.tasks.push_back({id, "t" + std::to_string(id), proto::TaskState::kDone, "n1", 0, 0, 1, ""});
    return test::reply(r);
  }
  if (const auto* s = std::get_if<proto::Shutdown>(&m)) return test::reply(proto::Ok{s->rid});
  return test::reply(proto::ErrorMessage{0, proto::ErrorCode::kUnexpected, "fake daemon: unexpected message"});
}

namespace {
std::mutex g_payload_mu;
std::string g_last_payload;
}  // namespace

std::string last_hello_payload() {
  std::lock_guard lock(g_payload_mu);
  return g_last_payload;
}

std::string munge_answer(const std::string& client_credential, const std::string& nonce_override) {
  void* payload = nullptr;
  int len = 0;
  if (munge_decode(client_credential.c_str(), nullptr, &payload, &len, nullptr, nullptr) != EMUNGE_SUCCESS) {
    std::free(payload);
    return {};
  }
  std::string text(static_cast<const char*>(payload), static_cast<std::size_t>(len));
  std::free(payload);
  {
    std::lock_guard lock(g_payload_mu);
    g_last_payload = text;
  }
  auto b = proto::parse_hello_payload(text);
  if (!b) return {};
  std::string answer = proto::welcome_payload(nonce_override.empty() ? b->nonce : nonce_override);
  char* cred = nullptr;
  std::string out;
  if (munge_encode(&cred, nullptr, answer.data(), static_cast<int>(answer.size())) == EMUNGE_SUCCESS) out = cred;
  std::free(cred);
  return out;
}

bool munge_works() {
  char* cred = nullptr;
  bool ok = munge_encode(&cred, nullptr, nullptr, 0) == EMUNGE_SUCCESS;
  std::free(cred);
  return ok;
}

}  // namespace compss::test
