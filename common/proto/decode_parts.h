// decode_parts.h - readers of the nested structures (spec section 5) and of the agent messages
// (internal to common/proto). Each reads one map through a Reader; failures are left in the Reader.
// Thread-safety: pure functions.
#pragma once

#include "common/proto/fields.h"
#include "common/proto/messages.h"

namespace compss::proto::detail {

inline constexpr std::uint64_t kMaxArrayIndices = 16u << 20;  // indices of one array spec
inline constexpr std::uint32_t kMaxPid = 0x7fffffff;
inline constexpr std::uint32_t kMaxSignal = 64;

void read_task_spec(Reader& r, TaskSpec& t);
void read_issue(Reader& r, TaskIssue& i);
void read_counts(Reader& r, StateCounts& c);
void read_node_info(Reader& r, NodeInfo& n);
void read_event(Reader& r, EventRecord& e);
void read_task_info(Reader& r, TaskInfo& t);

void read(Reader& r, Assign& m);
void read(Reader& r, Kill& m);
void read(Reader& r, Stop& m);
void read(Reader& r, Register& m);
void read(Reader& r, Started& m);
void read(Reader& r, Finished& m);
void read(Reader& r, Heartbeat& m);

}  // namespace compss::proto::detail
