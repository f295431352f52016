// binding.cc - CPU sets from core ids, applied with sched_setaffinity.
#include "daemon/agent/binding.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "common/util/parse.h"

namespace compss::agent {

namespace {

constexpr std::size_t kBitsPerWord = sizeof(unsigned long) * 8;

std::vector<unsigned long> make_mask(const std::vector<PuId>& pus) {
  std::size_t words = pus.empty() ? 1 : pus.back() / kBitsPerWord + 1;
  std::vector<unsigned long> mask(words, 0);
  for (PuId pu : pus) mask[pu / kBitsPerWord] |= 1UL << (pu % kBitsPerWord);
  return mask;
}

}  // namespace

Result<CpuSet> CpuSet::for_cores(const NodeTopology& topology, const std::vector<CoreId>& cores) {
  if (cores.empty()) return fail("a task needs at least one core; none was assigned");
  std::set<CoreId> seen;
  std::vector<PuId> pus;
  for (CoreId id : cores) {
    const CoreDesc* core = topology.find_core(id);
    if (!core) {
      return fail("core ", std::to_string(id), " is not one of this node's usable cores (",
                  format_cpu_list(topology.core_ids()), ")");
    }
    if (!seen.insert(id).second) return fail("core ", std::to_string(id), " is assigned twice");
    pus.insert(pus.end(), core->pus.begin(), core->pus.end());
  }
  return for_pus(std::move(pus));
}

CpuSet CpuSet::for_pus(std::vector<PuId> pus) {
  std::sort(pus.begin(), pus.end());
  pus.erase(std::unique(pus.begin(), pus.end()), pus.end());
  CpuSet set;
  set.mask_ = make_mask(pus);
  set.pus_ = std::move(pus);
  return set;
}

std::string CpuSet::str() const { return format_cpu_list(pus_); }

int CpuSet::apply() const noexcept {
  if (pus_.empty()) return EINVAL;
  std::size_t bytes = mask_.size() * sizeof(unsigned long);
  if (sched_setaffinity(0, bytes, reinterpret_cast<const cpu_set_t*>(mask_.data())) != 0) return errno;
  return 0;
}

Status bind_calling_thread(const CpuSet& cpus) {
  if (int err = cpus.apply(); err != 0) {
    return fail("cannot bind to CPUs ", cpus.empty() ? std::string("(none)") : cpus.str(), ": ",
                std::strerror(err));
  }
  return ok_status();
}

Result<std::vector<PuId>> current_pus() {
  cpu_set_t* set = CPU_ALLOC(CPU_SETSIZE);
  std::size_t bytes = CPU_ALLOC_SIZE(CPU_SETSIZE);
  std::vector<PuId> pus;
  int rc = sched_getaffinity(0, bytes, set);
  int err = errno;
  if (rc == 0) {
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET_S(cpu, bytes, set)) pus.push_back(static_cast<PuId>(cpu));
    }
  }
  CPU_FREE(set);
  if (rc != 0) return fail("sched_getaffinity failed: ", std::strerror(err));
  return pus;
}

}  // namespace compss::agent
