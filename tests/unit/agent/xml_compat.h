// xml_compat.h - lets this hwloc (2.x) read the shared topologies, which newer hwloc exported as XML 3.0.
//
// For these files the two formats differ only in the version attribute and in osdev_type, which hwloc 3
// writes as a set of flags (storage 1, memory 2, GPU 4, co-processor 8, network 16, OpenFabrics 32,
// DMA 64) where hwloc 2 writes one enum value (block 0, GPU 1, network 2, OpenFabrics 3, DMA 4,
// co-processor 5). An NVML device is "GPU|co-processor" (12) in hwloc 3 and a GPU (1) in hwloc 2.
// Thread-safety: a pure function.
#pragma once

#include <optional>
#include <regex>
#include <string>

#include "daemon/agent/topology.h"
#include "tests/unit/agent/paths.h"

namespace compss::agent::test {

inline int hwloc2_osdev_type(int hwloc3_flags) {
  if (hwloc3_flags & 4) return 1;
  if (hwloc3_flags & 8) return 5;
  if (hwloc3_flags & 16) return 2;
  if (hwloc3_flags & 32) return 3;
  if (hwloc3_flags & 64) return 4;
  return 0;
}

// XML text this hwloc loads; text that is not version 3.0 comes back unchanged.
inline std::string as_hwloc2_xml(const std::string& xml) {
  const std::string v3 = "<topology version=\"3.0\">";
  auto at = xml.find(v3);
  if (at == std::string::npos) return xml;
  std::string out = xml;
  out.replace(at, v3.size(), "<topology version=\"2.0\">");
  static const std::regex kOsdev("osdev_type=\"([0-9]+)\"");
  std::string converted;
  auto last = out.cbegin();
  for (std::sregex_iterator it(out.begin(), out.end(), kOsdev), end; it != end; ++it) {
    converted.append(last, out.cbegin() + it->position());
    converted += "osdev_type=\"" + std::to_string(hwloc2_osdev_type(std::stoi((*it)[1]))) + "\"";
    last = out.cbegin() + it->position() + it->length();
  }
  converted.append(last, out.cend());
  return converted;
}

// A shared export as a source this hwloc reads, or nullopt when the shared folder does not hold it.
inline std::optional<TopologySource> shared_source(const std::string& name) {
  auto path = shared_topology(name);
  if (!path) return std::nullopt;
  return TopologySource::xml_text(as_hwloc2_xml(read_text(*path)));
}

}  // namespace compss::agent::test
