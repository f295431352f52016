// topology.cc - loads an hwloc topology and describes its usable cores and memory (GPUs: topology_gpus.cc).
#include "daemon/agent/topology.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "common/util/parse.h"
#include "daemon/agent/hwloc_handle.h"

namespace compss::agent {

namespace {

Status set_source(hwloc_topology_t topo, const TopologySource& source) {
  int rc = 0;
  switch (source.kind) {
    case TopologySource::Kind::kThisSystem:
      return ok_status();
    case TopologySource::Kind::kXmlFile:
      rc = hwloc_topology_set_xml(topo, source.value.c_str());
      break;
    case TopologySource::Kind::kXmlText:
      rc = hwloc_topology_set_xmlbuffer(topo, source.value.data(), static_cast<int>(source.value.size()));
      break;
    case TopologySource::Kind::kSynthetic:
      rc = hwloc_topology_set_synthetic(topo, source.value.c_str());
      break;
  }
  if (rc != 0) return fail("hwloc does not accept the topology source ", source.describe());
  return ok_status();
}

Result<TopologyHandle> load(const TopologySource& source, bool gpus) {
  hwloc_topology_t raw = nullptr;
  if (hwloc_topology_init(&raw) != 0) return fail("hwloc_topology_init failed (out of memory?)");
  TopologyHandle topo(raw);
  if (auto st = set_source(topo.get(), source); !st) return st.error();
  // GPUs are I/O objects, which hwloc drops by default (and finding them doubles the load's cost).
  if (gpus) hwloc_topology_set_io_types_filter(topo.get(), HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
  if (hwloc_topology_load(topo.get()) != 0) {
    return fail("hwloc cannot load the topology from ", source.describe(),
                " (for XML: is it an hwloc 2.x export? this hwloc reads XML versions 1 and 2)");
  }
  return topo;
}

// The PUs this process may use: the topology's allowed set, narrowed by the binding and the options.
Result<BitmapHandle> usable_pus(hwloc_topology_t topo, const TopologyOptions& options) {
  BitmapHandle usable = make_bitmap();
  if (!usable) return fail("out of memory for an hwloc bitmap");
  hwloc_bitmap_copy(usable.get(), hwloc_topology_get_allowed_cpuset(topo));
  if (options.source.kind == TopologySource::Kind::kThisSystem && options.restrict_to_binding) {
    BitmapHandle bound = make_bitmap();
    if (bound && hwloc_get_cpubind(topo, bound.get(), HWLOC_CPUBIND_PROCESS) == 0) {
      hwloc_bitmap_and(usable.get(), usable.get(), bound.get());
    }
  }
  if (options.slurm_cpus) {
    BitmapHandle held = make_bitmap();
    const int pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    for (std::uint32_t id : *options.slurm_cpus) {
      hwloc_obj_t pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, id);
      if (!pu)
        return fail("SLURM CPU id ", std::to_string(id), " is not on this node: ", options.source.describe(), " has ",
                    std::to_string(pus), " PUs (ids 0-", std::to_string(pus - 1), ")");
      hwloc_bitmap_set(held.get(), pu->os_index);
    }
    hwloc_bitmap_and(usable.get(), usable.get(), held.get());
    if (hwloc_bitmap_iszero(usable.get()))
      return fail("none of the job's CPUs on this node (SLURM ids ", format_cpu_list(*options.slurm_cpus),
                  ") is usable by this process in ", options.source.describe());
  }
  if (options.allowed_pus) {
    BitmapHandle wanted = make_bitmap();
    for (PuId pu : *options.allowed_pus) hwloc_bitmap_set(wanted.get(), pu);
    hwloc_bitmap_and(usable.get(), usable.get(), wanted.get());
  }
  if (hwloc_bitmap_iszero(usable.get())) {
    return fail("no usable core in ", options.source.describe(),
                ": the process binding and the allowed PUs leave none of its PUs");
  }
  return usable;
}

int numa_of(hwloc_topology_t topo, hwloc_obj_t core) {
  hwloc_obj_t numa = hwloc_get_next_obj_covering_cpuset_by_type(topo, core->cpuset, HWLOC_OBJ_NUMANODE, nullptr);
  return numa ? static_cast<int>(numa->os_index) : -1;
}

std::vector<CoreDesc> usable_cores(hwloc_topology_t topo, hwloc_const_bitmap_t usable) {
  // A topology without a core level (synthetic "pack:2 pu:4") treats each PU as a core.
  hwloc_obj_type_t type = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE) > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
  std::vector<CoreDesc> cores;
  hwloc_obj_t obj = nullptr;
  while ((obj = hwloc_get_next_obj_by_type(topo, type, obj)) != nullptr) {
    CoreDesc core;
    core.id = static_cast<CoreId>(hwloc_bitmap_first(obj->cpuset));
    unsigned pu = 0;
    hwloc_bitmap_foreach_begin(pu, obj->cpuset) {
      if (hwloc_bitmap_isset(usable, pu)) core.pus.push_back(pu);
    }
    hwloc_bitmap_foreach_end();
    if (core.pus.empty()) continue;
    hwloc_obj_t package = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_PACKAGE, obj);
    core.package = package ? static_cast<int>(package->logical_index) : -1;
    core.numa = numa_of(topo, obj);
    cores.push_back(std::move(core));
  }
  std::sort(cores.begin(), cores.end(), [](const CoreDesc& a, const CoreDesc& b) { return a.id < b.id; });
  return cores;
}

unsigned count_touching(hwloc_topology_t topo, hwloc_obj_type_t type, hwloc_const_bitmap_t usable) {
  unsigned n = 0;
  hwloc_obj_t obj = nullptr;
  while ((obj = hwloc_get_next_obj_by_type(topo, type, obj)) != nullptr) {
    if (obj->cpuset && hwloc_bitmap_intersects(obj->cpuset, usable)) ++n;
  }
  return n;
}

std::uint64_t usable_memory(hwloc_topology_t topo, hwloc_const_bitmap_t usable) {
  std::uint64_t total = 0;
  hwloc_obj_t numa = nullptr;
  while ((numa = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, numa)) != nullptr) {
    if (hwloc_bitmap_intersects(numa->cpuset, usable)) total += numa->attr->numanode.local_memory;
  }
  return total;
}

Status keep_visible_gpus(std::vector<GpuDesc>& gpus, const std::vector<GpuIndex>& visible) {
  std::vector<GpuDesc> kept;
  for (GpuIndex index : visible) {
    auto it = std::find_if(gpus.begin(), gpus.end(), [&](const GpuDesc& g) { return g.index == index; });
    if (it == gpus.end()) {
      return fail("visible GPU ", std::to_string(index), " is not on this node (", std::to_string(gpus.size()),
                  " GPUs found)");
    }
    if (std::none_of(kept.begin(), kept.end(), [&](const GpuDesc& g) { return g.index == index; })) {
      kept.push_back(*it);
    }
  }
  std::sort(kept.begin(), kept.end(), [](const GpuDesc& a, const GpuDesc& b) { return a.index < b.index; });
  gpus = std::move(kept);
  return ok_status();
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string TopologySource::describe() const {
  switch (kind) {
    case Kind::kThisSystem:
      return "this machine";
    case Kind::kXmlFile:
      return "XML file " + value;
    case Kind::kXmlText:
      return "XML text (" + std::to_string(value.size()) + " bytes)";
    case Kind::kSynthetic:
      return "synthetic topology '" + value + "'";
  }
  return "?";
}

const CoreDesc* NodeTopology::find_core(CoreId id) const {
  auto it = std::lower_bound(cores.begin(), cores.end(), id, [](const CoreDesc& c, CoreId v) { return c.id < v; });
  return it != cores.end() && it->id == id ? &*it : nullptr;
}

std::vector<CoreId> NodeTopology::core_ids() const {
  std::vector<CoreId> ids;
  for (const CoreDesc& c : cores) ids.push_back(c.id);
  return ids;
}

std::size_t NodeTopology::pu_count() const {
  std::size_t n = 0;
  for (const CoreDesc& c : cores) n += c.pus.size();
  return n;
}

Result<NodeTopology> discover_topology(const TopologyOptions& options) {
  auto topo = load(options.source, options.gpus);
  if (!topo) return topo.error();
  auto usable = usable_pus(topo->get(), options);
  if (!usable) return usable.error();

  NodeTopology node;
  node.cores = usable_cores(topo->get(), usable->get());
  node.memory_bytes = usable_memory(topo->get(), usable->get());
  if (options.memory_limit_bytes) node.memory_bytes = std::min(node.memory_bytes, *options.memory_limit_bytes);
  node.packages = count_touching(topo->get(), HWLOC_OBJ_PACKAGE, usable->get());
  node.numa_nodes = count_touching(topo->get(), HWLOC_OBJ_NUMANODE, usable->get());
  if (options.gpus) node.gpus = find_gpus(topo->get(), node.cores);
  if (options.gpus && options.cuda_library) {
    auto devices = probe_cuda(*options.cuda_library);
    node.cuda = devices ? add_cuda_gpus(topo->get(), node.cores, node.gpus, *devices)
                        : "no CUDA driver (" + devices.error().message + "): GPUs from hwloc only";
  }
  if (options.gpus && options.visible_gpus) {
    if (auto st = keep_visible_gpus(node.gpus, *options.visible_gpus); !st) return st.error();
  }
  return node;
}

Result<std::vector<GpuIndex>> parse_visible_gpus(std::string_view value) {
  std::vector<GpuIndex> ids;
  value = trim(value);
  if (value.empty() || value == "NoDevFiles") return ids;
  for (std::string_view field : split(value, ',')) {
    auto n = parse_uint(trim(field), "CUDA_VISIBLE_DEVICES entry", 0, 1023);
    if (!n) {
      return fail("CUDA_VISIBLE_DEVICES='", value, "': only GPU numbers are understood (not UUIDs or MIG names): ",
                  n.error().message);
    }
    ids.push_back(static_cast<GpuIndex>(*n));
  }
  return ids;
}

std::string summarize(const NodeTopology& t) {
  char memory[32];
  std::snprintf(memory, sizeof memory, "%.1f GiB", static_cast<double>(t.memory_bytes) / (1024.0 * 1024 * 1024));
  std::string s = plural(t.packages, "package", "packages") + ", " + std::to_string(t.numa_nodes) + " NUMA, " +
                  plural(t.cores.size(), "core", "cores");
  if (t.pu_count() != t.cores.size()) s += " (" + std::to_string(t.pu_count()) + " PUs)";
  return s + ", " + plural(t.gpus.size(), "GPU", "GPUs") + ", " + memory;
}

}  // namespace compss::agent
