// The small functions declared with the public values in <compss/types.hpp>.
#include <array>
#include <compss/types.hpp>

namespace compss::client {

namespace {
constexpr std::array<std::string_view, 4> kOnFailureWords{"retry", "cancel-successors", "fail", "ignore"};
}

std::string_view to_string(OnFailure policy) {
  return kOnFailureWords[static_cast<std::size_t>(policy)];
}

std::optional<OnFailure> on_failure_from_string(std::string_view word) {
  for (std::size_t i = 0; i < kOnFailureWords.size(); ++i)
    if (kOnFailureWords[i] == word) return static_cast<OnFailure>(i);
  return std::nullopt;
}

Selection Selection::of(std::vector<TaskId> ids) {
  Selection s;
  for (TaskId id : ids) {
    // Runs of consecutive ids travel as one range, as the protocol allows.
    if (!s.ids.empty() && s.ids.back().last + 1 == id && s.ids.back().last != UINT64_MAX)
      s.ids.back().last = id;
    else
      s.ids.push_back({id, id});
  }
  return s;
}

Selection Selection::of_ranges(std::vector<IdRange> ids) {
  Selection s;
  s.ids = std::move(ids);
  return s;
}

Selection Selection::of_group(std::string group) {
  Selection s;
  s.group = std::move(group);
  return s;
}

Selection Selection::everything() {
  Selection s;
  s.all = true;
  return s;
}

}  // namespace compss::client
