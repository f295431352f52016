// Codec throughput (hidden: run with `test_proto [bench]`). The daemon needs ~5,000 small messages/s; this
// prints what one core does for the two busiest messages, assign and finished.
#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>

#include "common/proto/codec.h"
#include "common/proto/frame.h"

namespace proto = compss::proto;

namespace {

struct Rates {
  double encode_per_s, decode_per_s, both_per_s;
  std::size_t frame_bytes;
};

double per_second(std::size_t n, std::chrono::steady_clock::duration d) {
  return static_cast<double>(n) / std::chrono::duration<double>(d).count();
}

Rates measure(const proto::Message& m, std::size_t n) {
  using Clock = std::chrono::steady_clock;
  std::size_t sink = 0;
  auto t0 = Clock::now();
  for (std::size_t i = 0; i < n; ++i) sink += proto::encode(m).size();
  auto t1 = Clock::now();
  auto frame = proto::encode(m);
  proto::FrameReader reader;
  for (std::size_t i = 0; i < n; ++i) {
    reader.feed(frame);
    sink += reader.next()->ok();
  }
  auto t2 = Clock::now();
  for (std::size_t i = 0; i < n; ++i) {
    reader.feed(proto::encode(m));
    auto got = reader.next();
    sink += got->ok() && got->value() == m;
  }
  auto t3 = Clock::now();
  REQUIRE(sink > 0);
  return {per_second(n, t1 - t0), per_second(n, t2 - t1), per_second(n, t3 - t2), frame.size()};
}

}  // namespace

TEST_CASE("codec throughput of assign and finished", "[.][bench]") {
  proto::Assign a;
  a.task = 123456;
  a.attempt = 1;
  a.name = "member";
  a.argv = {"./simulate", "--member", "17", "--out", "out/17.nc"};
  a.cwd = "/home/user/project/run";
  a.env = {"OMP_PROC_BIND=true"};
  a.cores = {4, 5};
  proto::Finished f;
  f.task = 123456;
  f.attempt = 1;
  f.cause = proto::FinishCause::kExited;
  f.exit_code = 0;
  f.cpu_time_s = 11.73;
  f.max_rss = 734003200;
  f.wall_s = 12.41;
  f.output = proto::OutputRef{"/home/user/project/run/.compss/1234/n3.out", 1048576, 2048};
  constexpr std::size_t kN = 200000;
  for (const auto& [name, msg] : {std::pair<const char*, proto::Message>{"assign", a}, {"finished", f}}) {
    Rates r = measure(msg, kN);
    std::cout << "bench proto_" << name << "_encode_per_s " << static_cast<long>(r.encode_per_s) << " msg/s\n"
              << "bench proto_" << name << "_decode_per_s " << static_cast<long>(r.decode_per_s) << " msg/s\n"
              << "bench proto_" << name << "_roundtrip_per_s " << static_cast<long>(r.both_per_s) << " msg/s ("
              << r.frame_bytes << " bytes a frame)\n";
    CHECK(r.both_per_s > 5000);
  }
}
