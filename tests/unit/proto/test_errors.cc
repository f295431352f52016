// Decoding errors: each bad payload gives a clear error that names the message type and the field.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "common/proto/codec.h"

namespace proto = compss::proto;
using nlohmann::json;

namespace {

std::string error_of_bytes(const std::vector<std::uint8_t>& payload) {
  auto m = proto::decode_payload(payload);
  return m.ok() ? std::string("(decoded)") : m.error().message;
}

std::string error_of(const std::string& text) { return error_of_bytes(json::to_msgpack(json::parse(text))); }

}  // namespace

TEST_CASE("a payload that is not a message map is refused", "[proto][errors]") {
  CHECK(error_of("[1,2]") == "a message must be a map, got array");
  CHECK(error_of("\"submit\"") == "a message must be a map, got string");
  CHECK(error_of(R"({"tasks":[]})") == "a message must have a type field 't'");
  CHECK(error_of(R"({"t":5})") == "the type field 't' must be a string");
  CHECK(error_of(R"({"t":"teleport"})") == "unknown message type 'teleport'");
  CHECK(error_of(R"({"t":"Submit"})") == "unknown message type 'Submit'");
}

TEST_CASE("a field of the wrong type is named with its path", "[proto][errors]") {
  const std::string task = R"("argv":["x"],"cwd":"/")";
  CHECK(error_of(R"({"t":"submit","tasks":[{)" + task + R"(,"cpus":"four"}]})") ==
        "submit: field 'tasks[0].cpus' must be an unsigned integer");
  CHECK(error_of(R"({"t":"submit","tasks":[{)" + task + R"(},{)" + task + R"(,"cpus":-1}]})") ==
        "submit: field 'tasks[1].cpus' must be an unsigned integer");
  CHECK(error_of(R"({"t":"submit","tasks":[{"argv":["x",7],"cwd":"/"}]})") ==
        "submit: field 'tasks[0].argv[1]' must be a string");
  CHECK(error_of(R"({"t":"submit","tasks":[{)" + task + R"(,"mpi":1}]})") ==
        "submit: field 'tasks[0].mpi' must be a boolean");
  CHECK(error_of(R"({"t":"submit","tasks":{"argv":["x"]}})") == "submit: field 'tasks' must be an array");
  CHECK(error_of(R"({"t":"submit","tasks":[5]})") == "submit: field 'tasks[0]' must be a map");
  CHECK(error_of(R"({"t":"submit","tasks":[{)" + task + R"(,"array":{"first":"1","last":2}}]})") ==
        "submit: field 'tasks[0].array.first' must be an unsigned integer");
  CHECK(error_of(R"({"t":"submit","tasks":[{)" + task + R"(,"custom":[{"name":"lic","amount":true}]}]})") ==
        "submit: field 'tasks[0].custom[0].amount' must be an unsigned integer");
  CHECK(error_of(R"({"t":"finished","task":1,"attempt":1,"cause":"exited","wall_s":"long"})") ==
        "finished: field 'wall_s' must be a number");
  CHECK(error_of(R"({"t":"register","node":"n1","cores":[0,"1"]})") ==
        "register: field 'cores[1]' must be an unsigned 32-bit integer");
  CHECK(error_of(R"({"t":"assign","task":1,"attempt":1,"argv":["x"],"cwd":"/","cores":[0],"output":[]})") ==
        "assign: field 'output' must be a map");
}

TEST_CASE("a value out of range is refused with the range and the value", "[proto][errors]") {
  const std::string task = R"("argv":["x"],"cwd":"/")";
  CHECK(error_of(R"({"t":"submit","tasks":[{)" + task + R"(,"cpus":0}]})") ==
        "submit: field 'tasks[0].cpus' must be between 1 and 4294967295, got 0");
  CHECK(error_of(R"({"t":"submit","tasks":[{)" + task + R"(,"gpus":4294967296}]})") ==
        "submit: field 'tasks[0].gpus' must be between 0 and 4294967295, got 4294967296");
  CHECK(error_of(R"({"t":"submit","tasks":[{)" + task + R"(,"priority":2147483648}]})") ==
        "submit: field 'tasks[0].priority' must be an integer between -2147483648 and 2147483647");
  CHECK(error_of(R"({"t":"assign","task":1,"attempt":0,"argv":["x"],"cwd":"/","cores":[0]})") ==
        "assign: field 'attempt' must be between 1 and 4294967295, got 0");
  CHECK(error_of(R"({"t":"started","task":1,"attempt":1,"pid":0})") ==
        "started: field 'pid' must be between 1 and 2147483647, got 0");
  CHECK(error_of(R"({"t":"kill","task":1,"signal":65})") == "kill: field 'signal' must be between 1 and 64, got 65");
  CHECK(error_of(R"({"t":"finished","task":1,"attempt":1,"cause":"exited","cpu_time_s":-0.5})") ==
        "finished: field 'cpu_time_s' must be a finite number >= 0");
  CHECK(error_of(R"({"t":"register","node":"n1","cores":[4294967296]})") ==
        "register: field 'cores[0]' must be an unsigned 32-bit integer");
}

TEST_CASE("a float that is not finite is refused", "[proto][errors]") {
  json tree{{"t", "finished"}, {"task", 1}, {"attempt", 1}, {"cause", "exited"}};
  tree["wall_s"] = std::numeric_limits<double>::infinity();
  CHECK(error_of_bytes(json::to_msgpack(tree)) == "finished: field 'wall_s' must be a finite number >= 0");
  tree["wall_s"] = std::nan("");
  CHECK(error_of_bytes(json::to_msgpack(tree)) == "finished: field 'wall_s' must be a finite number >= 0");
}

TEST_CASE("a word outside its list is refused with the accepted words", "[proto][errors]") {
  CHECK(error_of(R"({"t":"submit","tasks":[{"argv":["x"],"cwd":"/","on_failure":"retry-forever"}]})") ==
        "submit: field 'tasks[0].on_failure' must be 'retry', 'cancel-successors', 'fail' or 'ignore', "
        "got 'retry-forever'");
  CHECK(error_of(R"({"t":"hello","v":1,"role":"admin"})") ==
        "hello: field 'role' must be 'client' or 'agent', got 'admin'");
  CHECK(error_of(R"({"t":"error","code":"oops","message":"m"})") ==
        "error: field 'code' must be 'version', 'auth', 'handshake', 'bad-frame', 'bad-message', 'unexpected', "
        "'invalid', 'not-found', 'shutting-down' or 'internal', got 'oops'");
  CHECK(error_of(R"({"t":"finished","task":1,"attempt":1,"cause":"EXITED"})") ==
        "finished: field 'cause' must be 'exited', 'signaled', 'timeout', 'killed', 'launch-error' or 'oom', "
        "got 'EXITED'");
}

TEST_CASE("a long or binary value is shown short and printable in an error", "[proto][errors]") {
  std::string long_word(1000, 'z');
  long_word[0] = '\n';
  json tree{{"t", "hello"}, {"v", 1}, {"role", long_word}};
  std::string e = error_of_bytes(json::to_msgpack(tree));
  CHECK(e == "hello: field 'role' must be 'client' or 'agent', got '?" + std::string(39, 'z') + "...'");
}

TEST_CASE("a missing required field is named", "[proto][errors]") {
  CHECK(error_of(R"({"t":"submit"})") == "submit: missing required field 'tasks'");
  CHECK(error_of(R"({"t":"submit","tasks":[{"cwd":"/"}]})") == "submit: missing required field 'tasks[0].argv'");
  // nil stands for "absent" only in optional fields; in a required one it is a wrong type.
  CHECK(error_of(R"({"t":"submit","tasks":[{"argv":["x"],"cwd":null}]})") ==
        "submit: field 'tasks[0].cwd' must be a string");
  CHECK(error_of(R"({"t":"finished","task":1,"attempt":1})") == "finished: missing required field 'cause'");
  CHECK(error_of(R"({"t":"finished","task":1,"attempt":1,"cause":"exited","output":{"offset":3}})") ==
        "finished: missing required field 'output.file'");
  CHECK(error_of(R"({"t":"hello","role":"client"})") == "hello: missing required field 'v'");
  CHECK(error_of(R"({"t":"error","code":"internal"})") == "error: missing required field 'message'");
}

TEST_CASE("empty lists and strings are refused where the spec wants content", "[proto][errors]") {
  CHECK(error_of(R"({"t":"submit","tasks":[]})") == "submit: field 'tasks' must not be empty");
  CHECK(error_of(R"({"t":"submit","tasks":[{"argv":[],"cwd":"/"}]})") ==
        "submit: field 'tasks[0].argv' must not be empty");
  CHECK(error_of(R"({"t":"submit","tasks":[{"argv":["x"],"cwd":""}]})") ==
        "submit: field 'tasks[0].cwd' must not be empty");
  CHECK(error_of(R"({"t":"submit","tasks":[{"argv":["x"],"cwd":"/","group":""}]})") ==
        "submit: field 'tasks[0].group' must not be empty");
  CHECK(error_of(R"({"t":"query","ids":[]})") == "query: field 'ids' must not be empty");
  CHECK(error_of(R"({"t":"register","node":"n1","cores":[]})") == "register: field 'cores' must not be empty");
  CHECK(error_of(R"({"t":"assign","task":1,"attempt":1,"argv":["x"],"cwd":"/","cores":[]})") ==
        "assign: field 'cores' must not be empty (only an MPI launch may omit cores)");
}

TEST_CASE("environment items must be KEY=VALUE", "[proto][errors]") {
  CHECK(error_of(R"({"t":"submit","tasks":[{"argv":["x"],"cwd":"/","env":["A=1","PATH"]}]})") ==
        "submit: field 'tasks[0].env[1]' must be KEY=VALUE with a non-empty key, got 'PATH'");
  CHECK(error_of(R"({"t":"assign","task":1,"attempt":1,"argv":["x"],"cwd":"/","cores":[0],"env":["=v"]})") ==
        "assign: field 'env[0]' must be KEY=VALUE with a non-empty key, got '=v'");
  CHECK(error_of(R"({"t":"submit","tasks":[{"argv":["x"],"cwd":"/","env":["A=","B=x=y"]}]})") == "(decoded)");
}

TEST_CASE("id lists take single ids and ordered pairs only", "[proto][errors]") {
  CHECK(error_of(R"({"t":"query","ids":[1,[4,9],[7,7]]})") == "(decoded)");
  CHECK(error_of(R"({"t":"query","ids":[[9,4]]})") == "query: field 'ids[0]' has first 9 > last 4");
  CHECK(error_of(R"({"t":"query","ids":[[1,2,3]]})") ==
        "query: field 'ids[0]' must be an unsigned integer or a pair [first, last] of them");
  CHECK(error_of(R"({"t":"submitted","ids":[1,-2]})") ==
        "submitted: field 'ids[1]' must be an unsigned integer or a pair [first, last] of them");
}

TEST_CASE("wait and cancel need exactly one selector", "[proto][errors]") {
  CHECK(error_of(R"({"t":"wait"})") == "wait: give exactly one of 'ids', 'group' or 'all'");
  CHECK(error_of(R"({"t":"wait","ids":[],"all":false})") == "wait: give exactly one of 'ids', 'group' or 'all'");
  CHECK(error_of(R"({"t":"wait","ids":[1],"all":true})") == "wait: give exactly one of 'ids', 'group' or 'all'");
  CHECK(error_of(R"({"t":"wait","group":"g","all":true})") == "wait: give exactly one of 'ids', 'group' or 'all'");
  CHECK(error_of(R"({"t":"wait","group":"g"})") == "(decoded)");
  CHECK(error_of(R"({"t":"cancel"})") == "cancel: give exactly one of 'ids' or 'group'");
  CHECK(error_of(R"({"t":"cancel","ids":[3],"group":"g"})") == "cancel: give exactly one of 'ids' or 'group'");
  CHECK(error_of(R"({"t":"cancel","ids":[3]})") == "(decoded)");
}

TEST_CASE("array specs must be ordered, stepped and bounded", "[proto][errors]") {
  auto with_array = [](const std::string& a) {
    return error_of(R"({"t":"submit","tasks":[{"argv":["x"],"cwd":"/","array":)" + a + "}]}");
  };
  CHECK(with_array(R"({"first":1,"last":1000})") == "(decoded)");
  CHECK(with_array(R"({"first":5,"last":4})") == "submit: field 'tasks[0].array.last' must be >= first (5), got 4");
  CHECK(with_array(R"({"first":1,"last":9,"step":0})") ==
        "submit: field 'tasks[0].array.step' must be between 1 and 18446744073709551615, got 0");
  CHECK(with_array(R"({"first":0,"last":16777215})") == "(decoded)");
  CHECK(with_array(R"({"first":0,"last":16777216})") ==
        "submit: field 'tasks[0].array.last' makes more than 16777216 indices");
  CHECK(with_array(R"({"first":0,"last":18446744073709551615,"step":1099511627776})") == "(decoded)");
}

TEST_CASE("an agent's hello must name its node", "[proto][errors]") {
  CHECK(error_of(R"({"t":"hello","v":1,"role":"agent"})") ==
        "hello: field 'node' must be given (non-empty) when role is 'agent'");
  CHECK(error_of(R"({"t":"hello","v":1,"role":"client"})") == "(decoded)");
}

TEST_CASE("a hello of another version decodes far enough for a version error", "[proto][errors]") {
  // Version 2 may define roles and fields differently: only v and prog are read.
  auto m = proto::decode_payload(json::to_msgpack(json::parse(R"({"t":"hello","v":2,"role":"observer",
                                                                  "prog":"compss 2.0","node":7})")));
  REQUIRE(m.ok());
  const auto& h = std::get<proto::Hello>(*m);
  CHECK(h.v == 2);
  CHECK(h.prog == "compss 2.0");
  CHECK(error_of(R"({"t":"hello","v":"1"})") == "hello: field 'v' must be an unsigned integer");
}

TEST_CASE("malformed MessagePack is refused, not crashed on", "[proto][errors]") {
  using Bytes = std::vector<std::uint8_t>;
  CHECK_THAT(error_of_bytes(Bytes{0xc1}), Catch::StartsWith("bad MessagePack payload: "));
  CHECK_THAT(error_of_bytes(Bytes{0x81, 0xa1, 't'}), Catch::Contains("unexpected end of input"));
  // A str32 claiming 4 GiB of text in a 6-byte payload: refused without reserving the 4 GiB.
  CHECK_THAT(error_of_bytes(Bytes{0xdb, 0xff, 0xff, 0xff, 0xff, 'a'}), Catch::Contains("unexpected end of input"));
  // An array32 claiming 4 billion items.
  CHECK_THAT(error_of_bytes(Bytes{0xdd, 0xff, 0xff, 0xff, 0xff, 0x01}), Catch::Contains("unexpected end of input"));
  // A map key that is not a string.
  CHECK_THAT(error_of_bytes(Bytes{0x81, 0x01, 0x02}), Catch::StartsWith("bad MessagePack payload: "));
  // A valid message followed by one more byte.
  Bytes heartbeat = json::to_msgpack(json{{"t", "heartbeat"}});
  CHECK(error_of_bytes(heartbeat) == "(decoded)");
  heartbeat.push_back(0xc0);
  CHECK_THAT(error_of_bytes(heartbeat), Catch::StartsWith("bad MessagePack payload: "));
}

TEST_CASE("a key repeated in one map is refused", "[proto][errors]") {
  // {"t":"heartbeat","t":"heartbeat"}
  std::vector<std::uint8_t> twice = {0x82, 0xa1, 't', 0xa9, 'h', 'e', 'a', 'r', 't', 'b', 'e', 'a', 't',
                                     0xa1, 't',  0xa9, 'h', 'e', 'a', 'r', 't', 'b', 'e', 'a', 't'};
  CHECK(error_of_bytes(twice) == "bad MessagePack payload: key 't' appears twice in one map");
}

TEST_CASE("nesting deeper than the limit is refused before it can exhaust the stack", "[proto][errors]") {
  // A map whose "x" holds a million nested one-element arrays: far beyond 32 levels.
  std::vector<std::uint8_t> deep = {0x82, 0xa1, 't', 0xa9, 'h', 'e', 'a', 'r', 't', 'b', 'e', 'a', 't', 0xa1, 'x'};
  deep.insert(deep.end(), 1000000, 0x91);
  deep.push_back(0x00);
  CHECK(error_of_bytes(deep) == "bad MessagePack payload: maps and arrays nest deeper than 32 levels");
  // 31 levels inside the message map is fine (an unknown field, so ignored).
  std::vector<std::uint8_t> ok(deep.begin(), deep.begin() + 15);
  ok.insert(ok.end(), 31, 0x91);
  ok.push_back(0x00);
  CHECK(error_of_bytes(ok) == "(decoded)");
}

TEST_CASE("a payload of millions of tiny values is refused before it becomes a huge tree", "[proto][errors]") {
  // {"t":"heartbeat","x":[nil x n]}: 1 byte on the wire per value, far more in a decoded tree.
  auto with_nils = [](std::size_t n) {
    std::vector<std::uint8_t> p = {0x82, 0xa1, 't', 0xa9, 'h', 'e', 'a', 'r', 't', 'b', 'e', 'a', 't', 0xa1, 'x',
                                   0xdd, std::uint8_t(n >> 24), std::uint8_t(n >> 16), std::uint8_t(n >> 8),
                                   std::uint8_t(n)};
    p.insert(p.end(), n, 0xc0);
    return p;
  };
  CHECK(error_of_bytes(with_nils(5000000)) == "bad MessagePack payload: more than 4194304 values in one message");
  CHECK(error_of_bytes(with_nils(4000000)) == "(decoded)");
}
