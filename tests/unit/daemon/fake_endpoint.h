// fake_endpoint.h - a peer of the Runtime that records what it was sent, and a small world around a Runtime
// with agents and clients made of such peers.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "common/proto/messages.h"
#include "daemon/runtime.h"

namespace compss::test {

class FakeEndpoint : public daemon::Endpoint {
 public:
  explicit FakeEndpoint(std::string name) : name_(std::move(name)) {}
  void send(const proto::Message& m) override { sent.push_back(m); }
  const std::string& name() const override { return name_; }
  void close(const std::string& why) override { closed = why; }

  // The messages of type T sent so far, oldest first.
  template <class T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (const auto& m : sent)
      if (auto* x = std::get_if<T>(&m)) out.push_back(*x);
    return out;
  }
  template <class T>
  T last() const {
    auto v = all<T>();
    return v.empty() ? T{} : v.back();
  }
  template <class T>
  std::size_t count() const {
    return all<T>().size();
  }
  void clear() { sent.clear(); }

  std::vector<proto::Message> sent;
  std::string closed;  // why close() was called; "" while open

 private:
  std::string name_;
};

// A submit of one task: `argv` run with `cpus` cores, reading `in`, writing `out`.
inline proto::TaskSpec task(std::vector<std::string> argv, std::uint32_t cpus = 1, std::vector<std::string> in = {},
                            std::vector<std::string> out = {}) {
  proto::TaskSpec t;
  t.argv = std::move(argv);
  t.cpus = cpus;
  t.in = std::move(in);
  t.out = std::move(out);
  return t;
}

}  // namespace compss::test
