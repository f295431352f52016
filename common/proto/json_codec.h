// json_codec.h - messages <-> nlohmann::json trees (internal to common/proto; codec.h is the interface).
//
// to_json writes "t" and every field that is required or differs from its default. from_json checks a
// decoded tree against the spec and returns the message or an error "<type>: <what is wrong>".
// Never throws. Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/proto/messages.h"
#include "common/util/result.h"

namespace compss::proto::detail {

nlohmann::json to_json(const Message& m);
Result<Message> from_json(const nlohmann::json& tree);

// The variant index of a wire type name, or nullopt for an unknown one.
std::optional<std::size_t> type_index(std::string_view name);

}  // namespace compss::proto::detail
