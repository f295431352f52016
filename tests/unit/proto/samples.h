// samples.h - messages for the protocol tests: every type with every field away from its default, and
// every type at its defaults (a Message default-constructed per alternative).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/proto/messages.h"

namespace compss::proto::test {

// One per message type, in variant order, every field set to a non-default value.
std::vector<Message> full_samples();

// One per message type, in variant order, each at its defaults with only what the spec requires filled in
// (so that it decodes); then an agent's hello.
std::vector<Message> minimal_samples();

TaskSpec full_task_spec();

// Bytes of one whole frame made from a payload given as bytes.
std::vector<std::uint8_t> frame_of(std::span<const std::uint8_t> payload);

}  // namespace compss::proto::test
