#include "common/client/address.h"

#include <sys/stat.h>
#include <sys/un.h>

#include <compss/client.hpp>
#include <cstdlib>

#include "common/util/parse.h"

namespace compss::client {

namespace {

Error unreachable(std::string message) {
  return Error{ErrorKind::kUnreachable, std::move(message), {}};
}

Result<Address> unix_address(std::string_view path) {
  if (path.empty()) return unreachable("bad runtime address 'unix:': the socket path is empty");
  // sun_path holds the path and its NUL.
  if (path.size() >= sizeof(sockaddr_un::sun_path))
    return unreachable("bad runtime address '" + std::string(path) + "': a socket path may have at most " +
                       std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " characters");
  Address a;
  a.kind = Address::Kind::kUnix;
  a.path = std::string(path);
  return a;
}

Result<Address> tcp_address(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return unreachable("bad runtime address '" + std::string(text) + "': " + std::string(why) +
                       " (expected a socket path, or host:port)");
  };
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return bad("an IPv6 address is written [addr]:port");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("no port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return bad("no host");
  auto p = parse_uint(port, "port", 1, 65535);
  if (!p) return bad(p.error().message);
  Address a;
  a.kind = Address::Kind::kTcp;
  a.host = std::string(host);
  a.port = static_cast<std::uint16_t>(*p);
  return a;
}

}  // namespace

std::string Address::text() const {
  if (kind == Kind::kUnix) return path;
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<Address> parse_address(std::string_view text) {
  if (text.starts_with("unix:")) return unix_address(text.substr(5));
  if (text.starts_with("tcp:")) return tcp_address(text.substr(4));
  if (text.find('/') != std::string_view::npos) return unix_address(text);
  return tcp_address(text);
}

Result<Address> resolve_address(std::string_view text, const char* (*getenv_fn)(const char*)) {
  if (!text.empty()) return parse_address(text);
  const char* sock = getenv_fn(kSocketVariable);
  const char* addr = getenv_fn(kAddressVariable);
  if (sock && *sock) {
    // A socket path from the environment is a path even without a '/': "compss.sock" is relative.
    std::string_view s(sock);
    if (s.starts_with("unix:")) s.remove_prefix(5);
    // The socket lives on the daemon's node: on another node of the job (a task, an srun step) the
    // inherited path does not exist there, and the daemon's TCP address is the way in.
    struct stat st {};
    const bool here = ::stat(std::string(s).c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
    if (here || !(addr && *addr)) return unix_address(s);
  }
  if (addr && *addr) return parse_address(addr);
  return unreachable(
      "no compss runtime for this shell: COMPSS_SOCKET and COMPSS_ADDRESS are unset "
      "(run inside sbatch --compss or srun --compss)");
}

}  // namespace compss::client
