// fuzz_compss_option.cc - libFuzzer harness for the --compss option parser (see README in this directory).
//
// Each input is a --compss value. It must either be refused with a message that starts with "--compss: ",
// or give options whose canonical string (to_string) parses again to the same options and the same string.
// A crash, a sanitizer report, an abort or a timeout is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/util/runtime_options.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view value(reinterpret_cast<const char*>(data), size);
  auto o = compss::parse_runtime_options(value);
  if (!o) {
    if (!o.error().message.starts_with("--compss: ") || o.error().message.size() <= 10) std::abort();
    return 0;
  }
  std::string text = compss::to_string(*o);
  auto again = compss::parse_runtime_options(text);
  if (!again || !(*again == *o) || compss::to_string(*again) != text) std::abort();
  return 0;
}
