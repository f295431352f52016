#include "daemon/site_yaml.h"

#include <yaml.h>

#include <cstdio>
#include <memory>

#include "common/util/parse.h"

namespace compss::daemon {
namespace {

std::string where(const std::string& path, const yaml_mark_t& m) {
  return path + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> read_site_config(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return fail("cannot read the site configuration ", path);
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  std::unique_ptr<yaml_parser_t, void (*)(yaml_parser_t*)> guard(&parser, &yaml_parser_delete);
  yaml_parser_set_input_file(&parser, f.get());

  std::vector<std::pair<std::string, std::string>> out;
  std::string key;
  int depth = 0;  // mappings open
  bool have_key = false;
  for (;;) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&parser, &ev))
      return fail(where(path, parser.problem_mark), ": ", parser.problem ? parser.problem : "bad YAML");
    std::unique_ptr<yaml_event_t, void (*)(yaml_event_t*)> ev_guard(&ev, &yaml_event_delete);
    switch (ev.type) {
      case YAML_STREAM_END_EVENT: return out;
      case YAML_MAPPING_START_EVENT:
        if (++depth > 1) return fail(where(path, ev.start_mark), ": nested values are not allowed (keys of --compss only)");
        break;
      case YAML_MAPPING_END_EVENT: --depth; break;
      case YAML_SEQUENCE_START_EVENT:
        return fail(where(path, ev.start_mark), ": lists are not allowed (keys of --compss only)");
      case YAML_SCALAR_EVENT: {
        if (depth != 1) return fail(where(path, ev.start_mark), ": expected a mapping of --compss keys");
        std::string text(reinterpret_cast<const char*>(ev.data.scalar.value), ev.data.scalar.length);
        if (!have_key) {
          key = std::move(text);
          have_key = true;
          break;
        }
        have_key = false;
        if (key == "config") return fail(where(path, ev.start_mark), ": 'config' cannot name another file");
        if (text == "false" || text == "no") break;
        out.emplace_back(key, text == "true" || text == "yes" ? std::string() : text);
        // Check each key and value as --compss would, so the error points at this line.
        std::string one = out.back().first + (out.back().second.empty() ? "" : "=" + out.back().second);
        if (auto r = parse_runtime_options(one); !r) return fail(where(path, ev.start_mark), ": ", r.error().message);
        break;
      }
      default: break;
    }
  }
}

Result<RuntimeOptions> merge_site_config(std::string_view value) {
  auto user = parse_kv_list(value);
  if (!user) return fail("--compss: ", user.error().message);
  std::string file;
  for (const auto& [k, v] : *user)
    if (k == "config") file = v;
  if (file.empty()) return parse_runtime_options(value);
  if (auto checked = parse_runtime_options(value); !checked) return checked.error();
  auto site = read_site_config(file);
  if (!site) return site.error();
  std::vector<std::pair<std::string, std::string>> merged = std::move(*site);
  for (const auto& [k, v] : *user) {
    std::erase_if(merged, [&k](const auto& kv) { return kv.first == k; });
    merged.emplace_back(k, v);
  }
  std::string text;
  for (const auto& [k, v] : merged) text += (text.empty() ? "" : ",") + k + (v.empty() ? "" : "=" + v);
  return parse_runtime_options(text);
}

}  // namespace compss::daemon
