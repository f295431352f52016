// server.h - compssd's listening side: a Unix socket for local clients and TCP for agents and remote clients.
//
// Every connection starts with the protocol's handshake (spec 2.1): the first message must be `hello` of
// protocol 1. Over the Unix socket the peer's uid (SO_PEERCRED) must be the daemon's own; over TCP the
// hello's `auth` must carry the job's secret (a random token in the job directory, mode 0600, passed to
// agents in their environment, never in argv). Agents are accepted over TCP only. Refusals are answered
// with `error` and the connection is closed; each is logged.
//
// Lifecycle: Server(io, runtime, clock, cfg); listen(); then the io_context runs it; close() stops accepting
// and closes every connection.
// Thread-safety: none; everything on the io_context's thread.
#pragma once

#include <utility>  // before Asio: Boost 1.74's Asio needs it under C++20

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>

#include "common/proto/stream.h"
#include "common/util/result.h"
#include "daemon/runtime.h"

namespace compss::daemon {

struct ServerConfig {
  std::string socket_path;     // Unix socket; its directory is created 0700
  bool own_socket_dir = false; // the socket's directory is the daemon's own: removed (when empty) on close
  std::uint16_t tcp_port = 0;  // 0: any free port
  std::string secret;          // required in a TCP hello's auth
  std::string job;             // for welcome
};

class Server {
 public:
  using Clock = std::function<double()>;
  using Changed = std::function<void()>;  // something happened: the owner schedules a pump

  Server(boost::asio::io_context& io, Runtime& runtime, Clock clock, ServerConfig cfg, Changed changed);
  Status listen();
  void close();
  std::uint16_t tcp_port() const { return tcp_port_; }
  const std::string& socket_path() const { return cfg_.socket_path; }

 private:
  class StreamEndpoint;
  void accept_unix();
  void accept_tcp();
  void handshake(std::shared_ptr<proto::Stream> s, bool tcp);
  void on_hello(const std::shared_ptr<proto::Stream>& s, bool tcp, proto::Message&& first);

  boost::asio::io_context& io_;
  Runtime& runtime_;
  Clock clock_;
  ServerConfig cfg_;
  Changed changed_;
  boost::asio::local::stream_protocol::acceptor unix_;
  boost::asio::ip::tcp::acceptor tcp_;
  std::uint16_t tcp_port_ = 0;
  std::unordered_set<std::shared_ptr<proto::Stream>> streams_;
  bool closed_ = false;
};

}  // namespace compss::daemon
