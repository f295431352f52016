// c_api_convert.h - the C API's structs (compss/client.h) to and from the C++ values (compss/types.hpp).
//
// The to_c functions allocate with malloc so that the matching compss_*_free() releases everything;
// they return NULL when an allocation fails, having freed what they had built.
// Thread-safety: pure functions.
#pragma once

#include <compss/client.h>

#include <compss/result.hpp>
#include <compss/types.hpp>

namespace compss::client {

// Checks the C spec (argv given, no NULL strings in its lists) and copies it; `index` names it in errors.
Result<TaskSpec> from_c(const compss_task_spec& spec, std::size_t index);
Result<Selection> from_c(const compss_selector& sel);

compss_wait_result* to_c(const WaitResult& w);
compss_run_status* to_c(const RunStatus& s);
compss_task_info* to_c(const std::vector<TaskInfo>& tasks);
compss_explanation* to_c(const Explanation& e);

}  // namespace compss::client
