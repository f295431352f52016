// frame.h - FrameReader: cuts a byte stream into frames and decodes each one (spec section 1).
//
// Lifecycle: one FrameReader per connection. feed() the bytes as they arrive, in chunks of any size, then
// call next() until it returns nullopt (more bytes needed):
//
//   reader.feed({buf, n});
//   while (auto m = reader.next()) {
//     if (!*m) { reply_error(m->error()); if (reader.broken()) close(); continue; }
//     handle(m->value());
//   }
//   // at end of stream: reader.finish() says whether a frame was cut short
//
// Failure: a frame whose payload does not decode yields an error and is consumed; the stream goes on
// (a message error). A header with length 0 or above the limit is a framing error: the reader is broken
// from then on, next() returns that error every time, feed() drops its bytes, and the connection must be
// closed. Memory: the reader never reserves from a header; it holds only bytes fed and not yet consumed
// (a header with a bad length is refused as soon as its 4 bytes arrive). Never throws.
//
// Thread-safety: none; one reader belongs to one connection's reading side.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/proto/codec.h"
#include "common/util/result.h"

namespace compss::proto {

class FrameReader {
 public:
  explicit FrameReader(std::size_t max_payload = kMaxPayload);

  void feed(std::span<const std::uint8_t> bytes);
  void feed(const void* data, std::size_t size);

  // The next message, an error for a frame that does not decode (or the framing error), or nullopt when
  // the next frame is not complete yet.
  std::optional<Result<Message>> next();

  // Changes the largest payload accepted from the next frame header on (a connection raises it once the
  // peer authenticated).
  void set_max_payload(std::size_t n) { max_payload_ = n; }

  bool broken() const { return broken_.has_value(); }
  std::size_t buffered() const { return buf_.size() - pos_; }  // bytes fed and not consumed
  Status finish() const;  // at end of stream: an error if a frame was cut short or the stream broke

 private:
  void check_header();  // breaks the reader when the pending header's length is invalid
  void compact();

  std::size_t max_payload_;
  std::vector<std::uint8_t> buf_;
  std::size_t pos_ = 0;  // first byte not consumed
  std::optional<Error> broken_;
};

}  // namespace compss::proto
