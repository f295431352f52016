// to_wire.h - the public client values (compss/types.hpp) to and from the protocol's messages
// (common/proto/messages.h). The public API keeps its own types so that installed headers do not
// depend on the protocol's internals.
//
// Failure: from_wire functions cannot fail (the decoder already checked every field); split_ids fails
// when the daemon's answer does not fit the submit (a protocol error).
// Thread-safety: pure functions.
#pragma once

#include <compss/result.hpp>
#include <compss/types.hpp>
#include <cstdint>
#include <vector>

#include "common/proto/messages.h"

namespace compss::client {

proto::TaskSpec to_wire(const TaskSpec& t);
proto::IdList to_wire(const std::vector<IdRange>& ids);

WaitResult from_wire(const proto::WaitResult& w);
RunStatus from_wire(const proto::StatusResult& s);
TaskInfo from_wire(const proto::TaskInfo& t);
Explanation from_wire(const proto::Explanation& e);

// How many tasks a spec makes: one, or one per array index.
std::uint64_t task_count(const TaskSpec& t);

// The ids the daemon gave, cut into one consecutive range per spec (`counts[i]` ids for spec i).
Result<std::vector<IdRange>> split_ids(const proto::IdList& ids, const std::vector<std::uint64_t>& counts);

}  // namespace compss::client
