#include "common/client/socket.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "common/util/endpoint.h"

namespace compss::client {

namespace {

Error unreachable(const Address& a, const std::string& why) {
  return Error{ErrorKind::kUnreachable, "cannot reach the compss runtime at " + a.text() + ": " + why, {}};
}

Error lost(const std::string& why) {
  return Error{ErrorKind::kLost, "lost the connection to the compss runtime: " + why, {}};
}

std::string unix_reason(int err) {
  switch (err) {
    case ENOENT:
      return "no such socket (has the job or step ended?)";
    case ECONNREFUSED:
      return "connection refused (the daemon is not running)";
    case EACCES:
      return "permission denied (the socket belongs to another user's job)";
    default:
      return std::strerror(err);
  }
}

// Waits for `events` on fd; false on timeout, with errno set.
bool wait_for(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  for (;;) {
    int n = ::poll(&p, 1, timeout_ms);
    if (n > 0) return true;
    if (n == 0) {
      errno = ETIMEDOUT;
      return false;
    }
    if (errno != EINTR) return false;
  }
}

// A TCP connect is non-blocking, bounded by the timeout, then back to blocking. A Unix socket connect
// is local and answers at once (a non-blocking one would fail with EAGAIN on a full backlog instead).
int connect_fd(int family, const sockaddr* sa, socklen_t len, int timeout_ms) {
  int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC | (family == AF_UNIX ? 0 : SOCK_NONBLOCK), 0);
  if (fd < 0) return -1;
  int rc = ::connect(fd, sa, len);
  if (rc < 0 && errno == EINPROGRESS) {
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (!wait_for(fd, POLLOUT, timeout_ms) || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0) {
      rc = -1;
    } else if (soerr != 0) {
      errno = soerr;
      rc = -1;
    } else {
      rc = 0;
    }
  }
  if (rc < 0) {
    int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

Result<Socket> connect_unix(const Address& a, int timeout_ms) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::memcpy(sun.sun_path, a.path.c_str(), a.path.size() + 1);  // parse_address checked the length
  int fd = connect_fd(AF_UNIX, reinterpret_cast<sockaddr*>(&sun), sizeof sun, timeout_ms);
  if (fd < 0) return unreachable(a, unix_reason(errno));
  return Socket(fd);
}

Result<Socket> connect_tcp(const Address& a, int timeout_ms) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  int gai = ::getaddrinfo(a.host.c_str(), std::to_string(a.port).c_str(), &hints, &list);
  if (gai != 0) return unreachable(a, std::string("cannot resolve host: ") + ::gai_strerror(gai));
  std::string why = "no address";
  int fd = -1;
  for (addrinfo* ai = list; ai && fd < 0; ai = ai->ai_next) {
    fd = connect_fd(ai->ai_family, ai->ai_addr, ai->ai_addrlen, timeout_ms);
    if (fd < 0) why = std::strerror(errno);
  }
  ::freeaddrinfo(list);
  if (fd < 0) return unreachable(a, why);
  return Socket(fd);
}

}  // namespace

Socket& Socket::operator=(Socket&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = o.release();
  }
  return *this;
}

Socket::~Socket() {
  close();
}

void Socket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status Socket::send_all(std::span<const std::uint8_t> bytes) {
  if (fd_ < 0) return lost("the connection is closed");
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return lost(std::string("write failed: ") + std::strerror(errno));
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return {};
}

Result<std::size_t> Socket::receive(std::span<std::uint8_t> buf, int timeout_ms) {
  if (fd_ < 0) return lost("the connection is closed");
  if (timeout_ms >= 0 && !wait_for(fd_, POLLIN, timeout_ms))
    return lost(errno == ETIMEDOUT ? "no answer within " + std::to_string(timeout_ms / 1000) + " s"
                                   : std::string("poll failed: ") + std::strerror(errno));
  for (;;) {
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    return lost(std::string("read failed: ") + std::strerror(errno));
  }
}

Result<Socket> connect_socket(const Address& address, int timeout_ms) {
  if (address.kind == Address::Kind::kUnix) return connect_unix(address, timeout_ms);
  return connect_tcp(address, timeout_ms);
}

std::string Socket::peer_address() const {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) return {};
  return numeric_endpoint(reinterpret_cast<const sockaddr*>(&a), len);
}

long Socket::peer_uid() const {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd_, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -1;
  return static_cast<long>(cred.uid);
}

}  // namespace compss::client
