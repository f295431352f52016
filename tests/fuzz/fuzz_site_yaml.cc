// fuzz_site_yaml.cc - libFuzzer harness for the site's compss.yaml reader (see README in this directory).
//
// Each input is the text of a compss.yaml. It must either be refused with an error that names the file,
// line and column ("compss.yaml:3:7: ..."), or give key/value pairs that read back as the same list of
// --compss items: what merge_site_config joins into a --compss value must be exactly what the file said,
// one key per pair, no key twice. A crash, a sanitizer report, an abort or a timeout is a finding.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/util/parse.h"
#include "daemon/site_yaml.h"

namespace {

constexpr std::string_view kName = "compss.yaml";

// "compss.yaml:LINE:COLUMN: " and a text after it.
bool names_the_place(std::string_view m) {
  if (!m.starts_with(kName) || m.size() <= kName.size() || m[kName.size()] != ':') return false;
  m.remove_prefix(kName.size() + 1);
  for (int field = 0; field < 2; ++field) {
    std::size_t digits = 0;
    while (digits < m.size() && std::isdigit(static_cast<unsigned char>(m[digits]))) ++digits;
    if (digits == 0 || digits == m.size() || m[digits] != ':') return false;
    m.remove_prefix(digits + 1);
  }
  return m.size() > 1 && m[0] == ' ';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto pairs = compss::daemon::read_site_config_text(text, std::string(kName));
  if (!pairs) {
    if (!names_the_place(pairs.error().message)) std::abort();
    return 0;
  }
  std::string joined;
  for (const auto& [k, v] : *pairs) joined += (joined.empty() ? "" : ",") + k + (v.empty() ? "" : "=" + v);
  auto again = compss::parse_kv_list(joined);
  if (!again || *again != *pairs) std::abort();
  return 0;
}
