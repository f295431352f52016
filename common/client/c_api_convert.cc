#include "common/client/c_api_convert.h"

#include <cstdlib>
#include <cstring>
#include <string>

namespace compss::client {

namespace {

Error usage(std::string message) {
  return Error{ErrorKind::kUsage, std::move(message), {}};
}

Result<std::vector<std::string>> strings(const char* const* list, std::size_t n, const char* field, std::size_t index) {
  if (n > 0 && !list)
    return usage("task " + std::to_string(index) + ": " + field + " is NULL but its count is " + std::to_string(n));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) {
    if (!list[i]) return usage("task " + std::to_string(index) + ": " + field + "[" + std::to_string(i) + "] is NULL");
    out.emplace_back(list[i]);
  }
  return out;
}

Status copy_lists(const compss_task_spec& c, std::size_t index, TaskSpec& t) {
  struct List {
    const char* const* items;
    std::size_t n;
    const char* field;
    std::vector<std::string>* into;
  };
  for (const List& l :
       {List{c.argv, c.argc, "argv", &t.argv}, List{c.env, c.n_env, "env", &t.env}, List{c.in, c.n_in, "in", &t.in},
        List{c.out, c.n_out, "out", &t.out}, List{c.inout, c.n_inout, "inout", &t.inout}}) {
    auto v = strings(l.items, l.n, l.field, index);
    if (!v) return v.error();
    *l.into = std::move(*v);
  }
  if (c.n_after > 0 && !c.after) return usage("task " + std::to_string(index) + ": after is NULL");
  t.after.assign(c.after, c.after + c.n_after);
  if (c.n_custom > 0 && !c.custom) return usage("task " + std::to_string(index) + ": custom is NULL");
  for (std::size_t i = 0; i < c.n_custom; ++i) {
    if (!c.custom[i].name)
      return usage("task " + std::to_string(index) + ": custom[" + std::to_string(i) + "].name is NULL");
    t.custom.push_back({c.custom[i].name, c.custom[i].amount});
  }
  return {};
}

char* dup(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p) std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}

// Copies every string into a malloc'ed array; false when an allocation failed (what was made is freed).
bool dup_all(const std::vector<std::string>& in, char*** out, std::size_t* n) {
  *out = nullptr;
  *n = 0;
  if (in.empty()) return true;
  auto* a = static_cast<char**>(std::calloc(in.size(), sizeof(char*)));
  if (!a) return false;
  *out = a;
  for (const auto& s : in) {
    if (!(a[*n] = dup(s))) return false;
    ++*n;
  }
  return true;
}

bool dup_issues(const std::vector<TaskIssue>& in, compss_task_issue** out, std::size_t* n) {
  *out = nullptr;
  *n = 0;
  if (in.empty()) return true;
  auto* a = static_cast<compss_task_issue*>(std::calloc(in.size(), sizeof(compss_task_issue)));
  if (!a) return false;
  *out = a;
  for (const auto& i : in) {
    a[*n].id = i.id;
    ++*n;  // counted first, so that the free below sees a half-built entry and frees what it has
    if (!(a[*n - 1].name = dup(i.name)) || !(a[*n - 1].reason = dup(i.reason))) return false;
  }
  return true;
}

}  // namespace

Result<TaskSpec> from_c(const compss_task_spec& c, std::size_t index) {
  TaskSpec t;
  if (auto s = copy_lists(c, index, t); !s) return s.error();
  if (t.argv.empty()) return usage("task " + std::to_string(index) + " has no command (argc is 0)");
  if (c.name) t.name = c.name;
  if (c.cwd) t.cwd = c.cwd;
  if (c.group) t.group = c.group;
  t.cpus = c.cpus;
  t.memory = c.memory;
  t.gpus = c.gpus;
  t.nodes = c.nodes;
  t.ranks = c.ranks;
  t.ranks_per_node = c.ranks_per_node;
  t.mpi = c.mpi != 0;
  t.time_limit_s = c.time_limit_s;
  if (c.on_failure < COMPSS_ON_FAILURE_RETRY || c.on_failure > COMPSS_ON_FAILURE_IGNORE)
    return usage("task " + std::to_string(index) + ": on_failure is not one of the COMPSS_ON_FAILURE_* values");
  t.on_failure = static_cast<OnFailure>(c.on_failure);
  if (c.retries > static_cast<std::int64_t>(UINT32_MAX))
    return usage("task " + std::to_string(index) + ": retries is above 4294967295");
  if (c.retries >= 0) t.retries = static_cast<std::uint32_t>(c.retries);
  t.timeout_s = c.timeout_s;
  t.priority = c.priority;
  if (c.has_array) t.array = ArraySpec{c.array_first, c.array_last, c.array_step};
  return t;
}

Result<Selection> from_c(const compss_selector& c) {
  Selection s;
  if (c.n_ids > 0 && !c.ids) return usage("selector: ids is NULL but n_ids is " + std::to_string(c.n_ids));
  if (c.n_ids > 0) s = Selection::of(std::vector<TaskId>(c.ids, c.ids + c.n_ids));
  if (c.group) s.group = c.group;
  s.all = c.all != 0;
  return s;
}

compss_wait_result* to_c(const WaitResult& w) {
  auto* r = static_cast<compss_wait_result*>(std::calloc(1, sizeof(compss_wait_result)));
  if (!r) return nullptr;
  r->done = w.done;
  r->timed_out = w.timed_out;
  r->pending = w.pending;
  if (!dup_issues(w.failed, &r->failed, &r->n_failed) || !dup_issues(w.cancelled, &r->cancelled, &r->n_cancelled)) {
    compss_wait_result_free(r);
    return nullptr;
  }
  return r;
}

compss_run_status* to_c(const RunStatus& s) {
  auto* r = static_cast<compss_run_status*>(std::calloc(1, sizeof(compss_run_status)));
  if (!r) return nullptr;
  const auto& c = s.counts;
  r->pending = c.pending, r->ready = c.ready, r->scheduled = c.scheduled, r->running = c.running;
  r->done = c.done, r->failed = c.failed, r->cancelled = c.cancelled;
  std::vector<std::string> texts;
  for (const auto& e : s.events) texts.push_back(e.text);
  bool ok = (r->outcome = dup(s.outcome)) != nullptr && dup_all(texts, &r->events, &r->n_events);
  if (ok && !s.nodes.empty()) {
    r->nodes = static_cast<compss_node_info*>(std::calloc(s.nodes.size(), sizeof(compss_node_info)));
    ok = r->nodes != nullptr;
    for (std::size_t i = 0; ok && i < s.nodes.size(); ++i) {
      auto& n = r->nodes[r->n_nodes++];
      n.cores = s.nodes[i].cores;
      n.busy = s.nodes[i].busy;
      ok = (n.name = dup(s.nodes[i].name)) && (n.state = dup(s.nodes[i].state));
    }
  }
  if (!ok) {
    compss_run_status_free(r);
    return nullptr;
  }
  return r;
}

compss_task_info* to_c(const std::vector<TaskInfo>& tasks) {
  auto* a = static_cast<compss_task_info*>(std::calloc(tasks.empty() ? 1 : tasks.size(), sizeof(compss_task_info)));
  if (!a) return nullptr;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const auto& t = tasks[i];
    auto& c = a[i];
    c.id = t.id;
    c.has_exit_code = t.exit_code.has_value();
    c.exit_code = t.exit_code.value_or(0);
    c.signal = t.signal;
    c.attempts = t.attempts;
    if (!(c.name = dup(t.name)) || !(c.state = dup(t.state)) || !(c.node = dup(t.node)) ||
        !(c.reason = dup(t.reason))) {
      compss_task_info_free(a, i + 1);
      return nullptr;
    }
  }
  return a;
}

compss_explanation* to_c(const Explanation& e) {
  auto* r = static_cast<compss_explanation*>(std::calloc(1, sizeof(compss_explanation)));
  if (!r) return nullptr;
  r->id = e.id;
  if (!(r->text = dup(e.text)) || !dup_all(e.items, &r->items, &r->n_items)) {
    compss_explanation_free(r);
    return nullptr;
  }
  return r;
}

}  // namespace compss::client
