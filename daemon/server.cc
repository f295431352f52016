#include "daemon/server.h"

#include <munge.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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

 private:
  std::shared_ptr<proto::Stream> stream_;
};

Server::Server(asio::io_context& io, Runtime& runtime, Clock clock, ServerConfig cfg, Changed changed)
    : io_(io),
      runtime_(runtime),
      clock_(std::move(clock)),
      cfg_(std::move(cfg)),
      changed_(std::move(changed)),
      unix_(io),
      tcp_(io) {}

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

  asio::ip::tcp::endpoint ep(asio::ip::tcp::v4(), cfg_.tcp_port);
  tcp_.open(ep.protocol(), ec);
  if (!ec) tcp_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) tcp_.bind(ep, ec);
  if (!ec) tcp_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("cannot listen on TCP port ", std::to_string(cfg_.tcp_port), ": ", ec.message());
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
    if (!ec) handshake(proto::Stream::create(proto::Stream::Socket(std::move(s)), "local client"), false);
    accept_unix();
  });
}

void Server::accept_tcp() {
  tcp_.async_accept([this](const boost::system::error_code& ec, asio::ip::tcp::socket s) {
    if (closed_) return;
    if (!ec) {
      boost::system::error_code ignored;
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
          on_hello(self, tcp, std::move(m));
          if (!self->is_open()) return;
          conn->welcomed = true;
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
        if (auto self = weak.lock()) streams_.erase(self);
        if (!conn->endpoint) return;
        if (conn->agent)
          runtime_.agent_gone(conn->endpoint.get(), why, clock_());
        else
          runtime_.client_gone(conn->endpoint.get());
        changed_();
      });
}

namespace {

// Over TCP an agent shows the job's secret, a client a MUNGE credential of the job owner (protocol.md
// 2.2; job_dir.h). Returns "" when accepted, else the reason for the log and the refusal.
std::string check_tcp_auth(proto::Role role, const std::string& auth, const std::string& secret) {
  if (std::string kind = check_credential_kind(role, auth); !kind.empty()) return kind;
  if (role == proto::Role::kClient) {
    uid_t uid = 0;
    gid_t gid = 0;
    munge_err_t e = munge_decode(auth.c_str(), nullptr, nullptr, nullptr, &uid, &gid);
    if (e != EMUNGE_SUCCESS) return std::string("MUNGE credential refused: ") + munge_strerror(e);
    if (uid != ::getuid()) return "the MUNGE credential is of uid " + std::to_string(uid) + ", not the job's owner";
    return "";
  }
  return same_secret(auth, secret) ? "" : "the job's secret is wrong";
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
  if (tcp) {
    refused = check_tcp_auth(hello.role, hello.auth, cfg_.secret);
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
  s->send(w);
}

}  // namespace compss::daemon
