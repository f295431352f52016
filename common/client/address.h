// address.h - where the daemon listens, as a client is told: a Unix socket path or a TCP host:port.
//
// Accepted forms: "/path/to/sock" or any text with a '/' (a Unix socket), "unix:PATH", "host:port",
// "tcp:host:port", "[v6addr]:port". resolve_address() with an empty text reads COMPSS_SOCKET, else
// COMPSS_ADDRESS, and fails with a message naming both when neither is set.
//
// Thread-safety: pure functions, except resolve_address() which reads the environment.
#pragma once

#include <compss/result.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace compss::client {

struct Address {
  enum class Kind { kUnix, kTcp } kind = Kind::kUnix;
  std::string path;  // kUnix
  std::string host;  // kTcp (without brackets)
  std::uint16_t port = 0;
  std::string text() const;  // for messages: the path, or host:port
};

Result<Address> parse_address(std::string_view text);

// `text` when it is not empty, else the environment; `getenv` is a parameter so that tests need not
// change the process environment.
Result<Address> resolve_address(std::string_view text, const char* (*getenv_fn)(const char*));

}  // namespace compss::client
