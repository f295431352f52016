// handshake.h - the rules of a connection's first exchange and of who may send what (spec 2.1 and 4).
//
//   daemon:  auto first = reader.next();   // the first message of a new connection
//            if (auto refusal = proto::check_hello(first->value(), {proto::Role::kAgent})) {
//              send(*refusal); close();    // version, handshake (not a hello, role not taken here)
//            }
//   client:  if (auto s = proto::check_welcome(reply); !s) report(s.error().message);
//
// Authentication (the hello's `auth`) is the daemon's to check with MUNGE; these functions do not look at it.
// Thread-safety: pure functions.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "common/proto/messages.h"
#include "common/util/result.h"

namespace compss::proto {

enum class Peer { kClient, kAgent, kDaemon };

// nullopt: accept the connection (answer with a Welcome). Otherwise the error to send before closing:
// code `version` for a hello of another protocol version, `handshake` when `first` is not a hello or its
// role is not in `accepted`.
std::optional<ErrorMessage> check_hello(const Message& first, std::initializer_list<Role> accepted);

// The connecting side's check of the answer to its hello: ok for a Welcome of this protocol version; an
// error that quotes the daemon's refusal, or says what was wrong with the answer.
Status check_welcome(const Message& reply);

// What a client's MUNGE credential carries (protocol.md 2.2), so that it is good for one daemon, one job
// and one connection only: the daemon's address as the client connected to it ("10.0.0.1:4242"), the job
// the client means ("" when it does not know), and a nonce of 32 hex digits.
struct HelloBinding {
  std::string daemon;
  std::string job;
  std::string nonce;
  friend bool operator==(const HelloBinding&, const HelloBinding&) = default;
};
std::string hello_payload(const HelloBinding& b);
Result<HelloBinding> parse_hello_payload(std::string_view payload);  // an error says what is missing
// What the daemon's credential in `welcome` carries: the client's nonce back.
std::string welcome_payload(std::string_view nonce);

// The daemon's `error` (code `invalid`) to an agent whose node it took for lost begins with this: the
// agent kills its tasks (they run elsewhere now) before it registers again (protocol.md, `register`).
inline constexpr std::string_view kLostPrefix = "lost:";

// Whether `from` may send `m` at all (spec section 4's table); a receiver answers `unexpected` otherwise.
bool may_send(Peer from, const Message& m);

}  // namespace compss::proto
