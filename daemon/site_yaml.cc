#include "daemon/site_yaml.h"

#include <yaml.h>

#include <cstdio>
#include <memory>
#include <set>

#include "common/util/parse.h"

namespace compss::daemon {
namespace {

std::string where(const std::string& path, const yaml_mark_t& m) {
  return path + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

using Pairs = std::vector<std::pair<std::string, std::string>>;
using ParserGuard = std::unique_ptr<yaml_parser_t, void (*)(yaml_parser_t*)>;

// Reads the mapping from a parser whose input is set; `path` names the input in errors.
Result<Pairs> read_pairs(yaml_parser_t& parser, const std::string& path) {
  Pairs out;
  std::set<std::string> seen;
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
      case YAML_ALIAS_EVENT:  // would leave its key without a value, silently
        return fail(where(path, ev.start_mark), ": aliases (*name) are not allowed (keys of --compss only)");
      case YAML_SCALAR_EVENT: {
        if (depth != 1) return fail(where(path, ev.start_mark), ": expected a mapping of --compss keys");
        std::string text(reinterpret_cast<const char*>(ev.data.scalar.value), ev.data.scalar.length);
        if (!have_key) {
          key = std::move(text);
          have_key = true;
          break;
        }
        have_key = false;
        // A key given twice would reach --compss twice, whose error could not name this file.
        if (!seen.insert(key).second) return fail(where(path, ev.start_mark), ": key '", key, "' given twice");
        if (key == "config") return fail(where(path, ev.start_mark), ": 'config' cannot name another file");
        if (text == "false" || text == "no") break;
        out.emplace_back(key, text == "true" || text == "yes" ? std::string() : text);
        std::string one = out.back().first + (out.back().second.empty() ? "" : "=" + out.back().second);
        // merge_site_config joins the pairs into one --compss value: each must stay one key and its value.
        if (auto items = parse_kv_list(one); items && (items->size() != 1 || items->front() != out.back()))
          return fail(where(path, ev.start_mark), ": '", one, "' is not one --compss key and value",
                      " (a --compss key, then a value without ',' and without spaces around it)");
        // Check each key and value as --compss would, so the error points at this line.
        if (auto r = parse_runtime_options(one); !r) return fail(where(path, ev.start_mark), ": ", r.error().message);
        break;
      }
      default: break;
    }
  }
}

}  // namespace

Result<Pairs> read_site_config(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return fail("cannot read the site configuration ", path);
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  ParserGuard guard(&parser, &yaml_parser_delete);
  yaml_parser_set_input_file(&parser, f.get());
  return read_pairs(parser, path);
}

Result<Pairs> read_site_config_text(std::string_view text, const std::string& name) {
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  ParserGuard guard(&parser, &yaml_parser_delete);
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  return read_pairs(parser, name);
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
  for (const auto& kv : *user) {  // not [k, v]: clang 14 (the fuzzers' compiler) cannot capture a binding
    std::erase_if(merged, [&kv](const auto& m) { return m.first == kv.first; });
    merged.push_back(kv);
  }
  std::string text;
  for (const auto& [k, v] : merged) text += (text.empty() ? "" : ",") + k + (v.empty() ? "" : "=" + v);
  return parse_runtime_options(text);
}

}  // namespace compss::daemon
