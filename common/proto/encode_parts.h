// encode_parts.h - building blocks of the encoder (internal to common/proto): field writers that leave
// out defaults, the nested structures of spec section 5, and the writers of the agent messages.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/proto/messages.h"

namespace compss::proto::detail {

using json = nlohmann::json;

template <class E>
json word_json(E e) {
  return std::string(word(e));
}

template <class T>
void put_if(json& j, const char* key, const T& v, const T& dflt = T{}) {
  if (!(v == dflt)) j[key] = v;
}

inline void put_str(json& j, const char* key, const std::string& s) {
  if (!s.empty()) j[key] = s;
}

template <class T>
void put_vec(json& j, const char* key, const std::vector<T>& v) {
  if (!v.empty()) j[key] = v;
}

template <class T, class F>
void put_list(json& j, const char* key, const std::vector<T>& v, F item_json) {
  if (v.empty()) return;
  json arr = json::array();
  for (const T& item : v) arr.push_back(item_json(item));
  j[key] = std::move(arr);
}

json ids_json(const IdList& ids);
json task_spec_json(const TaskSpec& t);
json issue_json(const TaskIssue& i);
json counts_json(const StateCounts& c);
json node_info_json(const NodeInfo& n);
json event_json(const EventRecord& e);
json task_info_json(const TaskInfo& t);

void write(json& j, const Assign& m);
void write(json& j, const Kill& m);
void write(json& j, const Stop& m);
void write(json& j, const Register& m);
void write(json& j, const Started& m);
void write(json& j, const Finished& m);
void write(json& j, const Heartbeat& m);

}  // namespace compss::proto::detail
