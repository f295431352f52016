// cuda_probe.cc - the CUDA driver's device list through dlopen (cuda_probe.h).
#include "daemon/agent/cuda_probe.h"

#include <dlfcn.h>

#include <cstdio>

namespace compss::agent {

namespace {

// The driver API's few entry points used here, with its C types (CUresult and CUdevice are ints).
using CuInit = int (*)(unsigned int);
using CuDeviceGetCount = int (*)(int*);
using CuDeviceGet = int (*)(int*, int);
using CuDeviceGetPCIBusId = int (*)(char*, int, int);

template <typename F>
Result<F> symbol(void* lib, const char* name, const std::string& library) {
  void* p = ::dlsym(lib, name);
  if (!p) return fail(library, " has no ", name, ": not a CUDA driver library");
  return reinterpret_cast<F>(p);
}

}  // namespace

std::string normal_busid(const std::string& id) {
  unsigned domain = 0, bus = 0, dev = 0, func = 0;
  char tail = 0;
  if (std::sscanf(id.c_str(), "%x:%x:%x.%1x%c", &domain, &bus, &dev, &func, &tail) != 4) return {};
  char s[32];
  std::snprintf(s, sizeof s, "%04x:%02x:%02x.%01x", domain, bus, dev, func);
  return s;
}

Result<std::vector<CudaDevice>> probe_cuda(const std::string& library) {
  void* lib = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* why = ::dlerror();
    return fail("cannot load ", library, ": ", why ? why : "dlopen failed");
  }
  auto init = symbol<CuInit>(lib, "cuInit", library);
  auto count = symbol<CuDeviceGetCount>(lib, "cuDeviceGetCount", library);
  auto get = symbol<CuDeviceGet>(lib, "cuDeviceGet", library);
  auto busid = symbol<CuDeviceGetPCIBusId>(lib, "cuDeviceGetPCIBusId", library);
  if (!init) return init.error();
  if (!count) return count.error();
  if (!get) return get.error();
  if (!busid) return busid.error();
  if (int rc = (*init)(0); rc != 0) return fail(library, ": cuInit failed with CUDA error ", std::to_string(rc));
  int n = 0;
  if (int rc = (*count)(&n); rc != 0) return fail(library, ": cuDeviceGetCount failed with CUDA error ", std::to_string(rc));
  std::vector<CudaDevice> out;
  for (int i = 0; i < n; ++i) {
    int dev = 0;
    char id[64] = {};
    if (int rc = (*get)(&dev, i); rc != 0) return fail(library, ": cuDeviceGet(", std::to_string(i), ") failed with CUDA error ", std::to_string(rc));
    if (int rc = (*busid)(id, sizeof id, dev); rc != 0)
      return fail(library, ": cuDeviceGetPCIBusId(", std::to_string(i), ") failed with CUDA error ", std::to_string(rc));
    const std::string b = normal_busid(id);
    if (b.empty()) return fail(library, ": device ", std::to_string(i), " has PCI bus id '", id, "', which is not one");
    out.push_back({i, b});
  }
  return out;
}

}  // namespace compss::agent
