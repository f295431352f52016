// decode.cc - json trees -> messages (see json_codec.h): the handshake and client messages, the dispatch
// on "t", and decode_payload of codec.h.
#include <array>
#include <string>
#include <utility>
#include <variant>

#include "common/proto/codec.h"
#include "common/proto/decode_parts.h"
#include "common/proto/json_codec.h"
#include "common/proto/msgpack_dom.h"

namespace compss::proto {
namespace detail {
namespace {

void read(Reader& r, Hello& m) {
  r.u32("v", m.v, kRequired);
  r.str_if_string("prog", m.prog);
  // A peer of another version gets a version error from the daemon, never a complaint about fields that
  // its version may define differently.
  if (!r.ok() || m.v != kProtocolVersion) return;
  r.word("role", m.role, kRequired);
  r.str("prog", m.prog);
  r.str("node", m.node);
  r.str("auth", m.auth);
  if (r.ok() && m.role == Role::kAgent && m.node.empty())
    r.fail("node", "must be given (non-empty) when role is 'agent'");
}

void read(Reader& r, Welcome& m) {
  r.u32("v", m.v, kRequired);
  r.str("prog", m.prog);
  r.str("job", m.job);
  r.u32("heartbeat_s", m.heartbeat_s);
  r.str("auth", m.auth);
}

void read(Reader& r, ErrorMessage& m) {
  r.u64("rid", m.rid);
  r.word("code", m.code, kRequired);
  r.str("message", m.message, kRequired);
}

void read(Reader& r, Submit& m) {
  r.u64("rid", m.rid);
  r.list("tasks", m.tasks, kRequired, true, read_task_spec);
  r.str("key", m.key);
  if (m.key.size() > 64) r.fail("key", "is longer than 64 bytes");
}

void read(Reader& r, Submitted& m) {
  r.u64("rid", m.rid);
  r.ids("ids", m.ids, kRequired);
}

void read(Reader& r, Wait& m) {
  r.u64("rid", m.rid);
  r.ids("ids", m.ids);
  r.opt_str("group", m.group);
  r.boolean("all", m.all);
  r.u32("timeout_s", m.timeout_s);
  int selectors = int(!m.ids.empty()) + int(m.group.has_value()) + int(m.all);
  if (r.ok() && selectors != 1) r.fail_rule("give exactly one of 'ids', 'group' or 'all'");
}

void read(Reader& r, WaitResult& m) {
  r.u64("rid", m.rid);
  r.u64("done", m.done);
  r.list("failed", m.failed, kOptional, false, read_issue);
  r.list("cancelled", m.cancelled, kOptional, false, read_issue);
  r.boolean("timed_out", m.timed_out);
  r.u64("pending", m.pending);
}

void read(Reader& r, StatusQuery& m) { r.u64("rid", m.rid); }

void read(Reader& r, StatusResult& m) {
  r.u64("rid", m.rid);
  r.object("counts", m.counts, kOptional, read_counts);
  r.list("nodes", m.nodes, kOptional, false, read_node_info);
  r.list("events", m.events, kOptional, false, read_event);
  r.word("outcome", m.outcome);
}

void read(Reader& r, Query& m) {
  r.u64("rid", m.rid);
  r.ids("ids", m.ids, kRequired, true);
}

void read(Reader& r, QueryResult& m) {
  r.u64("rid", m.rid);
  r.list("tasks", m.tasks, kOptional, false, read_task_info);
}

void read(Reader& r, Cancel& m) {
  r.u64("rid", m.rid);
  r.ids("ids", m.ids);
  r.opt_str("group", m.group);
  if (r.ok() && m.ids.empty() == !m.group.has_value()) r.fail_rule("give exactly one of 'ids' or 'group'");
}

void read(Reader& r, Cancelled& m) {
  r.u64("rid", m.rid);
  r.u64("count", m.count);
}

void read(Reader& r, Explain& m) {
  r.u64("rid", m.rid);
  r.u64("id", m.id, kRequired);
}

void read(Reader& r, Explanation& m) {
  r.u64("rid", m.rid);
  r.u64("id", m.id);
  r.str("text", m.text);
  r.str_list("items", m.items);
}

void read(Reader& r, Shutdown& m) {
  r.u64("rid", m.rid);
  r.boolean("drain", m.drain);
}

void read(Reader& r, Ok& m) { r.u64("rid", m.rid); }

void read(Reader& r, Resize& m) {
  r.u64("rid", m.rid);
  r.i32("delta", m.delta, kRequired);
}

template <class T>
Message read_as(Reader& r) {
  T m{};
  read(r, m);
  return Message(std::move(m));
}

using ReadFn = Message (*)(Reader&);

template <std::size_t... I>
constexpr std::array<ReadFn, sizeof...(I)> make_readers(std::index_sequence<I...>) {
  return {&read_as<std::variant_alternative_t<I, Message>>...};
}

constexpr auto kReaders = make_readers(std::make_index_sequence<std::variant_size_v<Message>>{});

}  // namespace

Result<Message> from_json(const json& tree) {
  if (!tree.is_object()) return fail("a message must be a map, got ", tree.type_name());
  auto t = tree.find("t");
  if (t == tree.end()) return fail("a message must have a type field 't'");
  if (!t->is_string()) return fail("the type field 't' must be a string");
  const auto& name = t->get_ref<const json::string_t&>();
  auto index = type_index(name);
  if (!index) return fail("unknown message type ", excerpt(name));
  Problem problem;
  Reader reader(tree, problem);
  Message m = kReaders[*index](reader);
  if (problem.failed()) return fail(name, ": ", *problem.text);
  return m;
}

}  // namespace detail

Result<Message> decode_payload(std::span<const std::uint8_t> payload) {
  auto tree = detail::parse_msgpack(payload);
  if (!tree) return tree.error();
  try {
    return detail::from_json(*tree);
  } catch (const std::exception& e) {  // bad_alloc, or a library surprise: still an error, not a crash
    return fail("cannot decode message: ", e.what());
  }
}

}  // namespace compss::proto
