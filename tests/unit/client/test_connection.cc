// The C++ client against a fake daemon in this process: handshake, requests and answers, error paths.
#include <munge.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <compss/client.hpp>
#include <cstdlib>
#include <map>
#include <thread>

#include "common/proto/codec.h"
#include "common/proto/handshake.h"
#include "tests/unit/client/fake_daemon.h"

using namespace compss;
using client::Connection;
using client::ErrorKind;
using client::IdRange;
using client::Selection;
using test::Answer;
using test::FakeDaemon;

namespace {

client::TaskSpec task(std::vector<std::string> argv) {
  client::TaskSpec t;
  t.argv = std::move(argv);
  t.cwd = "/home/u/run";
  return t;
}

template <class T>
const T* last_of(const FakeDaemon& d) {
  static thread_local std::vector<proto::Message> keep;
  keep = d.received();
  for (auto it = keep.rbegin(); it != keep.rend(); ++it)
    if (auto* m = std::get_if<T>(&*it)) return m;
  return nullptr;
}

// Connects to `d` and asks for the status, which must fail; the error it failed with.
client::Error failed_status(FakeDaemon& d) {
  auto c = Connection::connect(d.path());
  REQUIRE(c);
  auto s = c->status();
  REQUIRE_FALSE(s);
  return s.error();
}

}  // namespace

TEST_CASE("connect says hello as a client of protocol 1 and keeps the welcome", "[client][connection]") {
  FakeDaemon d;
  auto c = Connection::connect(d.path());
  REQUIRE(c);
  CHECK(c->server().version == 1);
  CHECK(c->server().prog == "fake-compssd");
  CHECK(c->server().job == "4242");
  auto* hello = last_of<proto::Hello>(d);
  REQUIRE(hello);
  CHECK(hello->v == proto::kProtocolVersion);
  CHECK(hello->role == proto::Role::kClient);
  CHECK_THAT(hello->prog, Catch::StartsWith("libcompss-client "));
  CHECK(hello->auth.empty());  // the Unix socket authenticates; no credential is sent
}

TEST_CASE("over TCP the client binds its MUNGE credential to the daemon and checks the daemon's answer",
          "[client][connection]") {
  FakeDaemon d(nullptr, FakeDaemon::Transport::kTcp);
  ::setenv("COMPSS_ADDRESS", d.path().c_str(), 1);
  ::setenv("COMPSS_JOB", "4242", 1);
  ::unsetenv("COMPSS_SOCKET");
  auto c = Connection::connect();
  ::unsetenv("COMPSS_ADDRESS");
  ::unsetenv("COMPSS_JOB");
  if (!test::munge_works()) {
    // No munged here: the client has no credential to show and the daemon none to prove itself with.
    REQUIRE_FALSE(c);
    CHECK(c.error().kind == ErrorKind::kRefused);
    CHECK_THAT(c.error().message, Catch::Contains("did not prove it runs as you"));
    return;
  }
  REQUIRE(c);
  auto s = c->status();
  REQUIRE(s);
  CHECK(s->counts.done == 5);
  auto* hello = last_of<proto::Hello>(d);
  REQUIRE(hello);
  REQUIRE_THAT(hello->auth, Catch::StartsWith("MUNGE:"));
  auto b = proto::parse_hello_payload(test::last_hello_payload());
  REQUIRE(b);
  CHECK(b->daemon == d.path());  // 127.0.0.1:PORT, as connected
  CHECK(b->job == "4242");       // the shell's job, since the address came from its environment
  CHECK(b->nonce.size() == 32);
}

TEST_CASE("over TCP a daemon that cannot prove it runs as this user is not talked to", "[client][connection]") {
  if (!test::munge_works()) {
    WARN("munged is not running here: the real handshake is tested on the local cluster");
    return;
  }
  SECTION("no credential in the welcome") {
    FakeDaemon d(
        [](FakeDaemon&, const proto::Message& m) -> Answer {
          if (std::holds_alternative<proto::Hello>(m)) return test::reply(proto::Welcome{1, "impostor", "4242", 10, {}});
          return test::hang_up();
        },
        FakeDaemon::Transport::kTcp);
    auto c = Connection::connect(d.path());
    REQUIRE_FALSE(c);
    CHECK(c.error().kind == ErrorKind::kRefused);
    CHECK_THAT(c.error().message, Catch::Contains("its welcome carries no credential"));
  }
  SECTION("a credential that answers another connection (replayed)") {
    FakeDaemon d(
        [](FakeDaemon&, const proto::Message& m) -> Answer {
          if (const auto* h = std::get_if<proto::Hello>(&m))
            return test::reply(proto::Welcome{1, "impostor", "4242", 10,
                                              test::munge_answer(h->auth, std::string(32, 'a'))});
          return test::hang_up();
        },
        FakeDaemon::Transport::kTcp);
    auto c = Connection::connect(d.path());
    REQUIRE_FALSE(c);
    CHECK_THAT(c.error().message, Catch::Contains("answers another connection"));
  }
  SECTION("an address given by hand binds no job") {
    FakeDaemon d(nullptr, FakeDaemon::Transport::kTcp);
    ::setenv("COMPSS_JOB", "999", 1);
    auto c = Connection::connect(d.path());
    ::unsetenv("COMPSS_JOB");
    REQUIRE(c);
    CHECK_THAT(test::last_hello_payload(), Catch::Contains(" job= "));
  }
}

TEST_CASE("over the Unix socket a socket served by another uid is refused", "[client][connection]") {
  if (::getuid() != 0) {
    WARN("needs root to serve a socket as another uid");
    return;
  }
  // A child process of another uid listens where the client looks (as someone could in a shared /tmp).
  const std::string path = "/tmp/compss-test-foreign-" + std::to_string(::getpid()) + ".sock";
  ::unlink(path.c_str());
  pid_t child = ::fork();
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 4) != 0) ::_exit(4);
    ::sleep(5);
    ::_exit(0);
  }
  // /tmp lets uid 65534 create the socket; wait for it to appear.
  for (int i = 0; i < 200 && ::access(path.c_str(), F_OK) != 0; ++i) ::usleep(10000);
  auto c = Connection::connect("unix:" + path);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ::unlink(path.c_str());
  REQUIRE_FALSE(c);
  CHECK(c.error().kind == ErrorKind::kRefused);
  CHECK_THAT(c.error().message, Catch::Contains("is served by uid 65534, not by you"));
}

TEST_CASE("connect with no address uses COMPSS_SOCKET", "[client][connection]") {
  FakeDaemon d;
  ::setenv("COMPSS_SOCKET", d.path().c_str(), 1);
  auto c = Connection::connect();
  ::unsetenv("COMPSS_SOCKET");
  REQUIRE(c);
  CHECK(d.connections() == 1);
}

TEST_CASE("submit sends every field and returns one id range per spec", "[client][connection]") {
  FakeDaemon d;
  auto c = Connection::connect(d.path());
  REQUIRE(c);
  auto a = task({"./sim", "{i}"});
  a.array = client::ArraySpec{1, 10, 1};
  a.out = {"out/{i}.nc"};
  a.cpus = 2;
  auto b = task({"./merge"});
  b.in = {"./out"};
  b.after = {0};
  b.on_failure = client::OnFailure::kFail;
  auto ids = c->submit({task({"prep"}), a, b});
  REQUIRE(ids);
  CHECK(*ids == std::vector<IdRange>{{0, 0}, {1, 10}, {11, 11}});

  auto* sent = last_of<proto::Submit>(d);
  REQUIRE(sent);
  REQUIRE(sent->tasks.size() == 3);
  CHECK(sent->rid != 0);
  CHECK(sent->tasks[1].array == std::optional<proto::ArraySpec>(proto::ArraySpec{1, 10, 1}));
  CHECK(sent->tasks[1].out == std::vector<std::string>{"/home/u/run/out/{i}.nc"});  // made absolute
  CHECK(sent->tasks[1].cpus == 2);
  CHECK(sent->tasks[2].in == std::vector<std::string>{"/home/u/run/out"});
  CHECK(sent->tasks[2].on_failure == proto::OnFailure::kFail);
}

TEST_CASE("a submit with no cwd runs in the caller's directory", "[client][connection]") {
  FakeDaemon d;
  auto c = Connection::connect(d.path());
  REQUIRE(c);
  client::TaskSpec t;
  t.argv = {"hostname"};
  t.in = {"data"};
  REQUIRE(c->submit({t}));
  auto* sent = last_of<proto::Submit>(d);
  REQUIRE(sent);
  char here[4096];
  REQUIRE(::getcwd(here, sizeof here));
  CHECK(sent->tasks[0].cwd == here);
  CHECK(sent->tasks[0].in == std::vector<std::string>{std::string(here) + "/data"});
}

TEST_CASE("wait, status, query, cancel, explain and shutdown each get their answer", "[client][connection]") {
  FakeDaemon d;
  auto c = Connection::connect(d.path());
  REQUIRE(c);
  REQUIRE(c->submit({task({"a"}), task({"b"}), task({"c"})}));

  auto w = c->wait(Selection::of({0, 1, 2}));
  REQUIRE(w);
  CHECK(w->done == 3);
  CHECK(w->succeeded());
  auto* wait = last_of<proto::Wait>(d);
  REQUIRE(wait);
  CHECK(wait->ids == proto::IdList{{0, 2}});  // consecutive ids travel as one range

  auto all = c->wait(Selection::everything(), 60);
  REQUIRE(all);
  CHECK(last_of<proto::Wait>(d)->all);
  CHECK(last_of<proto::Wait>(d)->timeout_s == 60);

  auto s = c->status();
  REQUIRE(s);
  CHECK(s->counts.running == 2);
  CHECK(s->nodes.at(0).name == "n1");
  CHECK(s->outcome == "running");
  REQUIRE(s->events.size() == 3);
  CHECK(s->events[0].kind == "joined");
  CHECK(s->events[0].node == "n1");
  CHECK(s->events[0].t == Approx(0.5));
  CHECK(s->events[0].text == "node n1 joined: 16 cores");
  REQUIRE(s->nodes.size() == 2);
  CHECK(s->nodes[1].state == "released");
  CHECK(s->nodes[1].request == 1);
  CHECK(s->nodes[1].left == Approx(9));

  auto q = c->query({2, 1});
  REQUIRE(q);
  REQUIRE(q->size() == 2);
  CHECK((*q)[0].id == 2);
  CHECK((*q)[0].state == "done");

  auto n = c->cancel(Selection::of_group("members"));
  REQUIRE(n);
  CHECK(last_of<proto::Cancel>(d)->group == std::optional<std::string>("members"));

  auto e = c->explain(2);
  REQUIRE(e);
  CHECK(e->text == "task 2 is pending: waits for 1 task");
  CHECK(e->items.size() == 1);

  REQUIRE(c->shutdown(false));
  CHECK_FALSE(last_of<proto::Shutdown>(d)->drain);
}

TEST_CASE("every request carries its own request id", "[client][connection]") {
  FakeDaemon d;
  auto c = Connection::connect(d.path());
  REQUIRE(c);
  REQUIRE(c->status());
  REQUIRE(c->status());
  std::vector<std::uint64_t> rids;
  for (const auto& m : d.received())
    if (auto* s = std::get_if<proto::StatusQuery>(&m)) rids.push_back(s->rid);
  REQUIRE(rids.size() == 2);
  CHECK(rids[0] != rids[1]);
}

TEST_CASE("a refusal is the daemon's message as is, and the connection stays usable", "[client][connection]") {
  FakeDaemon d([](FakeDaemon& self, const proto::Message& m) -> Answer {
    if (auto* s = std::get_if<proto::Submit>(&m); s && !s->tasks.at(0).after.empty())
      return test::reply(
          proto::ErrorMessage{s->rid, proto::ErrorCode::kInvalid, "task 0 (sim): after 99: no such task"});
    return self.canned(m);
  });
  auto c = Connection::connect(d.path());
  REQUIRE(c);
  auto t = task({"sim"});
  t.after = {99};
  auto refused = c->submit({t});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ErrorKind::kRefused);
  CHECK(refused.error().code == "invalid");
  CHECK(refused.error().message == "task 0 (sim): after 99: no such task");
  auto again = c->submit({task({"sim"})});
  REQUIRE(again);
  CHECK(d.connections() == 1);
}

TEST_CASE("the daemon closing the connection mid-request is a lost connection", "[client][connection]") {
  FakeDaemon d([](FakeDaemon& self, const proto::Message& m) -> Answer {
    if (std::holds_alternative<proto::Wait>(m)) return test::hang_up();
    return self.canned(m);
  });
  auto c = Connection::connect(d.path());
  REQUIRE(c);
  auto w = c->wait(Selection::everything());
  REQUIRE_FALSE(w);
  CHECK(w.error().kind == ErrorKind::kLost);
  CHECK_THAT(w.error().message, Catch::Contains("closed the connection"));
  auto after = c->status();  // the connection is gone for good
  REQUIRE_FALSE(after);
  CHECK(after.error().kind == ErrorKind::kLost);
}

TEST_CASE("a reply cut off in the middle of its frame is a lost connection", "[client][connection]") {
  FakeDaemon d([](FakeDaemon& self, const proto::Message& m) -> Answer {
    if (auto* s = std::get_if<proto::StatusQuery>(&m)) {
      auto frame = proto::encode(proto::StatusResult{s->rid, {}, {}, {}, proto::Outcome::kRunning});
      frame.resize(frame.size() - 2);
      return test::raw_bytes(frame, true);
    }
    return self.canned(m);
  });
  CHECK(failed_status(d).kind == ErrorKind::kLost);
}

TEST_CASE("garbage from the daemon is a protocol error that closes the connection", "[client][connection]") {
  SECTION("a frame whose payload is not MessagePack") {
    FakeDaemon d([](FakeDaemon& self, const proto::Message& m) -> Answer {
      if (std::holds_alternative<proto::StatusQuery>(m)) return test::raw_bytes({0, 0, 0, 3, 0xc1, 0xc1, 0xc1});
      return self.canned(m);
    });
    auto c = Connection::connect(d.path());
    REQUIRE(c);
    auto s = c->status();
    REQUIRE_FALSE(s);
    CHECK(s.error().kind == ErrorKind::kProtocol);
    CHECK_THAT(s.error().message, Catch::Contains("cannot read"));
    CHECK(c->status().error().kind == ErrorKind::kLost);
  }
  SECTION("a frame header with a length of zero") {
    FakeDaemon d([](FakeDaemon& self, const proto::Message& m) -> Answer {
      if (std::holds_alternative<proto::StatusQuery>(m)) return test::raw_bytes({0, 0, 0, 0});
      return self.canned(m);
    });
    auto c = Connection::connect(d.path());
    REQUIRE(c);
    auto s = c->status();
    REQUIRE_FALSE(s);
    CHECK(s.error().kind == ErrorKind::kProtocol);
  }
  SECTION("the wrong answer to a request") {
    FakeDaemon d([](FakeDaemon& self, const proto::Message& m) -> Answer {
      if (auto* s = std::get_if<proto::StatusQuery>(&m)) return test::reply(proto::Cancelled{s->rid, 1});
      return self.canned(m);
    });
    auto c = Connection::connect(d.path());
    REQUIRE(c);
    auto s = c->status();
    REQUIRE_FALSE(s);
    CHECK(s.error().kind == ErrorKind::kProtocol);
    CHECK_THAT(s.error().message, Catch::Contains("answered 'status' with 'cancelled'"));
  }
  SECTION("ids that do not fit the submit") {
    FakeDaemon d([](FakeDaemon& self, const proto::Message& m) -> Answer {
      if (auto* s = std::get_if<proto::Submit>(&m)) return test::reply(proto::Submitted{s->rid, {{0, 0}}});
      return self.canned(m);
    });
    auto c = Connection::connect(d.path());
    REQUIRE(c);
    auto ids = c->submit({task({"a"}), task({"b"})});
    REQUIRE_FALSE(ids);
    CHECK(ids.error().kind == ErrorKind::kProtocol);
  }
}

TEST_CASE("a daemon that refuses the hello is a refusal at connect", "[client][connection]") {
  FakeDaemon d([](FakeDaemon&, const proto::Message&) -> Answer {
    return test::reply_and_close(proto::ErrorMessage{
        0, proto::ErrorCode::kVersion, "protocol version 1 is not supported (this side speaks protocol 2)"});
  });
  auto c = Connection::connect(d.path());
  REQUIRE_FALSE(c);
  CHECK(c.error().kind == ErrorKind::kRefused);
  CHECK(c.error().code == "version");
  CHECK_THAT(c.error().message, Catch::Contains("protocol version 1 is not supported"));
}

TEST_CASE("a welcome of another protocol version is refused by the client", "[client][connection]") {
  FakeDaemon d([](FakeDaemon&, const proto::Message&) -> Answer { return test::reply(proto::Welcome{2, "", "", 10, {}}); });
  auto c = Connection::connect(d.path());
  REQUIRE_FALSE(c);
  CHECK(c.error().kind == ErrorKind::kProtocol);
  CHECK_THAT(c.error().message, Catch::Contains("speaks protocol 2"));
}

TEST_CASE("a daemon that hangs up during every handshake is unreachable, after a few tries", "[client][connection]") {
  FakeDaemon d([](FakeDaemon&, const proto::Message&) -> Answer { return test::hang_up(); });
  auto c = Connection::connect(d.path());
  REQUIRE_FALSE(c);
  CHECK(c.error().kind == ErrorKind::kUnreachable);
  CHECK_THAT(c.error().message, Catch::Contains("during the handshake"));
  CHECK(d.connections() > 1);
}

TEST_CASE("a hello cut by a compssd restart is said again on a new connection", "[client][connection]") {
  std::atomic<int> hellos{0};
  FakeDaemon d([&](FakeDaemon& self, const proto::Message& m) -> Answer {
    if (std::holds_alternative<proto::Hello>(m) && hellos++ == 0) return test::hang_up();
    return self.canned(m);
  });
  auto c = Connection::connect(d.path());
  REQUIRE(c);
  CHECK(hellos == 2);
  CHECK(d.connections() == 2);
  CHECK(c->status());
}

TEST_CASE("no daemon at the socket path is unreachable, with the path in the message", "[client][connection]") {
  auto c = Connection::connect("/tmp/compss-no-such-dir/compss.sock");
  REQUIRE_FALSE(c);
  CHECK(c.error().kind == ErrorKind::kUnreachable);
  CHECK_THAT(c.error().message,
             Catch::Contains("/tmp/compss-no-such-dir/compss.sock") && Catch::Contains("no such socket"));
}

TEST_CASE("nothing is sent for a call that is wrong in itself", "[client][connection]") {
  FakeDaemon d;
  auto c = Connection::connect(d.path());
  REQUIRE(c);
  CHECK(c->submit({}).error().kind == ErrorKind::kUsage);
  CHECK(c->submit({client::TaskSpec{}}).error().kind == ErrorKind::kUsage);
  auto bad_array = task({"x"});
  bad_array.array = client::ArraySpec{5, 1, 1};
  CHECK(c->submit({bad_array}).error().kind == ErrorKind::kUsage);
  Selection two = Selection::of({1});
  two.group = "g";
  CHECK(c->wait(two).error().kind == ErrorKind::kUsage);
  CHECK(c->wait(Selection{}).error().kind == ErrorKind::kUsage);
  CHECK(c->cancel(Selection::everything()).error().kind == ErrorKind::kUsage);
  CHECK(c->query({}).error().kind == ErrorKind::kUsage);
  CHECK(d.received().size() == 1);  // the hello only
  CHECK(c->status());               // and the connection is still fine
}

TEST_CASE("threads sharing one connection each get their own answers", "[client][connection]") {
  FakeDaemon d;
  auto c = Connection::connect(d.path());
  REQUIRE(c);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      for (int k = 0; k < 25; ++k)
        if (auto s = c->status(); s && s->counts.done == 5) ++ok;
    });
  for (auto& t : threads) t.join();
  CHECK(ok == 100);
}

TEST_CASE("a wait and a submit cut by a compssd restart are repeated on a new connection", "[client][connection]") {
  std::atomic<int> waits{0}, submits{0};
  FakeDaemon d([&](FakeDaemon& self, const proto::Message& m) -> Answer {
    if (std::holds_alternative<proto::Wait>(m) && waits++ == 0) return test::hang_up();
    if (std::holds_alternative<proto::Submit>(m) && submits++ == 0) return test::hang_up();
    return self.canned(m);
  });
  auto c = Connection::connect(d.path());
  REQUIRE(c);
  auto w = c->wait(Selection::everything());
  REQUIRE(w);
  CHECK(waits == 2);
  CHECK(d.connections() == 2);
  REQUIRE(c->submit({task({"sim"})}));
  CHECK(submits == 2);
  // The repeated submit carries the key of the first, so that a daemon that took it answers its ids.
  std::vector<std::string> keys;
  for (const auto& m : d.received())
    if (auto* s = std::get_if<proto::Submit>(&m)) keys.push_back(s->key);
  REQUIRE(keys.size() == 2);
  CHECK(keys[0].size() == 32);
  CHECK(keys[0] == keys[1]);
}

TEST_CASE("a daemon that closes every connection at once is asked three times more, not forever",
          "[client][connection]") {
  std::atomic<int> asked{0};
  FakeDaemon d([&](FakeDaemon& self, const proto::Message& m) -> Answer {
    if (std::holds_alternative<proto::StatusQuery>(m)) {
      ++asked;
      return test::hang_up();
    }
    return self.canned(m);
  });
  CHECK(failed_status(d).kind == ErrorKind::kLost);
  CHECK(asked == 4);
}

TEST_CASE("submit_nowait sends submits without waiting; ids_of gives each one's ids, in any order", "[client][pipeline]") {
  // The daemon answers nothing until the third submit has come, then all three: a client that waited for
  // each answer would never send the second.
  std::vector<proto::Submit> held;
  std::uint64_t next = 100;
  FakeDaemon d([&](FakeDaemon& self, const proto::Message& m) -> Answer {
    auto* s = std::get_if<proto::Submit>(&m);
    if (!s) return self.canned(m);
    held.push_back(*s);
    if (held.size() < 3) return Answer{};
    Answer a;
    for (const auto& h : held) {
      proto::Submitted r{h.rid, {}};
      r.ids.push_back({next, next});
      ++next;
      a.messages.push_back(r);
    }
    held.clear();
    return a;
  });
  auto c = Connection::connect(d.path());
  REQUIRE(c);
  auto t1 = c->submit_nowait({task({"a"})});
  auto t2 = c->submit_nowait({task({"b"})});
  auto t3 = c->submit_nowait({task({"c"})});
  REQUIRE(t1);
  REQUIRE(t2);
  REQUIRE(t3);
  CHECK(*t1 == 1);
  CHECK(*t2 == 2);
  CHECK(*t3 == 3);
  auto i3 = c->ids_of(*t3);  // reads the three answers
  auto i1 = c->ids_of(*t1);
  auto i2 = c->ids_of(*t2);
  REQUIRE(i1);
  REQUIRE(i2);
  REQUIRE(i3);
  CHECK((*i1)[0].first == 100);
  CHECK((*i2)[0].first == 101);
  CHECK((*i3)[0].first == 102);
  // Handed over once; a ticket never given out is no ticket.
  CHECK(c->ids_of(*t1).error().kind == ErrorKind::kUsage);
  CHECK_THAT(c->ids_of(99).error().message, Catch::Contains("no submit_nowait with ticket 99"));
  // The submits went in order, one per call, each with a key of its own.
  std::vector<proto::Submit> sent;
  for (const auto& m : d.received())
    if (auto* s = std::get_if<proto::Submit>(&m)) sent.push_back(*s);
  REQUIRE(sent.size() == 3);
  CHECK(sent[0].tasks.at(0).argv == std::vector<std::string>{"a"});
  CHECK(sent[2].tasks.at(0).argv == std::vector<std::string>{"c"});
  CHECK(sent[0].key != sent[1].key);
}

TEST_CASE("a refused pipelined submit is its ticket's error; the others and later calls go on", "[client][pipeline]") {
  int submits = 0;
  FakeDaemon d([&](FakeDaemon& self, const proto::Message& m) -> Answer {
    if (auto* s = std::get_if<proto::Submit>(&m); s && ++submits == 2)
      return test::reply(proto::ErrorMessage{s->rid, proto::ErrorCode::kInvalid, "after: task 77 does not exist"});
    return self.canned(m);
  });
  auto c = Connection::connect(d.path());
  REQUIRE(c);
  std::vector<std::uint64_t> tickets;
  for (const char* cmd : {"a", "b", "c"}) tickets.push_back(*c->submit_nowait({task({cmd})}));
  // status() first reads the three answers: its own answer is the next message.
  auto s = c->status();
  REQUIRE(s);
  CHECK(s->counts.done == 5);
  auto a = c->ids_of(tickets[0]);
  auto b = c->ids_of(tickets[1]);
  auto x = c->ids_of(tickets[2]);
  REQUIRE(a);
  REQUIRE_FALSE(b);
  CHECK(b.error().kind == ErrorKind::kRefused);
  CHECK(b.error().code == "invalid");
  CHECK_THAT(b.error().message, Catch::Contains("task 77 does not exist"));
  REQUIRE(x);
  CHECK((*x)[0].first == (*a)[0].first + 1);
}

TEST_CASE("pipelined submits cut by a compssd restart are sent again, with their keys, on a new connection",
          "[client][pipeline]") {
  // The first connection takes two submits and hangs up on the third, unanswered: the client had sent
  // five; the three unanswered go again on the second connection.
  std::atomic<int> submits{0};
  FakeDaemon d([&](FakeDaemon& self, const proto::Message& m) -> Answer {
    if (std::holds_alternative<proto::Submit>(m) && ++submits == 3) return test::hang_up();
    return self.canned(m);
  });
  auto c = Connection::connect(d.path());
  REQUIRE(c);
  std::vector<std::uint64_t> tickets;
  for (int i = 0; i < 5; ++i) {
    auto t = c->submit_nowait({task({"m", std::to_string(i)})});
    REQUIRE(t);
    tickets.push_back(*t);
  }
  std::vector<std::uint64_t> firsts;
  for (auto t : tickets) {
    auto ids = c->ids_of(t);
    REQUIRE(ids);
    firsts.push_back((*ids)[0].first);
  }
  CHECK(d.connections() == 2);
  // By submission: 0 and 1 on the first connection; the rest on the second, in order.
  CHECK(firsts == std::vector<std::uint64_t>{0, 1, 2, 3, 4});
  std::map<std::string, int> keys;
  std::vector<std::string> order;
  for (const auto& m : d.received())
    if (auto* s = std::get_if<proto::Submit>(&m)) {
      ++keys[s->key];
      order.push_back(s->tasks.at(0).argv.at(1));
    }
  CHECK(keys.size() == 5);  // one key per submit; the ones sent again kept theirs
  int twice = 0;
  for (const auto& [k, n] : keys) twice += n == 2;
  CHECK(twice >= 1);
  CHECK(order.front() == "0");
  CHECK(order.back() == "4");
}

TEST_CASE("a pipelined submit on a connection that stays broken reports kLost at its ticket", "[client][pipeline]") {
  FakeDaemon d([&](FakeDaemon& self, const proto::Message& m) -> Answer {
    if (std::holds_alternative<proto::Submit>(m)) return test::hang_up();
    return self.canned(m);
  });
  auto c = Connection::connect(d.path());
  REQUIRE(c);
  auto t = c->submit_nowait({task({"x"})});
  REQUIRE(t);
  auto ids = c->ids_of(*t);
  REQUIRE_FALSE(ids);
  CHECK(ids.error().kind == ErrorKind::kLost);
  CHECK(d.connections() <= 5);  // asked again three times at most, not forever
}
