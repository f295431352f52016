// wfcommons.cc - reading WfCommons traces (wfcommons.h).
#include "tools/wfcommons.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>
#include <queue>
#include <unordered_map>

namespace compss::tools {
namespace {

using nlohmann::json;
using scheduler::AccessMode;
using scheduler::TaskSpec;

// A task as the file has it, before its parents are resolved and the tasks are ordered.
struct RawTask {
  WfTask task;
  std::string id;
  std::vector<std::string> parents;  // ids or names
  bool has_runtime = false;
};

// Reports errors as "<file>: task '<name>': <what>".
struct Where {
  std::string_view file;
  Error task(std::string_view name, std::string_view what) const { return fail(file, ": task '", name, "': ", what); }
  Error top(std::string_view what) const { return fail(file, ": ", what); }
};

const json* member(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::string text_of(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  return {};
}

// "mProjectPP_00000012" and "mProjectPP_ID0000012" -> "mProjectPP"; other names stay.
std::string kind_of_name(const std::string& name) {
  std::size_t end = name.size();
  while (end > 0 && std::isdigit(static_cast<unsigned char>(name[end - 1]))) --end;
  if (end == name.size()) return name;
  std::string_view head(name.data(), end);
  if (head.ends_with("_ID"))
    head.remove_suffix(3);
  else if (head.ends_with("_"))
    head.remove_suffix(1);
  else
    return name;
  return head.empty() ? name : std::string(head);
}

// Runtime and cores from `obj` (keys `runtime_keys`, `cores_key`) into `t`.
Status read_numbers(const json& obj, std::initializer_list<const char*> runtime_keys, const char* cores_key, RawTask& t,
                    const Where& where) {
  for (const char* key : runtime_keys) {
    const json* v = member(obj, key);
    if (!v) continue;
    if (!v->is_number() || !std::isfinite(v->get<double>()) || v->get<double>() < 0) {
      return where.task(t.task.name, std::string("'") + key + "' is not a number of seconds >= 0");
    }
    t.task.runtime_s = v->get<double>();
    t.has_runtime = true;
    break;
  }
  if (const json* c = member(obj, cores_key)) {
    if (!c->is_number() || !(c->get<double>() > 0) || c->get<double>() > 65536) {
      return where.task(t.task.name, std::string("'") + cores_key + "' is not a core count > 0");
    }
    t.task.cores = static_cast<std::uint32_t>(std::ceil(c->get<double>()));
  }
  return ok_status();
}

Status read_strings(const json* list, std::vector<std::string>& out, const char* what, const RawTask& t,
                    const Where& where) {
  if (!list) return ok_status();
  if (!list->is_array()) return where.task(t.task.name, std::string("'") + what + "' is not a list");
  for (const json& v : *list) {
    std::string s = text_of(v);
    if (s.empty() && v.is_object()) {
      for (const char* key : {"id", "name", "fileId"}) {
        if (const json* k = member(v, key)) s = text_of(*k);
        if (!s.empty()) break;
      }
    }
    if (s.empty()) return where.task(t.task.name, std::string("an entry of '") + what + "' is not a name");
    out.push_back(std::move(s));
  }
  return ok_status();
}

Result<RawTask> read_common(const json& j, const Where& where, std::size_t index) {
  RawTask t;
  if (!j.is_object()) return where.top("task number " + std::to_string(index + 1) + " is not an object");
  if (const json* n = member(j, "name")) t.task.name = text_of(*n);
  if (const json* i = member(j, "id")) t.id = text_of(*i);
  if (t.task.name.empty()) t.task.name = t.id;
  if (t.task.name.empty()) return where.top("task number " + std::to_string(index + 1) + " has no name or id");
  if (t.id.empty()) t.id = t.task.name;
  const json* category = member(j, "category");
  t.task.kind = category && category->is_string() && !category->get<std::string>().empty()
                    ? category->get<std::string>()
                    : kind_of_name(t.task.name);
  if (Status s = read_strings(member(j, "parents"), t.parents, "parents", t, where); !s) return s.error();
  return t;
}

// workflow.tasks / workflow.jobs of the older layouts.
Result<std::vector<RawTask>> read_old(const json& list, const Where& where) {
  std::vector<RawTask> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto t = read_common(list[i], where, i);
    if (!t) return t.error();
    if (Status s = read_numbers(list[i], {"runtimeInSeconds", "runtime"}, "cores", *t, where); !s) return s.error();
    if (const json* files = member(list[i], "files")) {
      if (!files->is_array()) return where.task(t->task.name, "'files' is not a list");
      for (const json& f : *files) {
        const json* link = member(f, "link");
        std::string name;
        for (const char* key : {"name", "id", "fileId"}) {
          if (const json* k = member(f, key); k && name.empty()) name = text_of(*k);
        }
        const std::string l = link ? text_of(*link) : "";
        if (name.empty() || (l != "input" && l != "output")) {
          return where.task(t->task.name, "a file needs a name and link input or output");
        }
        (l == "input" ? t->task.inputs : t->task.outputs).push_back(std::move(name));
      }
    }
    out.push_back(std::move(t).value());
  }
  return out;
}

// workflow.specification.tasks with workflow.execution.tasks (WfFormat 1.4+).
Result<std::vector<RawTask>> read_new(const json& spec, const json* exec, const Where& where) {
  std::unordered_map<std::string, const json*> runs;
  if (exec && exec->is_array()) {
    for (const json& e : *exec) {
      if (const json* id = member(e, "id")) runs[text_of(*id)] = &e;
    }
  }
  std::vector<RawTask> out;
  for (std::size_t i = 0; i < spec.size(); ++i) {
    auto t = read_common(spec[i], where, i);
    if (!t) return t.error();
    if (Status s = read_strings(member(spec[i], "inputFiles"), t->task.inputs, "inputFiles", *t, where); !s)
      return s.error();
    if (Status s = read_strings(member(spec[i], "outputFiles"), t->task.outputs, "outputFiles", *t, where); !s)
      return s.error();
    auto run = runs.find(t->id);
    if (run != runs.end()) {
      if (Status s = read_numbers(*run->second, {"runtimeInSeconds", "runtime"}, "coreCount", *t, where); !s)
        return s.error();
    }
    out.push_back(std::move(t).value());
  }
  return out;
}

Result<std::vector<RawTask>> read_tasks(const json& doc, const Where& where) {
  const json* wf = member(doc, "workflow");
  if (!wf || !wf->is_object()) return where.top("no 'workflow' object: not a WfCommons trace");
  if (const json* spec = member(*wf, "specification")) {
    const json* tasks = member(*spec, "tasks");
    if (!tasks || !tasks->is_array()) return where.top("workflow.specification.tasks is not a list");
    const json* exec = member(*wf, "execution");
    return read_new(*tasks, exec ? member(*exec, "tasks") : nullptr, where);
  }
  for (const char* key : {"tasks", "jobs"}) {
    if (const json* tasks = member(*wf, key)) {
      if (!tasks->is_array()) return where.top(std::string("workflow.") + key + " is not a list");
      return read_old(*tasks, where);
    }
  }
  return where.top("no workflow.specification.tasks, workflow.tasks or workflow.jobs: not a WfCommons trace");
}

// Every task's predecessors (indices into `raw`): its parents and the writers of its inputs.
Result<std::vector<std::vector<std::uint32_t>>> predecessors(const std::vector<RawTask>& raw, const Where& where) {
  std::unordered_map<std::string, std::uint32_t> by_id, by_name;
  std::unordered_map<std::string, std::vector<std::uint32_t>> writers;
  for (std::uint32_t i = 0; i < raw.size(); ++i) {
    if (!by_id.emplace(raw[i].id, i).second) return where.task(raw[i].task.name, "its id is used twice");
    by_name.emplace(raw[i].task.name, i);
    for (const std::string& f : raw[i].task.outputs) writers[f].push_back(i);
  }
  std::vector<std::vector<std::uint32_t>> preds(raw.size());
  for (std::uint32_t i = 0; i < raw.size(); ++i) {
    for (const std::string& p : raw[i].parents) {
      auto id = by_id.find(p);
      auto name = by_name.find(p);
      if (id == by_id.end() && name == by_name.end()) return where.task(raw[i].task.name, "unknown parent '" + p + "'");
      preds[i].push_back(id != by_id.end() ? id->second : name->second);
    }
    for (const std::string& f : raw[i].task.inputs) {
      auto w = writers.find(f);
      if (w == writers.end()) continue;  // an input of the whole workflow
      for (std::uint32_t p : w->second) {
        if (p != i) preds[i].push_back(p);
      }
    }
  }
  return preds;
}

// "a -> b -> a" through the tasks Kahn's algorithm left over (those still `missing` a predecessor).
std::string cycle_text(const std::vector<RawTask>& raw, const std::vector<std::vector<std::uint32_t>>& preds,
                       const std::vector<std::uint32_t>& missing) {
  std::uint32_t t = 0;
  while (missing[t] == 0) ++t;
  std::vector<std::uint32_t> path;
  std::vector<int> seen(raw.size(), -1);
  while (seen[t] < 0) {
    seen[t] = static_cast<int>(path.size());
    path.push_back(t);
    for (std::uint32_t p : preds[t]) {
      if (missing[p] > 0) {
        t = p;
        break;
      }
    }
  }
  std::string s = raw[t].task.name;  // the path follows predecessors: print it backwards
  for (std::size_t k = path.size(); k-- > static_cast<std::size_t>(seen[t]);) s += " -> " + raw[path[k]].task.name;
  return s;
}

Result<WfWorkflow> order(std::vector<RawTask> raw, const Where& where) {
  auto preds = predecessors(raw, where);
  if (!preds) return preds.error();
  std::vector<std::vector<std::uint32_t>> succs(raw.size());
  std::vector<std::uint32_t> missing(raw.size());
  for (std::uint32_t i = 0; i < raw.size(); ++i) {
    missing[i] = static_cast<std::uint32_t>((*preds)[i].size());
    for (std::uint32_t p : (*preds)[i]) succs[p].push_back(i);
  }
  std::priority_queue<std::uint32_t, std::vector<std::uint32_t>, std::greater<>> free;
  for (std::uint32_t i = 0; i < raw.size(); ++i) {
    if (missing[i] == 0) free.push(i);
  }
  std::vector<std::uint32_t> position(raw.size());
  WfWorkflow wf;
  while (!free.empty()) {
    const std::uint32_t i = free.top();
    free.pop();
    position[i] = static_cast<std::uint32_t>(wf.tasks.size());
    wf.tasks.push_back(raw[i].task);
    for (std::uint32_t s : succs[i]) {
      if (--missing[s] == 0) free.push(s);
    }
  }
  if (wf.tasks.size() < raw.size()) return where.top("dependency cycle: " + cycle_text(raw, *preds, missing));
  // Parents as positions in the new order (files need no edge: they give the dependency themselves).
  for (std::uint32_t i = 0; i < raw.size(); ++i) {
    WfTask& t = wf.tasks[position[i]];
    const std::size_t n_parents = raw[i].parents.size();  // the first entries of preds[i]
    for (std::size_t k = 0; k < n_parents; ++k) t.parents.push_back(position[(*preds)[i][k]]);
  }
  return wf;
}

// Copies of a workflow, one after another; copy k's names and files start with "i<k>/" when several.
class WfSource : public TaskSource {
 public:
  WfSource(WfWorkflow wf, std::uint32_t instances) : wf_(std::move(wf)), instances_(instances) {}
  std::uint64_t size() const override { return wf_.tasks.size() * std::uint64_t{instances_}; }
  bool next(TaskSpec& spec, double& duration) override {
    if (i_ >= size()) return false;
    const std::uint64_t copy = i_ / wf_.tasks.size(), j = i_ % wf_.tasks.size();
    const WfTask& t = wf_.tasks[j];
    const std::string prefix = instances_ > 1 ? "i" + std::to_string(copy) + "/" : "";
    spec.name = t.kind;
    spec.command = "/bin/" + t.kind + " " + prefix + t.name;
    spec.request.cpus = t.cores;
    spec.accesses.clear();
    for (const std::string& f : t.inputs) spec.accesses.push_back({prefix + f, AccessMode::kIn});
    for (const std::string& f : t.outputs) spec.accesses.push_back({prefix + f, AccessMode::kOut});
    spec.after.clear();
    for (std::uint32_t p : t.parents)
      spec.after.push_back(TaskId(static_cast<std::uint32_t>(copy * wf_.tasks.size() + p)));
    duration = t.runtime_s;
    ++i_;
    return true;
  }

 private:
  WfWorkflow wf_;
  std::uint32_t instances_;
  std::uint64_t i_ = 0;
};

bool writable(std::string_view s) {
  return !s.empty() && s.find_first_of(" \t\r\n,#") == std::string_view::npos;
}

std::string seconds_text(double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// `key=a,b,c` with `prefix` before each item; nothing for no items.
void list_item(std::string& line, const char* key, const std::vector<std::string>& items, const std::string& prefix) {
  if (items.empty()) return;
  line += std::string(" ") + key + "=";
  for (std::size_t k = 0; k < items.size(); ++k) line += (k ? "," : "") + prefix + items[k];
}

}  // namespace

Result<WfWorkflow> parse_wfcommons(std::string_view text, std::string_view file_name) {
  const Where where{file_name};
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    return where.top(std::string("not JSON: ") + e.what());
  }
  auto raw = read_tasks(doc, where);
  if (!raw) return raw.error();
  if (raw->empty()) return where.top("the trace has no task");
  for (const RawTask& t : *raw) {
    if (!t.has_runtime) return where.task(t.task.name, "no runtime (runtimeInSeconds or runtime)");
  }
  return order(std::move(raw).value(), where);
}

std::unique_ptr<TaskSource> wfcommons_source(WfWorkflow wf, std::uint32_t instances) {
  return std::make_unique<WfSource>(std::move(wf), instances);
}

Result<std::string> workflow_file_text(const WfWorkflow& wf, std::uint32_t instances) {
  for (const WfTask& t : wf.tasks) {
    if (!writable(t.name) || !writable(t.kind)) {
      return fail("task '", t.name, "': a name with white space, ',' or '#' cannot go in a workflow file");
    }
    for (const auto* files : {&t.inputs, &t.outputs}) {
      for (const std::string& f : *files) {
        if (!writable(f)) return fail("task '", t.name, "': file '", f, "' cannot go in a workflow file");
      }
    }
  }
  std::string out;
  for (std::uint32_t copy = 0; copy < instances; ++copy) {
    const std::string prefix = instances > 1 ? "i" + std::to_string(copy) + "/" : "";
    for (const WfTask& t : wf.tasks) {
      std::string line = "task " + prefix + t.name + " " + seconds_text(t.runtime_s);
      if (t.cores != 1) line += " cpus=" + std::to_string(t.cores);
      list_item(line, "in", t.inputs, prefix);
      list_item(line, "out", t.outputs, prefix);
      std::vector<std::string> after;
      for (std::uint32_t p : t.parents) after.push_back(wf.tasks[p].name);
      list_item(line, "after", after, prefix);
      if (t.kind != t.name) line += " kind=" + t.kind;
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace compss::tools
