// random.h - unpredictable bytes from the kernel (getrandom(2)), as lowercase hex: secrets and nonces.
//
//   auto s = random_hex(24);   // 48 hex digits, or an error saying why the kernel gave none
//
// Failure: an error when the kernel cannot give the bytes (getrandom fails and /dev/urandom cannot be read
// in full); never a short or predictable value.
// Thread-safety: safe from any thread.
#pragma once

#include <cstddef>
#include <string>

#include "common/util/result.h"

namespace compss {

Result<std::string> random_hex(std::size_t bytes);

}  // namespace compss
