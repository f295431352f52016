// Round trips: every message type survives encode -> FrameReader -> decode unchanged.
#include <catch2/catch.hpp>

#include <set>

#include <nlohmann/json.hpp>

#include "common/proto/codec.h"
#include "common/proto/frame.h"
#include "tests/unit/proto/samples.h"

namespace proto = compss::proto;
using proto::Message;
using nlohmann::json;

namespace {

Message through_the_wire(const Message& m) {
  proto::FrameReader reader;
  reader.feed(proto::encode(m));
  auto got = reader.next();
  REQUIRE(got.has_value());
  INFO(proto::type_name(m) << ": " << (got->ok() ? std::string("ok") : got->error().message));
  REQUIRE(got->ok());
  REQUIRE_FALSE(reader.next().has_value());
  REQUIRE(reader.buffered() == 0);
  return got->value();
}

// The payload as a json tree, to look at what went on the wire.
json wire_tree(const Message& m) { return json::from_msgpack(proto::encode_payload(m)); }

}  // namespace

TEST_CASE("every message type with every field set survives a round trip", "[proto][roundtrip]") {
  std::set<std::size_t> kinds;
  for (const Message& m : proto::test::full_samples()) {
    CAPTURE(proto::type_name(m));
    CHECK(through_the_wire(m) == m);
    kinds.insert(m.index());
  }
  CHECK(kinds.size() == std::variant_size_v<Message>);
}

TEST_CASE("every message type at its defaults survives a round trip", "[proto][roundtrip]") {
  std::set<std::size_t> kinds;
  for (const Message& m : proto::test::minimal_samples()) {
    CAPTURE(proto::type_name(m));
    CHECK(through_the_wire(m) == m);
    kinds.insert(m.index());
  }
  CHECK(kinds.size() == std::variant_size_v<Message>);
}

TEST_CASE("the frame header holds the payload length in big-endian order", "[proto][roundtrip]") {
  for (const Message& m : proto::test::full_samples()) {
    auto frame = proto::encode(m);
    auto payload = proto::encode_payload(m);
    REQUIRE(frame.size() == payload.size() + 4);
    std::size_t n = (std::size_t{frame[0]} << 24) | (std::size_t{frame[1]} << 16) | (std::size_t{frame[2]} << 8) |
                    frame[3];
    CHECK(n == payload.size());
    CHECK(std::equal(payload.begin(), payload.end(), frame.begin() + 4));
  }
}

TEST_CASE("the wire type of each message is its own and unique", "[proto][roundtrip]") {
  std::set<std::string_view> names;
  for (const Message& m : proto::test::full_samples()) {
    CHECK(wire_tree(m)["t"] == std::string(proto::type_name(m)));
    names.insert(proto::type_name(m));
  }
  CHECK(names.size() == std::variant_size_v<Message>);
  CHECK(proto::type_name(proto::StatusQuery{}) == "status");
  CHECK(proto::type_name(proto::ErrorMessage{}) == "error");
  CHECK(proto::type_name(proto::WaitResult{}) == "wait_result");
}

TEST_CASE("optional fields at their default are left out of the payload", "[proto][roundtrip]") {
  CHECK(wire_tree(proto::Heartbeat{}) == json{{"t", "heartbeat"}});
  CHECK(wire_tree(proto::Ok{}) == json{{"t", "ok"}});
  CHECK(wire_tree(proto::Shutdown{}) == json{{"t", "shutdown"}});  // drain defaults to true
  CHECK(wire_tree(proto::Resize{0, -2}) == json{{"t", "resize"}, {"delta", -2}});  // delta is required
  proto::Kill kill;
  kill.task = 7;
  CHECK(wire_tree(kill) == json{{"t", "kill"}, {"task", 7}});
  proto::Submit s;
  s.tasks.resize(1);
  s.tasks[0].argv = {"x"};
  s.tasks[0].cwd = "/";
  CHECK(wire_tree(s) == json::parse(R"({"t":"submit","tasks":[{"argv":["x"],"cwd":"/"}]})"));
  // A present zero is not a default when the default is absent.
  s.tasks[0].retries = 0;
  CHECK(wire_tree(s)["tasks"][0]["retries"] == 0);
}

TEST_CASE("absent optional fields decode to the defaults of the spec", "[proto][roundtrip]") {
  json tree = json::parse(R"({"t":"submit","tasks":[{"argv":["x"],"cwd":"/w"}]})");
  auto m = proto::decode_payload(json::to_msgpack(tree));
  REQUIRE(m.ok());
  const auto& t = std::get<proto::Submit>(*m).tasks.at(0);
  CHECK(t.name.empty());
  CHECK(t.cpus == 1);
  CHECK(t.memory == 0);
  CHECK(t.gpus == 0);
  CHECK(t.nodes == 1);
  CHECK(t.ranks == 1);
  CHECK(t.ranks_per_node == 0);
  CHECK_FALSE(t.mpi);
  CHECK(t.on_failure == proto::OnFailure::kRetry);
  CHECK_FALSE(t.retries.has_value());
  CHECK(t.timeout_s == 0);
  CHECK(t.priority == 0);
  CHECK_FALSE(t.group.has_value());
  CHECK_FALSE(t.array.has_value());

  auto w = proto::decode_payload(json::to_msgpack(json{{"t", "welcome"}, {"v", 1}}));
  REQUIRE(w.ok());
  CHECK(std::get<proto::Welcome>(*w).heartbeat_s == 10);
  auto k = proto::decode_payload(json::to_msgpack(json{{"t", "kill"}, {"task", 3}}));
  REQUIRE(k.ok());
  CHECK(std::get<proto::Kill>(*k) == proto::Kill{3, 0, 15, 10, ""});
  auto a = proto::decode_payload(
      json::to_msgpack(json::parse(R"({"t":"assign","task":1,"attempt":1,"argv":["x"],"cwd":"/","cores":[0]})")));
  REQUIRE(a.ok());
  CHECK(std::get<proto::Assign>(*a).output == proto::OutputPolicy{proto::OutputMode::kStream, 65536});
}

TEST_CASE("nil in an optional field means absent", "[proto][roundtrip]") {
  json tree = json::parse(R"({"t":"submit","tasks":[{"argv":["x"],"cwd":"/","cpus":null,"group":null}]})");
  auto m = proto::decode_payload(json::to_msgpack(tree));
  REQUIRE(m.ok());
  CHECK(std::get<proto::Submit>(*m).tasks[0].cpus == 1);
  CHECK_FALSE(std::get<proto::Submit>(*m).tasks[0].group.has_value());
}

TEST_CASE("fields a receiver does not know are ignored", "[proto][roundtrip]") {
  json tree = json::parse(R"({"t":"started","task":1,"attempt":1,"pid":9,"future_field":{"x":[1,2]}})");
  auto m = proto::decode_payload(json::to_msgpack(tree));
  REQUIRE(m.ok());
  CHECK(std::get<proto::Started>(*m) == proto::Started{1, 1, 9});
}

TEST_CASE("integers of either MessagePack family and floats written as integers are accepted",
          "[proto][roundtrip]") {
  // {"t":"finished","task":int64 5,"attempt":int8 1,"cause":"exited","wall_s":int 3}
  std::vector<std::uint8_t> payload = {0x85, 0xa1, 't',  0xa8, 'f', 'i', 'n', 'i', 's', 'h', 'e', 'd',
                                       0xa4, 't',  'a',  's',  'k', 0xd3, 0,   0,   0,   0,   0,   0,
                                       0,    5,    0xa7, 'a',  't', 't',  'e', 'm', 'p', 't', 0xd0, 1,
                                       0xa5, 'c',  'a',  'u',  's', 'e',  0xa6, 'e', 'x', 'i', 't', 'e',
                                       'd',  0xa6, 'w',  'a',  'l', 'l',  '_',  's', 3};
  auto m = proto::decode_payload(payload);
  INFO((m.ok() ? std::string() : m.error().message));
  REQUIRE(m.ok());
  const auto& f = std::get<proto::Finished>(*m);
  CHECK(f.task == 5);
  CHECK(f.attempt == 1);
  CHECK(f.wall_s == 3.0);
}

TEST_CASE("a message too big for one frame is refused by encode_checked", "[proto][roundtrip]") {
  proto::Submit s;
  proto::TaskSpec t;
  t.argv = {std::string(1 << 20, 'a')};
  t.cwd = "/";
  s.tasks.assign(17, t);
  auto frame = proto::encode_checked(s);
  REQUIRE_FALSE(frame.ok());
  CHECK_THAT(frame.error().message, Catch::Contains("exceeds the frame limit of 16777216 bytes"));
  s.tasks.resize(15);
  CHECK(proto::encode_checked(s).ok());
}

TEST_CASE("a node's quarantine time survives a round trip and is absent when it was never quarantined",
          "[proto][roundtrip]") {
  proto::StatusResult s;
  s.nodes.push_back({"n1", proto::NodeState::kUp, 4});
  s.nodes.back().quarantined = 12.5;
  s.nodes.push_back({"n2", proto::NodeState::kUp, 4});
  CHECK(through_the_wire(s) == Message(s));
  const json tree = wire_tree(s);
  CHECK(tree["nodes"][0]["quarantined"] == 12.5);
  CHECK_FALSE(tree["nodes"][1].contains("quarantined"));
}
