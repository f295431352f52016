// shape_table.cc - interning of resource request shapes.
#include "scheduler/shape_table.h"

namespace compss::scheduler {

bool same_request(const ResourceRequest& a, const ResourceRequest& b) {
  return a.cpus == b.cpus && a.memory == b.memory && a.gpus == b.gpus && a.custom == b.custom && a.nodes == b.nodes &&
         a.ranks == b.ranks && a.ranks_per_node == b.ranks_per_node && a.mpi == b.mpi;
}

std::uint64_t cores_of(const ResourceRequest& r) {
  return std::uint64_t{r.cpus} * (r.ranks == 0 ? 1 : r.ranks);
}

std::string ShapeTable::key_of(const ResourceRequest& r) {
  std::string k = std::to_string(r.cpus) + '/' + std::to_string(r.memory) + '/' + std::to_string(r.gpus) + '/' +
                  std::to_string(r.nodes) + '/' + std::to_string(r.ranks) + '/' + std::to_string(r.ranks_per_node) +
                  (r.mpi ? "/m" : "/-");
  // Control characters separate custom names, which may hold any printable character.
  for (const auto& [name, amount] : r.custom) k += '\x1f' + name + '\x1e' + std::to_string(amount);
  return k;
}

std::uint32_t ShapeTable::intern(const ResourceRequest& req) {
  if (last_ < shapes_.size() && same_request(shapes_[last_], req)) return last_;
  auto [it, inserted] = index_.try_emplace(key_of(req), static_cast<std::uint32_t>(shapes_.size()));
  if (inserted) shapes_.push_back(req);
  last_ = it->second;
  return last_;
}

}  // namespace compss::scheduler
