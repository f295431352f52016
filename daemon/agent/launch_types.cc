// launch_types.cc - printing of exit statuses.
#include "daemon/agent/launch_types.h"

#include <string.h>

namespace compss::agent {

std::string ExitStatus::str() const {
  if (kind == Kind::kExited) return std::to_string(code);
  const char* abbrev = sigabbrev_np(code);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(code);
}

}  // namespace compss::agent
