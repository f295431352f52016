// endpoint.h - a socket address as text, the one form the handshake binds credentials to.
//
//   numeric_endpoint(addr, len)   // "10.0.0.1:4242", "[fe80::1]:4242"; "" for a non-IP address
// Thread-safety: pure.
#pragma once

#include <sys/socket.h>

#include <string>

namespace compss {

std::string numeric_endpoint(const sockaddr* address, socklen_t length);

}  // namespace compss
