// handshake.cc - see handshake.h.
#include "common/proto/handshake.h"

#include <algorithm>
#include <string>

namespace compss::proto {
namespace {

std::string version_text(std::uint32_t theirs) {
  return "protocol version " + std::to_string(theirs) + " is not supported (this side speaks protocol " +
         std::to_string(kProtocolVersion) + ")";
}

template <class... T>
bool one_of(const Message& m) {
  return (std::holds_alternative<T>(m) || ...);
}

}  // namespace

std::optional<ErrorMessage> check_hello(const Message& first, std::initializer_list<Role> accepted) {
  const auto* hello = std::get_if<Hello>(&first);
  if (!hello)
    return ErrorMessage{0, ErrorCode::kHandshake,
                        "the first message must be 'hello', got '" + std::string(type_name(first)) + "'"};
  if (hello->v != kProtocolVersion) return ErrorMessage{0, ErrorCode::kVersion, version_text(hello->v)};
  if (std::find(accepted.begin(), accepted.end(), hello->role) == accepted.end())
    return ErrorMessage{0, ErrorCode::kHandshake,
                        "role '" + std::string(word(hello->role)) + "' is not accepted on this connection"};
  return std::nullopt;
}

Status check_welcome(const Message& reply) {
  if (const auto* err = std::get_if<ErrorMessage>(&reply))
    return fail("the daemon refused the connection (", word(err->code), "): ", err->message);
  const auto* welcome = std::get_if<Welcome>(&reply);
  if (!welcome) return fail("the daemon answered hello with '", type_name(reply), "' instead of 'welcome'");
  if (welcome->v != kProtocolVersion)
    return fail("the daemon speaks protocol ", std::to_string(welcome->v), "; this side speaks protocol ",
                std::to_string(kProtocolVersion));
  return ok_status();
}

bool may_send(Peer from, const Message& m) {
  if (one_of<ErrorMessage>(m)) return true;
  switch (from) {
    case Peer::kClient:
      return one_of<Hello, Submit, Wait, StatusQuery, Query, Cancel, Explain, Shutdown, Resize>(m);
    case Peer::kAgent:
      return one_of<Hello, Register, Started, Finished, Heartbeat>(m);
    case Peer::kDaemon:
      return one_of<Welcome, Submitted, WaitResult, StatusResult, QueryResult, Cancelled, Explanation, Ok, Assign,
                    Kill, Stop>(m);
  }
  return false;
}

}  // namespace compss::proto
