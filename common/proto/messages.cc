// messages.cc - wire type names: from a message, and to the Message variant's index.
#include <utility>
#include <variant>

#include "common/proto/json_codec.h"
#include "common/proto/messages.h"

namespace compss::proto {

std::string_view type_name(const Message& m) {
  return std::visit([](const auto& msg) { return std::decay_t<decltype(msg)>::kType; }, m);
}

namespace detail {
namespace {

template <std::size_t I = 0>
std::optional<std::size_t> find_type(std::string_view name) {
  if constexpr (I == std::variant_size_v<Message>) {
    return std::nullopt;
  } else {
    if (std::variant_alternative_t<I, Message>::kType == name) return I;
    return find_type<I + 1>(name);
  }
}

}  // namespace

std::optional<std::size_t> type_index(std::string_view name) {
  return find_type(name);
}

}  // namespace detail
}  // namespace compss::proto
