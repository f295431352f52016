// msgpack_dom.cc - see msgpack_dom.h.
#include "common/proto/msgpack_dom.h"

#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace compss::proto::detail {
namespace {

using json = nlohmann::json;

// A SAX handler (nlohmann's static interface, no virtuals) that builds the tree itself with an explicit
// stack of open containers, and stops the parse at the first thing it refuses.
class BoundedBuilder {
 public:
  explicit BoundedBuilder(json& root) : root_(root) {}

  bool null() { return add(json(nullptr)); }
  bool boolean(bool v) { return add(json(v)); }
  bool number_integer(json::number_integer_t v) { return add(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return add(json(v)); }
  bool number_float(json::number_float_t v, const json::string_t&) { return add(json(v)); }
  bool string(json::string_t& v) { return add(json(std::move(v))); }
  bool binary(json::binary_t& v) { return add(json::binary(std::move(v))); }

  bool start_object(std::size_t) { return open(json::object()); }
  bool start_array(std::size_t) { return open(json::array()); }  // never reserve from an untrusted count
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(json::string_t& k) {
    if (!count_value()) return false;
    auto& obj = stack_.back()->get_ref<json::object_t&>();
    auto [it, inserted] = obj.emplace(std::move(k), nullptr);
    if (!inserted) return refuse("key '" + it->first + "' appears twice in one map");
    slot_ = &it->second;
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) {
    std::string what = ex.what();
    // nlohmann prefixes "[json.exception.parse_error.NNN] "; the rest reads well on its own.
    if (auto pos = what.find("] "); pos != std::string::npos && what.rfind("[json.exception", 0) == 0)
      what.erase(0, pos + 2);
    return refuse(std::move(what));
  }

  const std::string& error() const { return error_; }

 private:
  // Places a value where the parse is: the root, the end of the open array, or the pending map slot.
  json* place(json&& v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    json& top = *stack_.back();
    if (top.is_array()) {
      auto& arr = top.get_ref<json::array_t&>();
      arr.push_back(std::move(v));
      return &arr.back();
    }
    *slot_ = std::move(v);
    return slot_;
  }

  bool count_value() {
    if (++values_ <= kMaxValues) return true;
    return refuse("more than " + std::to_string(kMaxValues) + " values in one message");
  }

  bool add(json&& v) {
    if (!count_value()) return false;
    place(std::move(v));
    return true;
  }

  bool open(json&& container) {
    if (!count_value()) return false;
    if (stack_.size() >= kMaxDepth)
      return refuse("maps and arrays nest deeper than " + std::to_string(kMaxDepth) + " levels");
    stack_.push_back(place(std::move(container)));
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }

  bool refuse(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }

  json& root_;
  std::vector<json*> stack_;  // pointers stay valid: a container is only appended to while it is on top
  json* slot_ = nullptr;      // the value slot of the last key read
  std::size_t values_ = 0;
  std::string error_;
};

}  // namespace

Result<json> parse_msgpack(std::span<const std::uint8_t> bytes) {
  json root;
  BoundedBuilder builder(root);
  try {
    if (!json::sax_parse(bytes.begin(), bytes.end(), &builder, json::input_format_t::msgpack, true))
      return fail("bad MessagePack payload: ",
                  builder.error().empty() ? std::string("parse failed") : builder.error());
  } catch (const std::exception& e) {
    return fail("bad MessagePack payload: ", e.what());
  }
  return root;
}

}  // namespace compss::proto::detail
