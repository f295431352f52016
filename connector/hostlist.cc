#include "connector/hostlist.h"

#include <cstdint>
#include <cstdlib>
#include <memory>

#include <slurm/slurm.h>

namespace compss::connector {

namespace {

struct HostlistFree {
  void operator()(hostlist* h) const { slurm_hostlist_destroy(h); }
};
using HostlistPtr = std::unique_ptr<hostlist, HostlistFree>;

struct CFree {
  void operator()(char* p) const { std::free(p); }
};

// SLURM reads an unclosed bracket leniently ("n[1-" becomes the name "n]"); refuse it instead.
bool brackets_balanced(std::string_view s) {
  bool open = false;
  for (char ch : s) {
    if (ch == '[') {
      if (open) return false;
      open = true;
    } else if (ch == ']') {
      if (!open) return false;
      open = false;
    }
  }
  return !open;
}

}  // namespace

Result<std::vector<std::string>> expand_hostlist(std::string_view list) {
  std::vector<std::string> names;
  if (list.empty()) return names;
  std::string text(list);
  HostlistPtr hl(brackets_balanced(list) ? slurm_hostlist_create(text.c_str()) : nullptr);
  if (!hl) return fail("bad node list '", list, "': SLURM cannot parse it (expected e.g. n[1-3,5],gpu7)");
  // slurm_hostlist_shift hands out strings allocated with malloc.
  while (char* raw = slurm_hostlist_shift(hl.get())) {
    std::unique_ptr<char, CFree> name(raw);
    names.emplace_back(name.get());
  }
  return names;
}

Result<std::string> compress_hostlist(const std::vector<std::string>& names) {
  if (names.empty()) return std::string();
  HostlistPtr hl(slurm_hostlist_create(nullptr));
  if (!hl) return fail("cannot build a node list: out of memory");
  for (const auto& n : names) {
    if (n.empty() || n.find_first_of(",[] \t") != std::string::npos)
      return fail("bad node name '", n, "': a name may not be empty or hold ',', '[', ']' or blanks");
    if (slurm_hostlist_push_host(hl.get(), n.c_str()) != 1) return fail("cannot add node '", n, "' to a node list");
  }
  slurm_hostlist_uniq(hl.get());
  std::unique_ptr<char, CFree> s(slurm_hostlist_ranged_string_malloc(hl.get()));
  if (!s) return fail("cannot format a node list of ", std::to_string(names.size()), " nodes");
  return std::string(s.get());
}

}  // namespace compss::connector
