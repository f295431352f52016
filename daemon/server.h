// server.h - compssd's listening side: a Unix socket for local clients and TCP for agents and remote clients.
//
// Every connection starts with the protocol's handshake (spec 2.1): the first message must be `hello` of
// protocol 1. Over the Unix socket the peer's uid (SO_PEERCRED) must be the daemon's own. Over TCP an
// agent shows the job's secret (random, passed to the agents' step in its environment, never on disk or in
// argv); a client shows a MUNGE credential of the daemon's uid whose payload names this daemon's address,
// this job and a nonce never seen before, and its welcome carries the daemon's own credential with that
// nonce, so the client knows who answers. Agents are accepted over TCP only. Refusals are answered
// with `error` and the connection is closed; each is logged.
//
// Before its hello is accepted a connection is a stranger's: it has `hello_timeout_s` to say hello, may
// send frames of at most `pre_auth_max_payload` bytes, and at most `max_pending` strangers are kept (a new
// one closes the oldest), so a flood of idle connections costs a few KiB each and cannot starve the job's
// own peers. An accept that fails (EMFILE) is retried after a pause instead of spinning. TCP listens on
// `tcp_host` only: compssd passes the address its agents and clients are told to use.
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
#include <boost/asio/steady_timer.hpp>
#include <list>
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
  std::string tcp_host = "127.0.0.1";  // the one address TCP listens on (numeric)
  std::uint16_t tcp_port = 0;  // 0: any free port
  double hello_timeout_s = 5;  // a connection that has not said hello by then is closed
  std::size_t max_pending = 64;            // connections not yet welcomed; a new one closes the oldest
  std::size_t pre_auth_max_payload = 16 * 1024;  // the largest frame before welcome
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
  std::size_t pending() const { return pending_.size(); }
  std::uint64_t strangers_dropped() const { return strangers_dropped_; }  // timed out or pushed out
  std::uint64_t accept_failures() const { return accept_failures_; }

 private:
  class StreamEndpoint;
  struct Pending;
  void accept_unix();
  void accept_tcp();
  void accept_failed(const boost::system::error_code& ec, bool tcp);
  void add_pending(const std::shared_ptr<proto::Stream>& s);
  void drop_pending(const proto::Stream* s);
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
  std::unordered_set<std::string> nonces_;        // of client credentials accepted
  std::list<std::shared_ptr<Pending>> pending_;  // not yet welcomed, oldest first
  bool closed_ = false;
  std::uint64_t accept_failures_ = 0;
  std::uint64_t strangers_dropped_ = 0;
};

}  // namespace compss::daemon
