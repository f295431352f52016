// frame.cc - see frame.h.
#include "common/proto/frame.h"

#include <string>

namespace compss::proto {
namespace {

std::uint32_t read_length(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

FrameReader::FrameReader(std::size_t max_payload) : max_payload_(max_payload) {}

void FrameReader::feed(const void* data, std::size_t size) {
  feed(std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(data), size));
}

void FrameReader::feed(std::span<const std::uint8_t> bytes) {
  if (broken_ || bytes.empty()) return;
  compact();
  // A bad header at the read position is refused before a large chunk behind it is copied.
  std::size_t need_for_header = buffered() < kHeaderSize ? kHeaderSize - buffered() : 0;
  if (need_for_header > 0 && bytes.size() >= need_for_header) {
    buf_.insert(buf_.end(), bytes.begin(), bytes.begin() + need_for_header);
    bytes = bytes.subspan(need_for_header);
    check_header();
    if (broken_) return;
  }
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

void FrameReader::check_header() {
  if (broken_ || buffered() < kHeaderSize) return;
  std::uint32_t n = read_length(buf_.data() + pos_);
  if (n == 0)
    broken_ = fail("bad frame: length 0 (a frame carries at least one byte); the stream cannot continue");
  else if (n > max_payload_)
    broken_ = fail("bad frame: length ", std::to_string(n), " exceeds the limit of ", std::to_string(max_payload_),
                   " bytes; the stream cannot continue");
  if (broken_) {
    buf_.clear();
    buf_.shrink_to_fit();
    pos_ = 0;
  }
}

void FrameReader::compact() {
  // Dropping consumed bytes only when they are at least half the buffer keeps the copying amortised.
  if (pos_ > 0 && pos_ * 2 >= buf_.size()) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
}

std::optional<Result<Message>> FrameReader::next() {
  check_header();
  if (broken_) return Result<Message>(*broken_);
  if (buffered() < kHeaderSize) return std::nullopt;
  std::size_t n = read_length(buf_.data() + pos_);
  if (buffered() - kHeaderSize < n) return std::nullopt;
  auto payload = std::span<const std::uint8_t>(buf_.data() + pos_ + kHeaderSize, n);
  Result<Message> m = decode_payload(payload);
  pos_ += kHeaderSize + n;
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  }
  return m;
}

Status FrameReader::finish() const {
  if (broken_) return *broken_;
  if (buffered() > 0)
    return fail("the stream ended inside a frame (", std::to_string(buffered()), " bytes of it received)");
  return ok_status();
}

}  // namespace compss::proto
