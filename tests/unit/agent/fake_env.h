// fake_env.h - an EnvLookup (identity.h) that answers from a map, for tests of code that reads the
// environment through one. Test-only; thread-safety: the returned function is a plain value.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "daemon/agent/identity.h"

namespace compss::agent::test {

inline EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace compss::agent::test
