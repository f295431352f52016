// Robustness: hundreds of thousands of mutated frames and random streams; the reader must answer each with
// a message or an error, never crash, throw or hang. Bounded in time so a slow machine still finishes.
#include <catch2/catch.hpp>

#include <chrono>
#include <random>

#include "common/proto/codec.h"
#include "common/proto/frame.h"
#include "tests/unit/proto/samples.h"

namespace proto = compss::proto;
using Bytes = std::vector<std::uint8_t>;

namespace {

constexpr std::size_t kMutations = 300000;
constexpr auto kTimeBudget = std::chrono::seconds(60);

// Bytes that steer MessagePack decoding into its corners: containers, huge lengths, unused codes.
constexpr std::uint8_t kInteresting[] = {0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2,
                                         0xc3, 0xc4, 0xca, 0xcb, 0xcc, 0xcf, 0xd3, 0xd4, 0xd9, 0xdb, 0xdc,
                                         0xdd, 0xde, 0xdf, 0xe0, 0xff};

class Mutator {
 public:
  explicit Mutator(std::uint32_t seed) : rng_(seed) {}

  Bytes mutate(const Bytes& frame, const Bytes& other) {
    Bytes payload(frame.begin() + 4, frame.end());
    int rounds = 1 + static_cast<int>(below(4));
    for (int i = 0; i < rounds; ++i) mutate_payload(payload, other);
    Bytes out = proto::test::frame_of(payload);
    if (below(10) == 0) out[below(4)] = static_cast<std::uint8_t>(below(256));  // a header that lies
    return out;
  }

  std::size_t below(std::size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }

 private:
  void mutate_payload(Bytes& p, const Bytes& other) {
    std::size_t at = below(p.size() + 1);
    switch (below(7)) {
      case 0:
        if (!p.empty()) p[below(p.size())] ^= static_cast<std::uint8_t>(1u << below(8));
        break;
      case 1:
        if (!p.empty()) p[below(p.size())] = static_cast<std::uint8_t>(below(256));
        break;
      case 2:
        if (!p.empty()) p[below(p.size())] = kInteresting[below(sizeof kInteresting)];
        break;
      case 3:
        p.resize(below(p.size() + 1));  // truncate
        break;
      case 4:
        for (std::size_t n = 1 + below(8); n > 0; --n)
          p.insert(p.begin() + static_cast<std::ptrdiff_t>(at), static_cast<std::uint8_t>(below(256)));
        break;
      case 5:
        if (at < p.size()) p.erase(p.begin() + static_cast<std::ptrdiff_t>(at),
                                   p.begin() + static_cast<std::ptrdiff_t>(std::min(p.size(), at + 1 + below(8))));
        break;
      default:  // splice in a piece of another message
        if (other.size() > 4) {
          std::size_t from = 4 + below(other.size() - 4);
          std::size_t len = below(other.size() - from + 1);
          p.insert(p.begin() + static_cast<std::ptrdiff_t>(at), other.begin() + static_cast<std::ptrdiff_t>(from),
                   other.begin() + static_cast<std::ptrdiff_t>(from + len));
        }
    }
  }

  std::mt19937 rng_;
};

struct Tally {
  std::size_t decoded = 0, errors = 0, broken = 0, incomplete = 0;
};

// Feeds one frame in random pieces; every answer must be a message that re-encodes to itself, or an error
// with a text.
void feed_and_check(const Bytes& frame, Mutator& pick, Tally& tally) {
  proto::FrameReader reader;
  bool chunked = pick.below(8) == 0;
  for (std::size_t pos = 0; pos < frame.size();) {
    std::size_t n = chunked ? std::min(frame.size() - pos, 1 + pick.below(16)) : frame.size();
    reader.feed(std::span<const std::uint8_t>(frame.data() + pos, n));
    pos += n;
  }
  bool answered = false;
  while (auto m = reader.next()) {
    answered = true;
    if (m->ok()) {
      ++tally.decoded;
      auto again = proto::decode_payload(proto::encode_payload(m->value()));
      REQUIRE(again.ok());
      REQUIRE(again.value() == m->value());
    } else {
      REQUIRE_FALSE(m->error().message.empty());
      ++tally.errors;
    }
    if (reader.broken()) {
      ++tally.broken;
      break;
    }
  }
  if (!answered) ++tally.incomplete;
}

}  // namespace

TEST_CASE("hundreds of thousands of mutated frames give a message or an error, never a crash",
          "[proto][robustness]") {
  std::vector<Bytes> seeds;
  for (const auto& m : proto::test::full_samples()) seeds.push_back(proto::encode(m));
  for (const auto& m : proto::test::minimal_samples()) seeds.push_back(proto::encode(m));
  Mutator mutator(20261121);
  Tally tally;
  auto start = std::chrono::steady_clock::now();
  std::size_t done = 0;
  for (; done < kMutations; ++done) {
    if (done % 4096 == 0 && std::chrono::steady_clock::now() - start > kTimeBudget) break;
    const Bytes& base = seeds[mutator.below(seeds.size())];
    const Bytes& other = seeds[mutator.below(seeds.size())];
    feed_and_check(mutator.mutate(base, other), mutator, tally);
  }
  WARN("mutated frames: " << done << ", decoded " << tally.decoded << ", errors " << tally.errors
                          << " (framing " << tally.broken << "), incomplete " << tally.incomplete);
  CHECK(done >= 50000);  // even on a loaded machine the budget covers this many
  // The mutations reach every outcome, so the loop is not testing one path only.
  CHECK(tally.decoded > 0);
  CHECK(tally.errors > tally.decoded);
  CHECK(tally.broken > 0);
  CHECK(tally.incomplete > 0);
}

TEST_CASE("a stream of random bytes ends in errors, never a crash", "[proto][robustness]") {
  Mutator pick(7);
  for (int round = 0; round < 200; ++round) {
    proto::FrameReader reader(1 << 12);
    Bytes noise(1 + pick.below(1 << 14));
    for (auto& b : noise) b = static_cast<std::uint8_t>(pick.below(256));
    if (round % 2 == 0) noise[0] = 0;  // small plausible lengths reach the payload decoder
    if (round % 2 == 0 && noise.size() > 2) noise[1] = 0;
    reader.feed(noise);
    std::size_t answers = 0;
    while (auto m = reader.next()) {
      if (!m->ok()) REQUIRE_FALSE(m->error().message.empty());
      if (reader.broken()) break;
      REQUIRE(++answers < noise.size());
    }
    CHECK(reader.buffered() <= noise.size());
  }
}
