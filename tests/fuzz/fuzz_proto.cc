// fuzz_proto.cc - libFuzzer harness for the protocol decoder (see README in this directory).
//
// Each input is used twice: as a byte stream cut into pieces and fed to a FrameReader, and as one frame
// whose payload (after 4 header bytes) goes straight to decode_payload. Whatever decodes must encode and
// decode again to the same message; anything else must be an error with a text. A crash, a sanitizer report,
// an abort or a timeout is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "common/proto/codec.h"
#include "common/proto/frame.h"

namespace proto = compss::proto;

namespace {

void check_stable(const compss::Result<proto::Message>& m) {
  if (!m.ok()) {
    if (m.error().message.empty()) std::abort();
    return;
  }
  auto again = proto::decode_payload(proto::encode_payload(m.value()));
  if (!again.ok() || !(again.value() == m.value())) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto input = std::span<const std::uint8_t>(data, size);

  // A small limit keeps the fuzzer's frames within reach of its input sizes.
  proto::FrameReader reader(size > 0 && (data[size - 1] & 1) ? 4096 : proto::kMaxPayload);
  std::size_t pos = 0;
  std::size_t step = 1;
  while (pos < size) {
    std::size_t n = std::min(step, size - pos);
    reader.feed(input.subspan(pos, n));
    pos += n;
    step = step * 3 % 17 + 1;  // uneven pieces: 1, 4, 13, 6, ...
    while (auto m = reader.next()) {
      check_stable(*m);
      if (reader.broken()) break;
    }
  }
  (void)reader.finish();

  if (size >= proto::kHeaderSize) check_stable(proto::decode_payload(input.subspan(proto::kHeaderSize)));
  return 0;
}
