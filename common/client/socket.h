// socket.h - the client's end of a stream socket to the daemon (Unix or TCP), blocking, with timeouts
// where a person would otherwise wait forever on a dead peer (connecting, the handshake).
//
// Lifecycle: connect_socket() -> send_all()/receive() -> destruction closes the descriptor. Movable.
// Failure: errors are client Errors of kind kUnreachable (connect) or kLost (send/receive), with the
// address and the system's reason in the message. Writes never raise SIGPIPE (MSG_NOSIGNAL).
// Thread-safety: none; the owner serialises use.
#pragma once

#include <compss/result.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "common/client/address.h"

namespace compss::client {

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& o) noexcept : fd_(o.release()) {}
  Socket& operator=(Socket&& o) noexcept;
  ~Socket();

  int fd() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void close();

  Status send_all(std::span<const std::uint8_t> bytes);

  // The peer as "address:port" (numeric; "[v6]:port") for TCP; "" otherwise.
  std::string peer_address() const;
  // The peer process's uid for a Unix socket (SO_PEERCRED); -1 when unknown or not a Unix socket.
  long peer_uid() const;

  // Reads what is there (at least one byte, blocking until then); 0 at end of stream. With a timeout
  // (milliseconds, -1: none) an error of kind kLost when nothing came in time.
  Result<std::size_t> receive(std::span<std::uint8_t> buf, int timeout_ms = -1);

 private:
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  int fd_ = -1;
};

inline constexpr int kConnectTimeoutMs = 10000;

Result<Socket> connect_socket(const Address& address, int timeout_ms = kConnectTimeoutMs);

}  // namespace compss::client
