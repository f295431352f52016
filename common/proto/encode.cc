// encode.cc - messages -> json trees (see json_codec.h), and the byte-level functions of codec.h.
#include <string>
#include <utility>

#include "common/proto/codec.h"
#include "common/proto/encode_parts.h"
#include "common/proto/json_codec.h"

namespace compss::proto {
namespace detail {
namespace {

void write(json& j, const Hello& m) {
  j["v"] = m.v;
  j["role"] = word_json(m.role);
  put_str(j, "prog", m.prog);
  put_str(j, "node", m.node);
  put_str(j, "auth", m.auth);
}

void write(json& j, const Welcome& m) {
  j["v"] = m.v;
  put_str(j, "prog", m.prog);
  put_str(j, "job", m.job);
  put_if(j, "heartbeat_s", m.heartbeat_s, std::uint32_t{10});
  put_str(j, "auth", m.auth);
}

void write(json& j, const ErrorMessage& m) {
  put_if(j, "rid", m.rid);
  j["code"] = word_json(m.code);
  j["message"] = m.message;
}

void write(json& j, const Submit& m) {
  put_if(j, "rid", m.rid);
  json tasks = json::array();
  for (const TaskSpec& t : m.tasks) tasks.push_back(task_spec_json(t));
  j["tasks"] = std::move(tasks);
  put_if(j, "key", m.key);
}

void write(json& j, const Submitted& m) {
  put_if(j, "rid", m.rid);
  j["ids"] = ids_json(m.ids);
}

void write(json& j, const Wait& m) {
  put_if(j, "rid", m.rid);
  if (!m.ids.empty()) j["ids"] = ids_json(m.ids);
  if (m.group) j["group"] = *m.group;
  put_if(j, "all", m.all);
  put_if(j, "timeout_s", m.timeout_s);
}

void write(json& j, const WaitResult& m) {
  put_if(j, "rid", m.rid);
  put_if(j, "done", m.done);
  put_list(j, "failed", m.failed, issue_json);
  put_list(j, "cancelled", m.cancelled, issue_json);
  put_if(j, "timed_out", m.timed_out);
  put_if(j, "pending", m.pending);
}

void write(json& j, const StatusQuery& m) { put_if(j, "rid", m.rid); }

void write(json& j, const StatusResult& m) {
  put_if(j, "rid", m.rid);
  if (m.counts != StateCounts{}) j["counts"] = counts_json(m.counts);
  put_list(j, "nodes", m.nodes, node_info_json);
  put_list(j, "events", m.events, event_json);
  if (m.outcome != Outcome::kRunning) j["outcome"] = word_json(m.outcome);
}

void write(json& j, const Query& m) {
  put_if(j, "rid", m.rid);
  j["ids"] = ids_json(m.ids);
}

void write(json& j, const QueryResult& m) {
  put_if(j, "rid", m.rid);
  put_list(j, "tasks", m.tasks, task_info_json);
}

void write(json& j, const Cancel& m) {
  put_if(j, "rid", m.rid);
  if (!m.ids.empty()) j["ids"] = ids_json(m.ids);
  if (m.group) j["group"] = *m.group;
}

void write(json& j, const Cancelled& m) {
  put_if(j, "rid", m.rid);
  put_if(j, "count", m.count);
}

void write(json& j, const Explain& m) {
  put_if(j, "rid", m.rid);
  j["id"] = m.id;
}

void write(json& j, const Explanation& m) {
  put_if(j, "rid", m.rid);
  put_if(j, "id", m.id);
  put_str(j, "text", m.text);
  put_vec(j, "items", m.items);
}

void write(json& j, const Shutdown& m) {
  put_if(j, "rid", m.rid);
  put_if(j, "drain", m.drain, true);
}

void write(json& j, const Ok& m) { put_if(j, "rid", m.rid); }

void write(json& j, const Resize& m) {
  put_if(j, "rid", m.rid);
  j["delta"] = m.delta;
}

}  // namespace

json to_json(const Message& m) {
  json j = json::object();
  j["t"] = std::string(type_name(m));
  std::visit([&j](const auto& msg) { write(j, msg); }, m);
  return j;
}

}  // namespace detail

std::vector<std::uint8_t> encode_payload(const Message& m) {
  std::vector<std::uint8_t> out;
  nlohmann::json::to_msgpack(detail::to_json(m), out);
  return out;
}

Frame encode(const Message& m) {
  Frame frame(kHeaderSize, 0);
  nlohmann::json::to_msgpack(detail::to_json(m), frame);  // appends after the header's room
  std::size_t n = frame.size() - kHeaderSize;
  for (std::size_t i = 0; i < kHeaderSize; ++i)
    frame[i] = static_cast<std::uint8_t>((n >> (8 * (kHeaderSize - 1 - i))) & 0xff);
  return frame;
}

Result<Frame> encode_checked(const Message& m) {
  Frame frame = encode(m);
  if (frame.size() - kHeaderSize > kMaxPayload)
    return fail(type_name(m), " message of ", std::to_string(frame.size() - kHeaderSize),
                " bytes exceeds the frame limit of ", std::to_string(kMaxPayload), " bytes; send it in parts");
  return frame;
}

}  // namespace compss::proto
