// Stream (common/proto/stream.h) over a real Unix socket pair: order, error answers, closing.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <utility>  // before Asio: Boost 1.74's Asio needs it under C++20

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>

#include "common/proto/stream.h"
#include "tests/unit/proto/samples.h"

namespace proto = compss::proto;
namespace asio = boost::asio;

namespace {

struct Pair {
  asio::io_context io;
  asio::local::stream_protocol::socket a{io}, b{io};
  Pair() { asio::local::connect_pair(a, b); }
};

struct Inbox {
  std::vector<proto::Message> got;
  std::vector<std::string> closed;
};

std::shared_ptr<proto::Stream> listen(asio::local::stream_protocol::socket& s, Inbox& in, const char* name) {
  auto st = proto::Stream::create(proto::Stream::Socket(std::move(s)), name);
  st->start([&in](proto::Message&& m) { in.got.push_back(std::move(m)); },
            [&in](const std::string& why) { in.closed.push_back(why); });
  return st;
}

void run_until(asio::io_context& io, const std::function<bool()>& done) {
  for (int i = 0; i < 200000 && !done(); ++i) {
    io.restart();
    io.run_one_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

TEST_CASE("a stream delivers every message in order over a socket", "[proto][stream]") {
  Pair p;
  Inbox at_a, at_b;
  auto a = listen(p.a, at_a, "a");
  auto b = listen(p.b, at_b, "b");
  auto samples = proto::test::full_samples();
  for (int round = 0; round < 40; ++round)
    for (const auto& m : samples) a->send(m);
  run_until(p.io, [&] { return at_b.got.size() == 40 * samples.size(); });
  REQUIRE(at_b.got.size() == 40 * samples.size());
  for (std::size_t i = 0; i < at_b.got.size(); ++i) REQUIRE(at_b.got[i] == samples[i % samples.size()]);
  CHECK(a->peer_uid() == ::getuid());
}

TEST_CASE("a stream answers an undecodable frame with bad-message and reads on", "[proto][stream]") {
  Pair p;
  Inbox at_b, at_raw;
  auto b = listen(p.b, at_b, "b");
  std::vector<std::uint8_t> garbage = {0xc1};
  auto bytes = proto::test::frame_of(garbage);
  auto hb = proto::encode(proto::Heartbeat{});
  bytes.insert(bytes.end(), hb.begin(), hb.end());
  asio::write(p.a, asio::buffer(bytes));
  auto a = listen(p.a, at_raw, "a");
  run_until(p.io, [&] { return at_b.got.size() == 1 && at_raw.got.size() == 1; });
  REQUIRE(at_b.got.size() == 1);
  CHECK(std::holds_alternative<proto::Heartbeat>(at_b.got[0]));
  REQUIRE(at_raw.got.size() == 1);
  const auto* err = std::get_if<proto::ErrorMessage>(&at_raw.got[0]);
  REQUIRE(err);
  CHECK(err->code == proto::ErrorCode::kBadMessage);
  CHECK(b->is_open());
}

TEST_CASE("a stream answers a bad frame length with bad-frame and closes", "[proto][stream]") {
  Pair p;
  Inbox at_b, at_raw;
  auto b = listen(p.b, at_b, "b");
  std::vector<std::uint8_t> huge = {0xff, 0xff, 0xff, 0xff};
  asio::write(p.a, asio::buffer(huge));
  auto a = listen(p.a, at_raw, "a");
  run_until(p.io, [&] { return !at_b.closed.empty() && !at_raw.closed.empty(); });
  REQUIRE(at_raw.got.size() == 1);
  const auto* err = std::get_if<proto::ErrorMessage>(&at_raw.got[0]);
  REQUIRE(err);
  CHECK(err->code == proto::ErrorCode::kBadFrame);
  CHECK_FALSE(b->is_open());
  REQUIRE(at_b.closed.size() == 1);
  CHECK(at_b.closed[0] == "framing error");
  CHECK(at_raw.closed.size() == 1);  // the peer saw the close
}

TEST_CASE("close_after_flush sends what is queued before closing", "[proto][stream]") {
  Pair p;
  Inbox at_a, at_b;
  auto a = listen(p.a, at_a, "a");
  auto b = listen(p.b, at_b, "b");
  a->send(proto::ErrorMessage{0, proto::ErrorCode::kVersion, "protocol version 2 is not supported"});
  a->close_after_flush("refused");
  a->send(proto::Heartbeat{});  // after the close was asked for: dropped
  run_until(p.io, [&] { return !at_b.closed.empty(); });
  REQUIRE(at_b.got.size() == 1);
  CHECK(std::holds_alternative<proto::ErrorMessage>(at_b.got[0]));
  CHECK_FALSE(a->is_open());
  CHECK(at_a.closed == std::vector<std::string>{"refused"});
}
