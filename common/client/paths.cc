#include "common/client/paths.h"

#include <vector>

#include "common/util/parse.h"

namespace compss::client {

namespace {

// Folds "." and ".." and repeated slashes, as std::filesystem's lexically_normal does, without its
// allocations per component (a submit of many tasks calls this for every file of every task).
std::string normalise(std::string_view p) {
  bool absolute = !p.empty() && p.front() == '/';
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  while (pos <= p.size()) {
    std::size_t slash = p.find('/', pos);
    if (slash == std::string_view::npos) slash = p.size();
    std::string_view part = p.substr(pos, slash - pos);
    pos = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
        continue;
      }
      if (absolute) continue;  // "/.." is "/"
    }
    parts.push_back(part);
  }
  std::string out = absolute ? "/" + join(parts, "/") : join(parts, "/");
  if (out.empty()) out.push_back('.');
  return out;
}

}  // namespace

std::string absolute_path(std::string_view path, std::string_view base) {
  if (path.empty()) return {};
  if (path.front() == '/') return normalise(path);
  std::string joined(base);
  joined += '/';
  joined += path;
  return normalise(joined);
}

TaskSpec with_absolute_paths(TaskSpec spec, std::string_view caller_cwd) {
  spec.cwd = spec.cwd.empty() ? absolute_path(caller_cwd, "/") : absolute_path(spec.cwd, caller_cwd);
  for (auto* list : {&spec.in, &spec.out, &spec.inout})
    for (auto& f : *list) f = absolute_path(f, spec.cwd);
  return spec;
}

}  // namespace compss::client
