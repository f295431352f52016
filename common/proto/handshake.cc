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

namespace {

constexpr std::string_view kHelloTag = "compss-hello/1";
constexpr std::string_view kWelcomeTag = "compss-welcome/1";

bool is_nonce(std::string_view n) {
  if (n.size() != 32) return false;
  for (char c : n)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

// One line of space-separated words: the tag, then daemon=, job=, nonce= (job may be empty).
std::string hello_payload(const HelloBinding& b) {
  return std::string(kHelloTag) + " daemon=" + b.daemon + " job=" + b.job + " nonce=" + b.nonce;
}

Result<HelloBinding> parse_hello_payload(std::string_view payload) {
  if (!payload.starts_with(kHelloTag))
    return fail("the credential does not say which daemon it is for (a client of another version?)");
  HelloBinding b;
  bool daemon = false, job = false, nonce = false;
  std::string_view rest = payload.substr(kHelloTag.size());
  while (!rest.empty()) {
    if (rest.front() != ' ') return fail("the credential's payload is malformed");
    rest.remove_prefix(1);
    auto end = rest.find(' ');
    std::string_view word = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    auto eq = word.find('=');
    if (eq == std::string_view::npos) return fail("the credential's payload is malformed");
    std::string_view key = word.substr(0, eq), value = word.substr(eq + 1);
    if (key == "daemon") {
      b.daemon = value;
      daemon = true;
    } else if (key == "job") {
      b.job = value;
      job = true;
    } else if (key == "nonce") {
      b.nonce = value;
      nonce = true;
    }
  }
  if (!daemon || b.daemon.empty()) return fail("the credential does not name the daemon it is for");
  if (!job) return fail("the credential does not name the job it is for");
  if (!nonce || !is_nonce(b.nonce)) return fail("the credential has no nonce (32 hex digits)");
  return b;
}

std::string welcome_payload(std::string_view nonce) {
  return std::string(kWelcomeTag) + " nonce=" + std::string(nonce);
}

}  // namespace compss::proto
