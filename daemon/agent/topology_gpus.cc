// topology_gpus.cc - finds the GPUs of a loaded hwloc topology, one entry per device (see topology.h).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <tuple>

#include "daemon/agent/hwloc_handle.h"

namespace compss::agent {

namespace {

constexpr unsigned kNvidiaVendor = 0x10de;
constexpr unsigned kDisplayClass = 0x03;  // PCI base class of VGA, 3D and other display controllers
constexpr const char* kGpuNamePrefixes[] = {"cuda", "nvml", "rsmi"};

struct Candidate {
  hwloc_obj_t anchor = nullptr;  // the PCI device, or the OS device itself when hwloc shows no PCI parent
  hwloc_obj_t parent = nullptr;  // for non-PCI OS devices: where they hang, to pair cuda0 with nvml0
  long number = -1;              // for non-PCI OS devices: the number in the name
  std::vector<std::string> names;

  bool on_pci() const { return anchor->type == HWLOC_OBJ_PCI_DEVICE; }
};

// "nvml12" -> 12 when the name is a known GPU prefix followed by digits only; -1 otherwise.
long gpu_name_number(const char* name) {
  if (!name) return -1;
  for (const char* prefix : kGpuNamePrefixes) {
    std::size_t n = std::strlen(prefix);
    if (std::strncmp(name, prefix, n) != 0 || name[n] == '\0') continue;
    const char* digits = name + n;
    if (!std::all_of(digits, digits + std::strlen(digits), [](char c) { return std::isdigit(c) != 0; })) continue;
    return std::strtol(digits, nullptr, 10);
  }
  return -1;
}

bool is_gpu_osdev(hwloc_obj_t osdev) {
  auto type = osdev->attr->osdev.type;
  if (type != HWLOC_OBJ_OSDEV_GPU && type != HWLOC_OBJ_OSDEV_COPROC) return false;
  return gpu_name_number(osdev->name) >= 0;
}

hwloc_obj_t pci_ancestor(hwloc_obj_t obj) {
  for (hwloc_obj_t p = obj->parent; p; p = p->parent) {
    if (p->type == HWLOC_OBJ_PCI_DEVICE) return p;
  }
  return nullptr;
}

Candidate& candidate_for(std::vector<Candidate>& all, hwloc_obj_t anchor, hwloc_obj_t parent, long number) {
  for (Candidate& c : all) {
    bool same = anchor->type == HWLOC_OBJ_PCI_DEVICE ? c.anchor == anchor
                                                     : (!c.on_pci() && c.parent == parent && c.number == number);
    if (same) return c;
  }
  all.push_back(Candidate{anchor, parent, number, {}});
  return all.back();
}

void add_named_devices(hwloc_topology_t topo, std::vector<Candidate>& all) {
  hwloc_obj_t osdev = nullptr;
  while ((osdev = hwloc_get_next_osdev(topo, osdev)) != nullptr) {
    if (!is_gpu_osdev(osdev)) continue;
    hwloc_obj_t pci = pci_ancestor(osdev);
    Candidate& c = pci ? candidate_for(all, pci, nullptr, -1)
                       : candidate_for(all, osdev, osdev->parent, gpu_name_number(osdev->name));
    c.names.emplace_back(osdev->name);
  }
}

void add_nvidia_pci_devices(hwloc_topology_t topo, std::vector<Candidate>& all) {
  hwloc_obj_t pci = nullptr;
  while ((pci = hwloc_get_next_pcidev(topo, pci)) != nullptr) {
    const auto& attr = pci->attr->pcidev;
    if (attr.vendor_id == kNvidiaVendor && (attr.class_id >> 8) == kDisplayClass) candidate_for(all, pci, nullptr, -1);
  }
}

auto order_key(const Candidate& c) {
  if (!c.on_pci()) return std::make_tuple(1u, 0u, 0u, 0u, static_cast<unsigned>(c.number));
  const auto& a = c.anchor->attr->pcidev;
  return std::make_tuple(0u, static_cast<unsigned>(a.domain), static_cast<unsigned>(a.bus),
                         static_cast<unsigned>(a.dev), static_cast<unsigned>(a.func));
}

std::string busid(const Candidate& c) {
  if (!c.on_pci()) return {};
  const auto& a = c.anchor->attr->pcidev;
  char s[32];
  std::snprintf(s, sizeof s, "%04x:%02x:%02x.%01x", static_cast<unsigned>(a.domain), static_cast<unsigned>(a.bus),
                static_cast<unsigned>(a.dev), static_cast<unsigned>(a.func));
  return s;
}

std::vector<CoreId> close_cores(hwloc_topology_t topo, const Candidate& c, const std::vector<CoreDesc>& cores) {
  hwloc_obj_t near = hwloc_get_non_io_ancestor_obj(topo, c.anchor);
  std::vector<CoreId> ids;
  if (!near || !near->cpuset) return ids;
  for (const CoreDesc& core : cores) {
    bool close = std::any_of(core.pus.begin(), core.pus.end(),
                             [&](PuId pu) { return hwloc_bitmap_isset(near->cpuset, pu) != 0; });
    if (close) ids.push_back(core.id);
  }
  return ids;
}

}  // namespace

std::vector<GpuDesc> find_gpus(hwloc_topology_t topo, const std::vector<CoreDesc>& cores) {
  std::vector<Candidate> all;
  add_named_devices(topo, all);
  add_nvidia_pci_devices(topo, all);
  std::sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) { return order_key(a) < order_key(b); });

  std::vector<GpuDesc> gpus;
  for (const Candidate& c : all) {
    GpuDesc gpu;
    gpu.index = static_cast<GpuIndex>(gpus.size());
    gpu.names = c.names;
    std::sort(gpu.names.begin(), gpu.names.end());
    gpu.pci_busid = busid(c);
    gpu.close_cores = close_cores(topo, c, cores);
    gpus.push_back(std::move(gpu));
  }
  return gpus;
}

std::string add_cuda_gpus(hwloc_topology_t topo, const std::vector<CoreDesc>& cores, std::vector<GpuDesc>& gpus,
                          const std::vector<CudaDevice>& devices) {
  std::vector<std::string> added;
  for (const CudaDevice& d : devices) {
    const std::string name = "cuda" + std::to_string(d.ordinal);
    auto it = std::find_if(gpus.begin(), gpus.end(), [&](const GpuDesc& g) { return g.pci_busid == d.pci_busid; });
    if (it != gpus.end()) {
      if (std::find(it->names.begin(), it->names.end(), name) == it->names.end()) {
        it->names.push_back(name);
        std::sort(it->names.begin(), it->names.end());
      }
      continue;
    }
    GpuDesc g;
    g.names = {name};
    g.pci_busid = d.pci_busid;
    hwloc_obj_t pci = hwloc_get_pcidev_by_busidstring(topo, d.pci_busid.c_str());
    Candidate c;
    c.anchor = pci;
    if (pci) g.close_cores = close_cores(topo, c, cores);
    if (g.close_cores.empty())
      for (const CoreDesc& core : cores) g.close_cores.push_back(core.id);
    gpus.push_back(std::move(g));
    added.push_back(d.pci_busid);
  }
  if (!added.empty()) {
    // PCI bus order (GPUs without a bus id last), as CUDA_DEVICE_ORDER=PCI_BUS_ID numbers them.
    std::stable_sort(gpus.begin(), gpus.end(), [](const GpuDesc& a, const GpuDesc& b) {
      return std::make_tuple(a.pci_busid.empty(), a.pci_busid) < std::make_tuple(b.pci_busid.empty(), b.pci_busid);
    });
    for (std::size_t i = 0; i < gpus.size(); ++i) gpus[i].index = static_cast<GpuIndex>(i);
  }
  std::string s = "CUDA driver: " + std::to_string(devices.size()) + (devices.size() == 1 ? " device" : " devices");
  if (added.empty()) return s + (devices.empty() ? "" : ", each one hwloc found");
  std::string list;
  for (const auto& b : added) list += (list.empty() ? "" : ", ") + b;
  return s + "; " + std::to_string(added.size()) + " hwloc did not list, added: " + list;
}

}  // namespace compss::agent
