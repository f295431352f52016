// codec.h - messages <-> bytes (doc/spec/protocol.md, protocol 1).
//
//   auto frame = proto::encode(proto::Started{.task = 7, .attempt = 1, .pid = 4242});
//   write_all(fd, frame);                       // header + payload, ready for the socket
//
// encode() writes a whole frame; it cannot fail, but a frame above the limit (a submit of very many tasks)
// would be refused by the receiver, so a sender whose message size depends on user input calls
// encode_checked(). encode writes what it is given: validation is the receiver's (decode_payload), and a
// message that breaks a rule of the spec (a wait with no selector) is refused there.
// decode_payload() decodes one payload without its header (FrameReader in frame.h does the framing); its
// errors name the message type and the field: "submit: field 'tasks[0].cpus' must be an unsigned integer".
// Nothing throws.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/proto/messages.h"
#include "common/util/result.h"

namespace compss::proto {

inline constexpr std::size_t kHeaderSize = 4;             // big-endian payload length
inline constexpr std::size_t kMaxPayload = 16u << 20;     // 16 MiB, header not counted

using Frame = std::vector<std::uint8_t>;

Frame encode(const Message& m);
Result<Frame> encode_checked(const Message& m);  // an error when the payload exceeds kMaxPayload

std::vector<std::uint8_t> encode_payload(const Message& m);
Result<Message> decode_payload(std::span<const std::uint8_t> payload);

}  // namespace compss::proto
