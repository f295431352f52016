#include "common/client/paths.h"

#include <filesystem>

namespace compss::client {

std::string absolute_path(std::string_view path, std::string_view base) {
  if (path.empty()) return {};
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(base) / p;
  std::string s = p.lexically_normal().string();
  // "/a/b/" and "/a/b" are one directory; keep "/" itself.
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

TaskSpec with_absolute_paths(TaskSpec spec, std::string_view caller_cwd) {
  spec.cwd = spec.cwd.empty() ? absolute_path(caller_cwd, "/") : absolute_path(spec.cwd, caller_cwd);
  for (auto* list : {&spec.in, &spec.out, &spec.inout})
    for (auto& f : *list) f = absolute_path(f, spec.cwd);
  return spec;
}

}  // namespace compss::client
