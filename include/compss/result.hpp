// compss/result.hpp - the error contract of the public C++ client API (libcompss-client).
//
// Every call of compss::client returns Result<T> (or Status when there is no value); nothing throws out
// of the library. An Error says what kind of failure it was (so a program can react: retry a lost
// connection, report a refusal) and carries a message written for a person.
//
//   compss::client::Result<compss::client::Connection> c = compss::client::Connection::connect();
//   if (!c) { std::cerr << c.error().message << "\n"; return 3; }
//
// This mirrors compss::Result of the project's internal common/util/result.h, in its own namespace,
// because installed headers must stand alone (they cannot include the project's internal headers).
//
// Thread-safety: plain values; as safe as the T they hold.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace compss::client {

enum class ErrorKind {
  kUsage,        // the call itself was wrong (empty argv, two selectors): nothing was sent
  kUnreachable,  // no runtime to talk to: address unset or malformed, connect failed
  kLost,         // the connection broke (the daemon closed it, a read or write failed)
  kProtocol,     // the daemon sent something this client does not understand
  kRefused,      // the daemon answered with an error (see Error::code); the connection stays usable
};

struct Error {
  ErrorKind kind = ErrorKind::kUsage;
  std::string message;
  std::string code;  // for kRefused: the daemon's error code ("invalid", "not-found", ...); else empty
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}      // NOLINT: implicit by design

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

}  // namespace compss::client
