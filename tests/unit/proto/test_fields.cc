// Every field of every message, one at a time: left out, it is either optional or named as missing
// (and the required ones are exactly the spec's); given a wrong type, it is named.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "common/proto/codec.h"
#include "tests/unit/proto/samples.h"

namespace proto = compss::proto;
using nlohmann::json;

namespace {

using Names = std::set<std::string>;

// The required fields of spec section 4, per message type.
const std::map<std::string, Names>& spec_required() {
  static const std::map<std::string, Names> table = {
      {"hello", {"v", "role"}},
      {"welcome", {"v"}},
      {"error", {"code", "message"}},
      {"submit", {"tasks"}},
      {"submitted", {"ids"}},
      {"wait", {}},
      {"wait_result", {}},
      {"status", {}},
      {"status_result", {}},
      {"query", {"ids"}},
      {"query_result", {}},
      {"cancel", {}},
      {"cancelled", {}},
      {"explain", {"id"}},
      {"explanation", {}},
      {"shutdown", {}},
      {"ok", {}},
      {"assign", {"task", "attempt", "argv", "cwd", "cores"}},
      {"kill", {"task"}},
      {"stop", {}},
      {"register", {"node", "cores"}},
      {"started", {"task", "attempt", "pid"}},
      {"finished", {"task", "attempt", "cause"}},
      {"heartbeat", {}},
      {"resize", {"delta"}},
  };
  return table;
}

// Fields whose absence breaks a rule other than "required" in the full samples.
const std::map<std::string, std::string>& rule_breaks() {
  static const std::map<std::string, std::string> table = {
      {"hello/node", "hello: field 'node' must be given (non-empty) when role is 'agent'"},
      {"wait/ids", "wait: give exactly one of 'ids', 'group' or 'all'"},
      {"cancel/group", "cancel: give exactly one of 'ids' or 'group'"},
  };
  return table;
}

std::string decode_error(const json& tree) {
  auto m = proto::decode_payload(json::to_msgpack(tree));
  return m.ok() ? std::string() : m.error().message;
}

json wrong_type_for(const json& v) {
  if (v.is_string()) return 12345;
  return "wrong";
}

}  // namespace

TEST_CASE("the required fields of every message are exactly those of the spec", "[proto][fields]") {
  for (const proto::Message& m : proto::test::full_samples()) {
    std::string type(proto::type_name(m));
    json tree = json::from_msgpack(proto::encode_payload(m));
    Names required;
    for (const auto& [key, value] : tree.items()) {
      if (key == "t") continue;
      json without = tree;
      without.erase(key);
      std::string e = decode_error(without);
      if (e.empty()) continue;
      CAPTURE(type, key);
      if (e == type + ": missing required field '" + key + "'") {
        required.insert(key);
      } else {
        auto rule = rule_breaks().find(type + "/" + key);
        REQUIRE(rule != rule_breaks().end());
        CHECK(e == rule->second);
      }
    }
    CAPTURE(type);
    CHECK(required == spec_required().at(type));
  }
}

TEST_CASE("the required fields of a task spec are argv and cwd", "[proto][fields]") {
  json tree = json::from_msgpack(proto::encode_payload(proto::Submit{1, {proto::test::full_task_spec()}, ""}));
  Names required;
  for (const auto& [key, value] : tree["tasks"][0].items()) {
    json without = tree;
    without["tasks"][0].erase(key);
    std::string e = decode_error(without);
    if (e.empty()) continue;
    CAPTURE(key);
    CHECK(e == "submit: missing required field 'tasks[0]." + key + "'");
    required.insert(key);
  }
  CHECK(required == Names{"argv", "cwd"});
}

TEST_CASE("every field given a wrong type is named in the error", "[proto][fields]") {
  std::size_t checked = 0;
  for (const proto::Message& m : proto::test::full_samples()) {
    std::string type(proto::type_name(m));
    json tree = json::from_msgpack(proto::encode_payload(m));
    for (const auto& [key, value] : tree.items()) {
      if (key == "t") continue;
      json bad = tree;
      bad[key] = wrong_type_for(value);
      CAPTURE(type, key);
      CHECK_THAT(decode_error(bad), Catch::StartsWith(type + ": field '" + key + "' must be"));
      ++checked;
    }
  }
  CHECK(checked > 80);
}

TEST_CASE("every task spec field given a wrong type is named with its path", "[proto][fields]") {
  json tree = json::from_msgpack(proto::encode_payload(proto::Submit{1, {proto::test::full_task_spec()}, ""}));
  for (const auto& [key, value] : tree["tasks"][0].items()) {
    json bad = tree;
    bad["tasks"][0][key] = wrong_type_for(value);
    CAPTURE(key);
    CHECK_THAT(decode_error(bad), Catch::StartsWith("submit: field 'tasks[0]." + key + "' must be"));
  }
}

TEST_CASE("a submit's key is at most 64 bytes", "[proto][fields]") {
  json tree = json::from_msgpack(proto::encode_payload(proto::Submit{1, {proto::test::full_task_spec()}, "k"}));
  CHECK(tree["key"] == "k");
  tree["key"] = std::string(64, 'x');
  CHECK(decode_error(tree).empty());
  tree["key"] = std::string(65, 'x');
  CHECK(decode_error(tree) == "submit: field 'key' is longer than 64 bytes");
}
