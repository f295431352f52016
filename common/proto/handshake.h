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

// Whether `from` may send `m` at all (spec section 4's table); a receiver answers `unexpected` otherwise.
bool may_send(Peer from, const Message& m);

}  // namespace compss::proto
