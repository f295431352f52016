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

template <std::size_t... I>
std::optional<std::size_t> find_type(std::string_view name, std::index_sequence<I...>) {
  std::optional<std::size_t> found;
  ((std::variant_alternative_t<I, Message>::kType == name ? (found = I, true) : false) || ...);
  return found;
}

}  // namespace

std::optional<std::size_t> type_index(std::string_view name) {
  return find_type(name, std::make_index_sequence<std::variant_size_v<Message>>{});
}

}  // namespace detail
}  // namespace compss::proto
