// shape_table.h - resource requests stored once per distinct shape.
//
// Most tasks of a run ask for one of a handful of shapes ("1 core", "4 cores + 1 GPU"), so a task
// holds a 32-bit shape id instead of a ResourceRequest (which owns vectors). Consecutive submissions
// of the same shape are found without hashing.
//
// Failure behaviour: none. Thread-safety: none; one owner.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "scheduler/resources.h"

namespace compss::scheduler {

bool same_request(const ResourceRequest& a, const ResourceRequest& b);
std::uint64_t cores_of(const ResourceRequest& r);  // cpus * ranks: cores the request takes in all

class ShapeTable {
 public:
  std::uint32_t intern(const ResourceRequest& req);
  const ResourceRequest& get(std::uint32_t id) const { return shapes_[id]; }
  std::size_t size() const { return shapes_.size(); }

 private:
  static std::string key_of(const ResourceRequest& req);

  std::vector<ResourceRequest> shapes_;
  std::unordered_map<std::string, std::uint32_t> index_;
  std::uint32_t last_ = 0xffffffffu;
};

}  // namespace compss::scheduler
