#include "daemon/server.h"

#include <munge.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "config.h"
#include "common/proto/handshake.h"
#include "common/util/log.h"
#include "daemon/job_dir.h"

namespace compss::daemon {

namespace asio = boost::asio;

class Server::StreamEndpoint : public Endpoint {
 public:
  explicit StreamEndpoint(std::shared_ptr<proto::Stream> s) : stream_(std::move(s)) {}
  void send(const proto::Message& m) override { stream_->send(m); }
  const std::string& name() const override { return stream_->name(); }
  void close(const std::string& why) override { stream_->close(why); }
  void close_after_flush(const std::string& why) override { stream_->close_after_flush(why); }

 private:
  std::shared_ptr<proto::Stream> stream_;
};

struct Server::Pending {
  Pending(asio::io_context& io, std::weak_ptr<proto::Stream> s) : stream(std::move(s)), timer(io) {}
  std::weak_ptr<proto::Stream> stream;
  asio::steady_timer timer;
};

namespace {

// Logs the first few of a repeated event, then every 1000th: a flood must not fill the disk with lines.
bool worth_logging(std::uint64_t count) {
  return count <= 10 || count % 1000 == 0;
}

}  // namespace

Server::Server(asio::io_context& io, Runtime& runtime, Clock clock, ServerConfig cfg, Changed changed)
    : io_(io),
      runtime_(runtime),
      clock_(std::move(clock)),
      cfg_(std::move(cfg)),
      changed_(std::move(changed)),
      unix_(io),
      tcp_(io) {}

// The daemon's children (the agents' srun, local agents, the driver) must not hold its sockets: a listening
// one kept by srun would stop a restarted compssd from listening on its port again, and a connection kept
// open by one would hide the daemon's end from the agent at the other side.
namespace {
void no_inherit(int fd) { ::fcntl(fd, F_SETFD, FD_CLOEXEC); }
}  // namespace

Status Server::listen() {
  namespace fs = std::filesystem;
  const fs::path sock(cfg_.socket_path);
  std::error_code fec;
  if (cfg_.own_socket_dir) {
    // /tmp/compss-<uid>/<job>/: both ours, private; someone else's /tmp/compss-<uid> is refused.
    if (Status s = make_private_dir(sock.parent_path().parent_path().string()); !s) return s;
    if (Status s = make_private_dir(sock.parent_path().string()); !s) return s;
  } else {
    fs::create_directories(sock.parent_path(), fec);
    if (::chmod(sock.parent_path().c_str(), 0700) != 0)
      return fail("cannot make ", sock.parent_path().string(), " private: ", std::strerror(errno));
  }
  fs::remove(sock, fec);
  boost::system::error_code ec;
  unix_.open(asio::local::stream_protocol(), ec);
  if (!ec) unix_.bind(asio::local::stream_protocol::endpoint(cfg_.socket_path), ec);
  if (!ec) unix_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("cannot listen on ", cfg_.socket_path, ": ", ec.message());
  no_inherit(unix_.native_handle());

  auto host = asio::ip::make_address(cfg_.tcp_host, ec);
  if (ec) return fail("cannot listen on '", cfg_.tcp_host, "': not a numeric address (", ec.message(), ")");
  asio::ip::tcp::endpoint ep(host, cfg_.tcp_port);
  tcp_.open(ep.protocol(), ec);
  if (!ec) tcp_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) tcp_.bind(ep, ec);
  if (!ec) tcp_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return fail("cannot listen on TCP ", cfg_.tcp_host, " port ", std::to_string(cfg_.tcp_port), ": ", ec.message());
  no_inherit(tcp_.native_handle());
  tcp_port_ = tcp_.local_endpoint().port();
  accept_unix();
  accept_tcp();
  return {};
}

void Server::close() {
  closed_ = true;
  boost::system::error_code ec;
  unix_.close(ec);
  tcp_.close(ec);
  pending_.clear();  // cancels the hello timers
  auto streams = std::move(streams_);
  for (const auto& s : streams) s->close("daemon exiting");
  std::error_code fec;
  std::filesystem::remove(cfg_.socket_path, fec);
  // Only an empty directory goes; every job would otherwise leave one behind in /tmp/compss-<uid>/.
  if (cfg_.own_socket_dir) std::filesystem::remove(std::filesystem::path(cfg_.socket_path).parent_path(), fec);
}

void Server::accept_unix() {
  unix_.async_accept([this](const boost::system::error_code& ec, asio::local::stream_protocol::socket s) {
    if (closed_) return;
    if (ec) return accept_failed(ec, false);
    no_inherit(s.native_handle());
    handshake(proto::Stream::create(proto::Stream::Socket(std::move(s)), "local client"), false);
    accept_unix();
  });
}

// Out of descriptors (EMFILE, ENFILE) or memory: accepting again at once would fail again at once and spin
// the event loop. Pause, then go on; connections already open (the agents) carry on meanwhile.
void Server::accept_failed(const boost::system::error_code& ec, bool tcp) {
  if (ec == asio::error::operation_aborted) return;
  if (worth_logging(++accept_failures_))
    log::warn("cannot accept a ", tcp ? "TCP" : "local", " connection: ", ec.message(), " (", accept_failures_,
              " so far); pausing 100 ms");
  auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(100));
  timer->async_wait([this, timer, tcp](const boost::system::error_code& e) {
    if (e || closed_) return;
    tcp ? accept_tcp() : accept_unix();
  });
}

void Server::add_pending(const std::shared_ptr<proto::Stream>& s) {
  if (cfg_.max_pending > 0 && pending_.size() >= cfg_.max_pending) {
    auto oldest = std::move(pending_.front());
    pending_.pop_front();
    if (auto o = oldest->stream.lock()) {
      if (worth_logging(++strangers_dropped_))
        log::warn(o->name(), ": closed: more than ", cfg_.max_pending, " connections have not said hello (",
                  strangers_dropped_, " closed so far)");
      streams_.erase(o);
      o->close("too many connections without hello");
    }
  }
  auto p = std::make_shared<Pending>(io_, s);
  p->timer.expires_after(std::chrono::milliseconds(static_cast<long>(cfg_.hello_timeout_s * 1000)));
  std::weak_ptr<Pending> weak = p;
  p->timer.async_wait([this, weak](const boost::system::error_code& ec) {
    auto p = weak.lock();
    if (ec || !p) return;
    auto stream = p->stream.lock();
    drop_pending(stream.get());
    if (!stream || !stream->is_open()) return;
    if (worth_logging(++strangers_dropped_))
      log::warn(stream->name(), ": closed: no hello within ", cfg_.hello_timeout_s, " s");
    streams_.erase(stream);
    stream->close("no hello in time");
  });
  pending_.push_back(std::move(p));
}

void Server::drop_pending(const proto::Stream* s) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    auto locked = (*it)->stream.lock();
    if (locked && locked.get() != s) {
      ++it;
      continue;
    }
    (*it)->timer.cancel();
    it = pending_.erase(it);
    if (locked) return;
  }
}

void Server::accept_tcp() {
  tcp_.async_accept([this](const boost::system::error_code& ec, asio::ip::tcp::socket s) {
    if (closed_) return;
    if (ec) return accept_failed(ec, true);
    {
      boost::system::error_code ignored;
      no_inherit(s.native_handle());
      s.set_option(asio::ip::tcp::no_delay(true), ignored);
      auto peer = s.remote_endpoint(ignored);
      std::string name = "tcp peer " + peer.address().to_string() + ":" + std::to_string(peer.port());
      handshake(proto::Stream::create(proto::Stream::Socket(std::move(s)), name), true);
    }
    accept_tcp();
  });
}

// The connection's state machine lives in these callbacks: hello first, then client or agent messages.
void Server::handshake(std::shared_ptr<proto::Stream> s, bool tcp) {
  streams_.insert(s);
  s->set_max_payload(cfg_.pre_auth_max_payload);
  add_pending(s);
  struct Conn {
    bool welcomed = false;
    bool agent = false;
    std::shared_ptr<StreamEndpoint> endpoint;
  };
  auto conn = std::make_shared<Conn>();
  std::weak_ptr<proto::Stream> weak = s;
  s->start(
      [this, conn, weak, tcp](proto::Message&& m) {
        auto self = weak.lock();
        if (!self) return;
        if (!conn->welcomed) {
          drop_pending(self.get());
          on_hello(self, tcp, std::move(m));
          if (!self->is_open()) return;
          conn->welcomed = true;
          self->set_max_payload(proto::kMaxPayload);
          conn->agent = self->name().rfind("agent", 0) == 0;
          conn->endpoint = std::make_shared<StreamEndpoint>(self);
          return;
        }
        if (conn->agent)
          runtime_.on_agent(conn->endpoint, std::move(m), clock_());
        else
          runtime_.on_client(conn->endpoint, std::move(m), clock_());
        changed_();
      },
      [this, conn, weak](const std::string& why) {
        if (auto self = weak.lock()) {
          drop_pending(self.get());
          streams_.erase(self);
        }
        if (!conn->endpoint) return;
        if (conn->agent)
          runtime_.agent_gone(conn->endpoint.get(), why, clock_());
        else
          runtime_.client_gone(conn->endpoint.get());
        changed_();
      });
}

namespace {

// Over TCP a client, and an agent where munged runs, shows a MUNGE credential of the job owner bound to
// this daemon, this job and a fresh nonce (protocol.md 2.2; job_dir.h). Returns "" when accepted, else the
// reason for the log and the refusal; `nonce` gets the peer's nonce.
std::string check_owner_credential(const std::string& auth, const std::string& here, const std::string& job,
                                    std::string& nonce) {
  uid_t uid = 0;
  gid_t gid = 0;
  void* payload = nullptr;
  int len = 0;
  munge_err_t e = munge_decode(auth.c_str(), nullptr, &payload, &len, &uid, &gid);
  std::string text(static_cast<const char*>(payload ? payload : ""), payload ? static_cast<std::size_t>(len) : 0);
  std::free(payload);
  if (e != EMUNGE_SUCCESS) return std::string("MUNGE credential refused: ") + munge_strerror(e);
  if (uid != ::getuid()) return "the MUNGE credential is of uid " + std::to_string(uid) + ", not the job's owner";
  auto b = proto::parse_hello_payload(text);
  if (!b) return b.error().message;
  if (b->daemon != here)
    return "the credential was made for the daemon at " + b->daemon + ", this is " + here + " (replayed?)";
  // A step's daemon serves "1234.0": a client that knows only the job's id names "1234".
  if (!b->job.empty() && b->job != job && !job.starts_with(b->job + "."))
    return "the credential was made for job " + b->job + ", this is job " + job;
  nonce = b->nonce;
  return "";
}

}  // namespace

void Server::on_hello(const std::shared_ptr<proto::Stream>& s, bool tcp, proto::Message&& first) {
  // Agents connect over TCP only (spec 2.1).
  auto refusal = tcp ? proto::check_hello(first, {proto::Role::kAgent, proto::Role::kClient})
                     : proto::check_hello(first, {proto::Role::kClient});
  if (refusal) {
    log::warn(s->name(), ": refused: ", refusal->message);
    s->send(*refusal);
    s->close_after_flush("refused");
    return;
  }
  const auto& hello = std::get<proto::Hello>(first);
  std::string refused;
  std::string nonce;
  if (tcp) {
    refused = check_credential_kind(hello.role, hello.auth);
    // A client shows a MUNGE credential; an agent one too where munged runs (it then wants this daemon's
    // proof in the welcome), else the job's secret.
    if (refused.empty() && hello.auth.starts_with("MUNGE:"))
      refused = check_owner_credential(hello.auth, s->local_address(), cfg_.job, nonce);
    else if (refused.empty() && !same_secret(hello.auth, cfg_.secret))
      refused = "the job's secret is wrong";
    // MUNGE refuses a credential decoded twice on one node; this daemon also refuses a nonce seen twice
    // (a credential replayed through another node's munged within its lifetime).
    if (refused.empty() && !nonce.empty()) {
      if (!nonces_.insert(nonce).second) refused = "the credential was used before (replayed)";
      if (nonces_.size() > 100000) nonces_.clear();  // memory bound; MUNGE's own replay check remains
    }
  } else {
    auto uid = s->peer_uid();
    if (!uid || *uid != ::getuid()) refused = "only the job's owner may connect";
  }
  if (!refused.empty()) {
    log::warn(s->name(), ": refused: ", refused);
    s->send(proto::ErrorMessage{0, proto::ErrorCode::kAuth, refused});
    s->close_after_flush("refused");
    return;
  }
  if (hello.role == proto::Role::kAgent) s->set_name("agent " + hello.node);
  proto::Welcome w;
  w.prog = "compssd " PACKAGE_VERSION;
  w.job = cfg_.job;
  if (!nonce.empty()) {
    // The client checks that the daemon runs as its own user: this credential carries its nonce back.
    std::string payload = proto::welcome_payload(nonce);
    char* cred = nullptr;
    munge_err_t e = munge_encode(&cred, nullptr, payload.data(), static_cast<int>(payload.size()));
    if (e == EMUNGE_SUCCESS) w.auth = cred;
    else log::warn(s->name(), ": cannot make a MUNGE credential for the welcome: ", munge_strerror(e));
    std::free(cred);
  }
  s->send(w);
}

}  // namespace compss::daemon
