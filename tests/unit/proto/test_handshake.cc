// The first exchange of a connection, who may send what, and id lists.
#include <catch2/catch.hpp>

#include <map>

#include "common/proto/handshake.h"
#include "common/proto/ids.h"
#include "tests/unit/proto/samples.h"

namespace proto = compss::proto;
using proto::Role;

TEST_CASE("a hello of this version and an accepted role is accepted", "[proto][handshake]") {
  proto::Hello h;
  CHECK_FALSE(proto::check_hello(h, {Role::kClient}).has_value());
  h.role = Role::kAgent;
  h.node = "n1";
  CHECK_FALSE(proto::check_hello(h, {Role::kClient, Role::kAgent}).has_value());
}

TEST_CASE("a hello of another protocol version gets a version error", "[proto][handshake]") {
  proto::Hello h;
  h.v = 2;
  auto refusal = proto::check_hello(h, {Role::kClient});
  REQUIRE(refusal.has_value());
  CHECK(refusal->code == proto::ErrorCode::kVersion);
  CHECK(refusal->message == "protocol version 2 is not supported (this side speaks protocol 1)");
}

TEST_CASE("a first message that is not a hello gets a handshake error", "[proto][handshake]") {
  auto refusal = proto::check_hello(proto::Submit{}, {Role::kClient});
  REQUIRE(refusal.has_value());
  CHECK(refusal->code == proto::ErrorCode::kHandshake);
  CHECK(refusal->message == "the first message must be 'hello', got 'submit'");
}

TEST_CASE("a role not taken on a connection gets a handshake error", "[proto][handshake]") {
  proto::Hello h;
  h.role = Role::kAgent;
  h.node = "n1";
  auto refusal = proto::check_hello(h, {Role::kClient});
  REQUIRE(refusal.has_value());
  CHECK(refusal->code == proto::ErrorCode::kHandshake);
  CHECK(refusal->message == "role 'agent' is not accepted on this connection");
}

TEST_CASE("the connecting side accepts only a welcome of its own version", "[proto][handshake]") {
  CHECK(proto::check_welcome(proto::Welcome{}).ok());
  proto::Welcome newer;
  newer.v = 3;
  auto s = proto::check_welcome(newer);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message == "the daemon speaks protocol 3; this side speaks protocol 1");
  auto refused = proto::check_welcome(proto::ErrorMessage{0, proto::ErrorCode::kAuth, "no MUNGE credential"});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "the daemon refused the connection (auth): no MUNGE credential");
  auto odd = proto::check_welcome(proto::Ok{});
  REQUIRE_FALSE(odd.ok());
  CHECK(odd.error().message == "the daemon answered hello with 'ok' instead of 'welcome'");
}

TEST_CASE("each message has its senders as the spec's table says", "[proto][handshake]") {
  using proto::Peer;
  std::map<std::string, std::string> senders;  // type -> "c", "a", "d" letters
  for (const proto::Message& m : proto::test::full_samples()) {
    std::string s;
    if (proto::may_send(Peer::kClient, m)) s += "c";
    if (proto::may_send(Peer::kAgent, m)) s += "a";
    if (proto::may_send(Peer::kDaemon, m)) s += "d";
    senders[std::string(proto::type_name(m))] = s;
  }
  std::map<std::string, std::string> spec = {
      {"hello", "ca"},      {"welcome", "d"},       {"error", "cad"},    {"submit", "c"},
      {"submitted", "d"},   {"wait", "c"},          {"wait_result", "d"}, {"status", "c"},
      {"status_result", "d"}, {"query", "c"},       {"query_result", "d"}, {"cancel", "c"},
      {"cancelled", "d"},   {"explain", "c"},       {"explanation", "d"}, {"shutdown", "c"},
      {"ok", "d"},          {"assign", "d"},        {"kill", "d"},       {"stop", "d"},
      {"register", "a"},    {"started", "a"},       {"finished", "a"},   {"heartbeat", "a"},
      {"resize", "c"},
  };
  CHECK(senders == spec);
}

TEST_CASE("id lists compact consecutive runs and count with saturation", "[proto][ids]") {
  using proto::IdList;
  CHECK(proto::compact({3, 4, 5, 9, 1}) == IdList{{3, 5}, {9, 9}, {1, 1}});
  CHECK(proto::compact({}).empty());
  CHECK(proto::compact({UINT64_MAX, 0}) == IdList{{UINT64_MAX, UINT64_MAX}, {0, 0}});
  CHECK(proto::count(IdList{{3, 5}, {9, 9}}) == 4);
  CHECK(proto::count(IdList{{0, UINT64_MAX}}) == UINT64_MAX);
  CHECK(proto::count(IdList{{0, UINT64_MAX - 1}, {5, 5}}) == UINT64_MAX);
  CHECK(proto::count(IdList{{9, 3}}) == 0);
}

TEST_CASE("expanding an id list stops at the caller's limit", "[proto][ids]") {
  auto ids = proto::expand({{3, 5}, {9, 9}}, 10);
  REQUIRE(ids.ok());
  CHECK(*ids == std::vector<std::uint64_t>{3, 4, 5, 9});
  auto huge = proto::expand({{0, UINT64_MAX}}, 1000000);
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.error().message ==
        "the id list names 18446744073709551615 tasks, more than the limit of 1000000");
  auto top = proto::expand({{UINT64_MAX - 1, UINT64_MAX}}, 2);
  REQUIRE(top.ok());
  CHECK(top->size() == 2);
}
