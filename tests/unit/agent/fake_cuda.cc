// fake_cuda.cc - a stand-in for the CUDA driver library (libcuda.so.1) for the tests of cuda_probe.h:
// the entry points the probe calls, answering from the environment.
//   FAKE_CUDA_BUSIDS  the devices' PCI bus ids, comma-separated, in CUDA's order ("" or unset: none)
//   FAKE_CUDA_FAIL    set: cuInit fails with error 100 (CUDA_ERROR_NO_DEVICE)
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

std::vector<std::string> busids() {
  std::vector<std::string> out;
  const char* v = std::getenv("FAKE_CUDA_BUSIDS");
  std::string s = v ? v : "";
  std::size_t at = 0;
  while (!s.empty() && at <= s.size()) {
    std::size_t comma = s.find(',', at);
    if (comma == std::string::npos) comma = s.size();
    out.push_back(s.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

}  // namespace

extern "C" {

int cuInit(unsigned int) { return std::getenv("FAKE_CUDA_FAIL") ? 100 : 0; }

int cuDeviceGetCount(int* n) {
  *n = static_cast<int>(busids().size());
  return 0;
}

int cuDeviceGet(int* dev, int ordinal) {
  if (ordinal < 0 || ordinal >= static_cast<int>(busids().size())) return 101;  // CUDA_ERROR_INVALID_DEVICE
  *dev = ordinal;
  return 0;
}

int cuDeviceGetPCIBusId(char* out, int len, int dev) {
  const auto ids = busids();
  if (dev < 0 || dev >= static_cast<int>(ids.size()) || len <= static_cast<int>(ids[dev].size())) return 1;
  std::strcpy(out, ids[dev].c_str());
  return 0;
}

}  // extern "C"
