// fake_endpoint.h - a peer of the Runtime that records what it was sent, and a small world around a Runtime
// with agents and clients made of such peers.
#pragma once

#include <catch2/catch.hpp>
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

// A Runtime's configuration for job `job`, all else default.
inline daemon::RuntimeConfig job_config(std::string job) {
  daemon::RuntimeConfig c;
  c.job_id = std::move(job);
  return c;
}

// `agent` registers with `rt` as the agent of `node`, with cores 0..cores-1.
inline void register_agent(daemon::Runtime& rt, const std::shared_ptr<FakeEndpoint>& agent, const std::string& node,
                           std::uint32_t cores, double t, std::vector<proto::RunningTask> running = {}) {
  proto::Register r;
  r.node = node;
  for (std::uint32_t c = 0; c < cores; ++c) r.cores.push_back(c);
  r.running = std::move(running);
  rt.on_agent(agent, std::move(r), t);
}

// `client` submits `s` (request id 1) to `rt`; the ids it is given. The client's earlier messages are cleared.
inline proto::IdList submit_to(daemon::Runtime& rt, const std::shared_ptr<FakeEndpoint>& client, proto::Submit s,
                               double t) {
  s.rid = 1;
  client->clear();
  rt.on_client(client, std::move(s), t);
  auto ok = client->all<proto::Submitted>();
  REQUIRE(ok.size() == 1);
  return ok[0].ids;
}

// `agent` reports the task of `a` started (unless `started` is false), then finished with `code`.
inline void run_task(daemon::Runtime& rt, const std::shared_ptr<FakeEndpoint>& agent, const proto::Assign& a, int code,
                     double t, bool started = true, std::string output_lost = "") {
  if (started) rt.on_agent(agent, proto::Started{a.task, a.attempt, 100}, t);
  proto::Finished f;
  f.task = a.task;
  f.attempt = a.attempt;
  f.exit_code = code;
  f.output_lost = std::move(output_lost);
  rt.on_agent(agent, std::move(f), t);
}

}  // namespace compss::test
