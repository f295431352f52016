#include "common/proto/stream.h"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "common/util/endpoint.h"
#include "common/util/log.h"

namespace compss::proto {

namespace asio = boost::asio;

std::shared_ptr<Stream> Stream::create(Socket socket, std::string name) {
  return std::shared_ptr<Stream>(new Stream(std::move(socket), std::move(name)));
}

Stream::Stream(Socket socket, std::string name) : socket_(std::move(socket)), name_(std::move(name)) {
  buf_.resize(64 * 1024);
}

void Stream::set_max_payload(std::size_t n) {
  reader_.set_max_payload(n);
  // A peer limited to small frames gets a small read buffer too: a thousand idle connections cost little.
  std::size_t size = n >= 64 * 1024 ? 64 * 1024 : 4096;
  if (buf_.size() != size) buf_ = std::vector<std::uint8_t>(size);
}

std::string Stream::local_address() const {
  boost::system::error_code ec;
  auto ep = socket_.local_endpoint(ec);
  if (ec) return {};
  return numeric_endpoint(static_cast<const sockaddr*>(ep.data()), static_cast<socklen_t>(ep.size()));
}

std::string Stream::remote_address() const {
  boost::system::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  if (ec) return {};
  return numeric_endpoint(static_cast<const sockaddr*>(ep.data()), static_cast<socklen_t>(ep.size()));
}

void Stream::start(MessageFn on_message, CloseFn on_close) {
  on_message_ = std::move(on_message);
  on_close_ = std::move(on_close);
  read_more();
}

void Stream::read_more() {
  if (!open_) return;
  auto self = shared_from_this();
  socket_.async_read_some(asio::buffer(buf_), [self](const boost::system::error_code& ec, std::size_t n) {
    if (!self->open_) return;
    if (ec) {
      self->finish(ec == asio::error::eof ? "closed by peer" : ec.message());
      return;
    }
    self->reader_.feed(self->buf_.data(), n);
    while (self->open_ && !self->closing_) {
      auto m = self->reader_.next();
      if (!m) break;
      if (!*m) {
        if (self->reader_.broken()) {
          log::warn(self->name_, ": ", m->error().message, "; closing the connection");
          self->send(ErrorMessage{0, ErrorCode::kBadFrame, m->error().message});
          self->close_after_flush("framing error");
          return;
        }
        log::warn(self->name_, ": ", m->error().message);
        if (self->on_bad_)
          self->on_bad_(m->error());
        else
          self->send(ErrorMessage{0, ErrorCode::kBadMessage, m->error().message});
        continue;
      }
      if (self->on_message_) self->on_message_(std::move(m->value()));
    }
    if (!self->closing_) self->read_more();
  });
}

void Stream::send(const Message& m) {
  if (!open_ || closing_) return;
  Frame f = encode(m);
  queued_bytes_ += f.size();
  out_.push_back(std::move(f));
  if (!writing_) write_next();
}

void Stream::write_next() {
  if (out_.empty()) {
    writing_ = false;
    if (closing_) finish(close_why_);
    return;
  }
  writing_ = true;
  auto self = shared_from_this();
  asio::async_write(socket_, asio::buffer(out_.front()), [self](const boost::system::error_code& ec, std::size_t) {
    if (!self->open_) return;
    self->queued_bytes_ -= self->out_.front().size();
    self->out_.pop_front();
    if (ec) {
      self->finish("write failed: " + ec.message());
      return;
    }
    self->write_next();
  });
}

void Stream::close_after_flush(std::string why) {
  if (!open_ || closing_) return;
  closing_ = true;
  close_why_ = std::move(why);
  if (!writing_) finish(close_why_);
}

void Stream::close(std::string why) {
  if (!open_) return;
  on_close_ = nullptr;  // the owner closed it: no callback
  finish(why);
}

void Stream::finish(const std::string& why) {
  if (!open_) return;
  open_ = false;
  boost::system::error_code ignored;
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
  out_.clear();
  queued_bytes_ = 0;
  auto cb = std::move(on_close_);
  on_close_ = nullptr;
  on_message_ = nullptr;
  on_bad_ = nullptr;
  if (cb) cb(why);
}

std::optional<uid_t> Stream::peer_uid() const {
  if (socket_.local_endpoint().protocol().family() != AF_UNIX) return std::nullopt;
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(const_cast<Socket&>(socket_).native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
    return std::nullopt;
  return cred.uid;
}

Result<std::pair<std::string, std::string>> split_host_port(const std::string& host_port) {
  auto colon = host_port.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == host_port.size())
    return fail("bad address '", host_port, "': expected host:port");
  return std::make_pair(host_port.substr(0, colon), host_port.substr(colon + 1));
}

Result<Stream::Socket> connect_unix(asio::io_context& io, const std::string& path) {
  asio::local::stream_protocol::socket s(io);
  boost::system::error_code ec;
  s.connect(asio::local::stream_protocol::endpoint(path), ec);
  if (ec) return fail("cannot connect to ", path, ": ", ec.message());
  return Stream::Socket(std::move(s));
}

Result<Stream::Socket> connect_tcp(asio::io_context& io, const std::string& host_port) {
  auto hp = split_host_port(host_port);
  if (!hp) return hp.error();
  asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto endpoints = resolver.resolve(hp->first, hp->second, ec);
  if (ec) return fail("cannot resolve ", host_port, ": ", ec.message());
  asio::ip::tcp::socket s(io);
  asio::connect(s, endpoints, ec);
  if (ec) return fail("cannot connect to ", host_port, ": ", ec.message());
  s.set_option(asio::ip::tcp::no_delay(true), ec);
  return Stream::Socket(std::move(s));
}

}  // namespace compss::proto
