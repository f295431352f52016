// stream.h - one protocol connection over a stream socket (Unix or TCP), driven by a Boost.Asio io_context.
//
// Reads frames with a FrameReader and hands each decoded message to the owner; writes queued frames in
// order. A frame that does not decode is answered with `error` {bad-message} (or handed to on_bad_message
// when set) and the connection goes on; a framing error is answered with `error` {bad-frame} and closes
// it (spec section 1). The end of the stream, a read or write error, or close() calls on_close once.
//
//   auto s = proto::Stream::create(std::move(socket), "agent n3");
//   s->start([](proto::Message&& m) { ... }, [](const std::string& why) { ... });
//   s->send(proto::Welcome{});
//
// Lifecycle: create, start once, send any time, close once (further sends are dropped). The Stream keeps
// itself alive while reads or writes are in flight; callbacks are not called after close() returns.
// Thread-safety: none; every call on the io_context's thread.
#pragma once

#include <sys/types.h>

#include <utility>  // before Asio: Boost 1.74's Asio needs it under C++20

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/proto/codec.h"
#include "common/proto/frame.h"
#include "common/proto/messages.h"
#include "common/util/result.h"

namespace compss::proto {

class Stream : public std::enable_shared_from_this<Stream> {
 public:
  using Socket = boost::asio::generic::stream_protocol::socket;
  using MessageFn = std::function<void(Message&&)>;
  using CloseFn = std::function<void(const std::string& why)>;
  using BadMessageFn = std::function<void(const Error& e)>;

  static std::shared_ptr<Stream> create(Socket socket, std::string name);

  void start(MessageFn on_message, CloseFn on_close);
  void on_bad_message(BadMessageFn fn) { on_bad_ = std::move(fn); }

  void send(const Message& m);
  // Sends what is queued, then closes (used after a refusal: `error`, then close).
  void close_after_flush(std::string why);
  void close(std::string why);

  bool is_open() const { return open_; }
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  // The connected peer's uid (SO_PEERCRED) for a Unix socket; nullopt for TCP.
  std::optional<uid_t> peer_uid() const;
  std::size_t queued_bytes() const { return queued_bytes_; }
  // The largest frame payload read from now on (a peer that has not authenticated gets a small one).
  // Call before start() or from the message callback (no read is in flight then).
  void set_max_payload(std::size_t n);
  // The socket's local and remote endpoints as "address:port" (TCP); "" for a Unix socket.
  std::string local_address() const;
  std::string remote_address() const;

 private:
  Stream(Socket socket, std::string name);
  void read_more();
  void write_next();
  void finish(const std::string& why);

  Socket socket_;
  std::string name_;
  FrameReader reader_;
  std::vector<std::uint8_t> buf_;
  std::deque<Frame> out_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool open_ = true;
  bool closing_ = false;
  std::string close_why_;
  MessageFn on_message_;
  CloseFn on_close_;
  BadMessageFn on_bad_;
};

// Blocking connects for the connecting side (agents, clients). Errors name the address.
Result<Stream::Socket> connect_unix(boost::asio::io_context& io, const std::string& path);
Result<Stream::Socket> connect_tcp(boost::asio::io_context& io, const std::string& host_port);

// "host:port" -> (host, port); an error naming the input when it is not of that form.
Result<std::pair<std::string, std::string>> split_host_port(const std::string& host_port);

}  // namespace compss::proto
