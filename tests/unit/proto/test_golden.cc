// Golden frames (tests/data/proto/*.hex, written by make-fixtures.py with its own MessagePack writer):
// each decodes to the expected message, and the encoder reproduces the canonical ones byte for byte, so an
// accidental change of the wire format fails here.
#include <catch2/catch.hpp>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/proto/codec.h"
#include "common/proto/frame.h"

namespace proto = compss::proto;
using proto::Message;

namespace {

std::string data_dir() {
  const char* env = std::getenv("COMPSS_TEST_DATA");
  return std::string(env && *env ? env : COMPSS_TEST_DATA_DIR) + "/proto/";
}

// Hex pairs separated by white space; lines starting with '#' are comments.
std::vector<std::uint8_t> read_hex(const std::string& name) {
  std::ifstream in(data_dir() + name + ".hex");
  INFO("fixture " << data_dir() << name << ".hex");
  REQUIRE(in.good());
  std::vector<std::uint8_t> bytes;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string pair;
    while (words >> pair) {
      REQUIRE(pair.size() == 2);
      REQUIRE(std::isxdigit(static_cast<unsigned char>(pair[0])));
      REQUIRE(std::isxdigit(static_cast<unsigned char>(pair[1])));
      bytes.push_back(static_cast<std::uint8_t>(std::stoul(pair, nullptr, 16)));
    }
  }
  REQUIRE(!bytes.empty());
  return bytes;
}

Message decode_frame(const std::vector<std::uint8_t>& frame) {
  proto::FrameReader reader;
  reader.feed(frame);
  auto m = reader.next();
  REQUIRE(m.has_value());
  INFO((m->ok() ? std::string() : m->error().message));
  REQUIRE(m->ok());
  REQUIRE(reader.buffered() == 0);
  return m->value();
}

void check_canonical(const std::string& name, const Message& expected) {
  auto bytes = read_hex(name);
  CAPTURE(name);
  CHECK(decode_frame(bytes) == expected);
  CHECK(proto::encode(expected) == bytes);
}

proto::TaskSpec golden_member() {
  proto::TaskSpec t;
  t.name = "member";
  t.argv = {"./simulate", "--member", "{i}"};
  t.cwd = "/home/u/run";
  t.env = {"OMP_PROC_BIND=true"};
  t.in = {"in/a.nc"};
  t.out = {"out/{i}.nc"};
  t.after = {3, 1ull << 40};
  t.cpus = 8;
  t.memory = 4ull << 30;
  t.gpus = 2;
  t.custom = {{"licence", 1}};
  t.on_failure = proto::OnFailure::kCancelSuccessors;
  t.retries = 0;
  t.timeout_s = 7200;
  t.priority = -5;
  t.group = "ensemble";
  t.array = proto::ArraySpec{1, 64, 3};
  return t;
}

}  // namespace

TEST_CASE("golden: heartbeat, the spec's example frame", "[proto][golden]") {
  check_canonical("heartbeat", proto::Heartbeat{});
  // The bytes printed in doc/spec/protocol.md section 6.
  CHECK(proto::encode(proto::Heartbeat{}) ==
        std::vector<std::uint8_t>{0x00, 0x00, 0x00, 0x0d, 0x81, 0xa1, 0x74, 0xa9, 0x68, 0x65, 0x61, 0x72, 0x74,
                                  0x62, 0x65, 0x61, 0x74});
}

TEST_CASE("golden: an agent's hello and a version error", "[proto][golden]") {
  proto::Hello h;
  h.role = proto::Role::kAgent;
  h.prog = "compss-agent 0.1.0";
  h.node = "n3";
  check_canonical("hello-agent", h);
  check_canonical("error-version",
                  proto::ErrorMessage{0, proto::ErrorCode::kVersion,
                                      "protocol version 2 is not supported (this side speaks protocol 1)"});
}

TEST_CASE("golden: submit and submitted", "[proto][golden]") {
  proto::TaskSpec merge;
  merge.argv = {"./merge"};
  merge.cwd = "/home/u/run";
  merge.priority = -200;
  merge.nodes = 2;
  merge.ranks = 8;
  merge.mpi = true;
  check_canonical("submit", proto::Submit{300, {golden_member(), merge}, ""});
  check_canonical("submitted", proto::Submitted{300, {{7, 7}, {8, 1031}, {1ull << 33, 1ull << 33}}});
}

TEST_CASE("golden: assign and finished", "[proto][golden]") {
  proto::Assign a;
  a.task = 42;
  a.attempt = 2;
  a.name = "merge";
  a.argv = {"./merge", "out/"};
  a.cwd = "/home/u/run";
  a.env = {"COMPSS_X=1"};
  a.cores = {4, 5, 6, 7};
  a.gpus = {1};
  a.output = proto::OutputPolicy{proto::OutputMode::kFile, 1 << 20};
  check_canonical("assign", a);
  // An assign from before timeout_s left the message (doc/spec/protocol.md 4.3): the field is ignored.
  CHECK(decode_frame(read_hex("assign-with-timeout")) == proto::Message{a});

  proto::Finished f;
  f.task = 42;
  f.attempt = 2;
  f.cause = proto::FinishCause::kExited;
  f.exit_code = 3;
  f.cpu_time_s = 0.1;
  f.wall_s = 12.5;
  f.max_rss = 52428800;
  f.output = proto::OutputRef{"/run/.compss/1234/n3.out", 4096, 311};
  check_canonical("finished", f);
}

TEST_CASE("golden: status_result", "[proto][golden]") {
  proto::StatusResult s;
  s.rid = 5;
  s.counts.pending = 3;
  s.counts.running = 2;
  s.counts.done = 70000;
  proto::NodeInfo n1{"n1", proto::NodeState::kUp, 16, 12};
  n1.joined = 0.5;
  n1.tasks_run = 40;
  n1.cpus = "0-15";
  proto::NodeInfo n2{"n2", proto::NodeState::kDraining, 16, 0, 1};
  n2.granted = 3;
  n2.joined = 4.5;
  n2.drained = 60.25;
  n2.why = "idle 60 s";
  s.nodes = {n1, n2};
  s.events = {{3, "granted", "n2", std::nullopt, 1, 0, "after 0.5 s", "grow request 1 granted n2: after 0.5 s"},
              {70, "task-failed", "n1", 12, 0, 0, "sim: exit code 1", ""}};
  s.outcome = proto::Outcome::kFailed;
  check_canonical("status-result", s);
}

TEST_CASE("golden: a loosely encoded frame decodes like its canonical twin", "[proto][golden]") {
  proto::Started expected{42, 1, 81234};
  check_canonical("started-canonical", expected);
  auto loose = read_hex("started-loose");
  CHECK(decode_frame(loose) == Message(expected));
  CHECK(proto::encode(expected) != loose);
}
