// result.h - the one error contract of the project.
//
// Every function that can fail across a module boundary returns Result<T> (or Status for no value).
// An Error carries a message written for a person: what failed, on what input, what to do.
// Nothing is thrown across a module boundary; a function that fails leaves its inputs unchanged.
//
//   Result<int> parse_port(std::string_view s);
//   auto r = parse_port("70000");
//   if (!r) std::cerr << r.error().message << "\n";   // "port 70000 is out of range 1..65535"
//
// Thread-safety: plain values; as safe as the T they hold.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace compss {

struct Error {
  std::string message;
};

// Builds an Error; `compss::fail("unknown key '", key, "'")` concatenates its arguments.
template <class... Parts>
Error fail(Parts&&... parts) {
  std::string s;
  (s.append(std::string_view(parts)), ...);
  return Error{std::move(s)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}       // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

  T value_or(T fallback) const { return ok() ? std::get<0>(v_) : std::move(fallback); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : err_(std::move(e)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return err_;
  }

 private:
  Error err_;
  bool ok_ = true;
};

using Status = Result<void>;

inline Status ok_status() { return Status{}; }

}  // namespace compss
