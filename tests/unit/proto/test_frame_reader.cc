// The FrameReader: frames arrive in pieces of any size; bad lengths break the stream at once.
#include <catch2/catch.hpp>

#include <random>

#include <nlohmann/json.hpp>

#include "common/proto/codec.h"
#include "common/proto/frame.h"
#include "tests/unit/proto/samples.h"

namespace proto = compss::proto;
using proto::Message;

namespace {

std::vector<std::uint8_t> all_sample_frames() {
  std::vector<std::uint8_t> stream;
  for (const Message& m : proto::test::full_samples()) {
    auto f = proto::encode(m);
    stream.insert(stream.end(), f.begin(), f.end());
  }
  return stream;
}

// Drains the reader; fails the test on any error.
void drain(proto::FrameReader& reader, std::vector<Message>& out) {
  while (auto m = reader.next()) {
    INFO((m->ok() ? std::string() : m->error().message));
    REQUIRE(m->ok());
    out.push_back(std::move(m->value()));
  }
}

std::vector<std::uint8_t> header(std::uint32_t n) {
  return {std::uint8_t(n >> 24), std::uint8_t(n >> 16), std::uint8_t(n >> 8), std::uint8_t(n)};
}

}  // namespace

TEST_CASE("frames fed one byte at a time come out whole and in order", "[proto][frame]") {
  auto stream = all_sample_frames();
  proto::FrameReader reader;
  std::vector<Message> got;
  for (std::uint8_t b : stream) {
    reader.feed(&b, 1);
    drain(reader, got);
  }
  CHECK(got == proto::test::full_samples());
  CHECK(reader.buffered() == 0);
  CHECK(reader.finish().ok());
}

TEST_CASE("frames fed in random chunk sizes come out whole and in order", "[proto][frame]") {
  auto stream = all_sample_frames();
  std::mt19937 rng(GENERATE(1u, 2u, 3u, 4u, 5u));
  std::uniform_int_distribution<std::size_t> size(0, 300);
  proto::FrameReader reader;
  std::vector<Message> got;
  for (std::size_t pos = 0; pos < stream.size();) {
    std::size_t n = std::min(size(rng), stream.size() - pos);
    reader.feed(std::span<const std::uint8_t>(stream.data() + pos, n));
    pos += n;
    drain(reader, got);
  }
  CHECK(got == proto::test::full_samples());
  CHECK(reader.finish().ok());
}

TEST_CASE("the whole stream fed at once yields every frame", "[proto][frame]") {
  auto stream = all_sample_frames();
  proto::FrameReader reader;
  reader.feed(stream);
  std::vector<Message> got;
  drain(reader, got);
  CHECK(got == proto::test::full_samples());
}

TEST_CASE("a frame is not returned before its last byte arrives", "[proto][frame]") {
  auto frame = proto::encode(proto::Started{1, 1, 99});
  proto::FrameReader reader;
  reader.feed(std::span<const std::uint8_t>(frame.data(), frame.size() - 1));
  CHECK_FALSE(reader.next().has_value());
  CHECK(reader.buffered() == frame.size() - 1);
  auto cut = reader.finish();
  REQUIRE_FALSE(cut.ok());
  CHECK_THAT(cut.error().message, Catch::Contains("the stream ended inside a frame"));
  reader.feed(&frame.back(), 1);
  auto m = reader.next();
  REQUIRE(m.has_value());
  REQUIRE(m->ok());
  CHECK(std::get<proto::Started>(m->value()).pid == 99);
}

TEST_CASE("a huge length breaks the stream as soon as the header arrives", "[proto][frame]") {
  proto::FrameReader reader;
  auto h = header(0xffffffffu);
  reader.feed(std::span<const std::uint8_t>(h.data(), 3));
  CHECK_FALSE(reader.next().has_value());
  CHECK_FALSE(reader.broken());
  // The last header byte comes with 8 MiB of garbage: none of it is kept.
  std::vector<std::uint8_t> chunk(8u << 20, 0xab);
  chunk[0] = h[3];
  reader.feed(chunk);
  CHECK(reader.broken());
  CHECK(reader.buffered() == 0);
  auto m = reader.next();
  REQUIRE(m.has_value());
  REQUIRE_FALSE(m->ok());
  CHECK(m->error().message ==
        "bad frame: length 4294967295 exceeds the limit of 16777216 bytes; the stream cannot continue");
  // Broken for good: more bytes, even a valid frame, change nothing.
  reader.feed(proto::encode(proto::Heartbeat{}));
  CHECK(reader.buffered() == 0);
  auto again = reader.next();
  REQUIRE(again.has_value());
  CHECK_FALSE(again->ok());
  CHECK_FALSE(reader.finish().ok());
}

TEST_CASE("a length just above the limit is refused and the limit itself is not", "[proto][frame]") {
  proto::FrameReader reader;
  reader.feed(header(proto::kMaxPayload + 1));
  CHECK(reader.broken());

  proto::FrameReader at_limit;
  at_limit.feed(header(proto::kMaxPayload));
  CHECK_FALSE(at_limit.broken());
  CHECK_FALSE(at_limit.next().has_value());  // waits for 16 MiB of payload
}

TEST_CASE("a frame of length zero breaks the stream", "[proto][frame]") {
  proto::FrameReader reader;
  reader.feed(header(0));
  auto m = reader.next();
  REQUIRE(m.has_value());
  REQUIRE_FALSE(m->ok());
  CHECK_THAT(m->error().message, Catch::Contains("length 0"));
  CHECK(reader.broken());
}

TEST_CASE("a reader with a smaller limit refuses frames above it", "[proto][frame]") {
  proto::FrameReader reader(16);
  reader.feed(proto::encode(proto::Heartbeat{}));  // 13 bytes of payload
  auto ok = reader.next();
  REQUIRE(ok.has_value());
  CHECK(ok->ok());
  reader.feed(proto::encode(proto::Welcome{}));  // 1 + 2 + 8 + 2 + 1 = 14 bytes: fits
  REQUIRE(reader.next().has_value());
  reader.feed(proto::encode(proto::ErrorMessage{0, proto::ErrorCode::kInternal, "too long for 16"}));
  auto bad = reader.next();
  REQUIRE(bad.has_value());
  CHECK_FALSE(bad->ok());
  CHECK(reader.broken());
}

TEST_CASE("a frame that does not decode is consumed and the stream goes on", "[proto][frame]") {
  proto::FrameReader reader;
  std::vector<std::uint8_t> garbage = {0xc1, 0x00, 0x01};  // 0xc1 is never used in MessagePack
  reader.feed(proto::test::frame_of(garbage));
  auto unknown = nlohmann::json::to_msgpack(nlohmann::json{{"t", "teleport"}});
  reader.feed(proto::test::frame_of(unknown));
  reader.feed(proto::encode(proto::Heartbeat{}));

  auto first = reader.next();
  REQUIRE(first.has_value());
  REQUIRE_FALSE(first->ok());
  CHECK_THAT(first->error().message, Catch::StartsWith("bad MessagePack payload:"));
  auto second = reader.next();
  REQUIRE(second.has_value());
  REQUIRE_FALSE(second->ok());
  CHECK(second->error().message == "unknown message type 'teleport'");
  auto third = reader.next();
  REQUIRE(third.has_value());
  CHECK(third->ok());
  CHECK_FALSE(reader.broken());
  CHECK(reader.finish().ok());
}

TEST_CASE("the reader's buffer does not keep consumed frames", "[proto][frame]") {
  proto::FrameReader reader;
  auto frame = proto::encode(proto::test::full_samples()[3]);
  for (int i = 0; i < 10000; ++i) {
    reader.feed(frame);
    auto m = reader.next();
    REQUIRE(m.has_value());
    REQUIRE(m->ok());
  }
  CHECK(reader.buffered() == 0);
}
