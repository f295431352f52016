// world.cc - parsing the test text of world.h and driving the Scheduler.
#include "tests/unit/scheduler/world.h"

#include <stdexcept>

#include "common/util/parse.h"
#include "tests/unit/scheduler/world_nodes.h"

namespace compss::test {
using namespace compss::scheduler;

namespace {

[[noreturn]] void bad(std::string_view text, const std::string& why) {
  throw std::invalid_argument("world text '" + std::string(text) + "': " + why);
}

std::uint32_t number(std::string_view text, std::string_view v) {
  auto r = parse_uint(v, "number");
  if (!r) bad(text, r.error().message);
  return static_cast<std::uint32_t>(*r);
}

}  // namespace

World::World(std::string_view tasks, std::string_view nodes_text, SchedulerConfig cfg) : sched(cfg) {
  for (NodeDesc& d : nodes(nodes_text)) sched.node_joined(std::move(d), 0);
  add(tasks);
}

void World::submit(std::string_view text, Parsed& p) {
  if (p.spec.command.empty()) p.spec.command = "/bin/" + p.label + " {i}";
  if (p.spec.name.empty()) p.spec.name = p.label;
  if (p.array) {
    auto r = sched.submit_array(p.spec, p.first, p.last);
    if (!r) bad(text, r.error().message);
    for (std::uint32_t i = 0; i < r->count; ++i) {
      std::string l = p.label + "[" + std::to_string(p.first + i) + "]";
      ids_[l] = r->at(i);
      labels_.push_back(l);
    }
    return;
  }
  auto r = sched.submit(p.spec);
  if (!r) bad(text, r.error().message);
  ids_[p.label] = *r;
  labels_.push_back(p.label);
}

void World::add(std::string_view text) {
  if (trim(text).empty()) return;
  if (text.find("->") != std::string_view::npos) {
    add_graph(text);
    return;
  }
  for (std::string_view item_text : split(text, ';')) {
    std::string_view t = trim(item_text);
    if (t.empty()) continue;
    Parsed p;
    std::size_t colon = t.find(':');
    p.label = std::string(trim(t.substr(0, colon)));
    if (colon != std::string_view::npos) {
      for (std::string_view raw : split(t.substr(colon + 1), ',')) parse_item(text, trim(raw), p);
    }
    submit(text, p);
  }
}

// "a -> b, a -> c": tasks in the order they first appear, `after` edges from the arrows.
void World::add_graph(std::string_view text) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::string>> preds;
  for (std::string_view edge : split(text, ',')) {
    std::string prev;
    for (std::string_view part : split(edge, '-')) {
      std::string name(trim(!part.empty() && part.front() == '>' ? part.substr(1) : part));
      if (name.empty()) bad(text, "empty task name");
      if (!preds.count(name)) {
        preds[name];
        order.push_back(name);
      }
      if (!prev.empty()) preds[name].push_back(prev);
      prev = name;
    }
  }
  for (const std::string& name : order) {
    Parsed p;
    p.label = name;
    for (const std::string& pr : preds[name]) {
      if (!ids_.count(pr)) bad(text, "'" + pr + "' must appear before '" + name + "'");
      p.spec.after.push_back(ids_.at(pr));
    }
    submit(text, p);
  }
}

void World::parse_item(std::string_view text, std::string_view item, Parsed& p) const {
  std::size_t sp = item.find(' ');
  if (sp == std::string_view::npos) bad(text, "item '" + std::string(item) + "' needs a value");
  std::string_view key = item.substr(0, sp), v = trim(item.substr(sp + 1));
  TaskSpec& s = p.spec;
  if (key == "in" || key == "out" || key == "inout") {
    s.accesses.push_back({std::string(v), *parse_access_mode(key)});
  } else if (key == "after") {
    // A label, or a raw id (to name tasks that do not exist).
    auto it = ids_.find(std::string(v));
    s.after.push_back(it != ids_.end() ? it->second : TaskId(number(text, v)));
  } else if (key == "cpus") {
    s.request.cpus = number(text, v);
  } else if (key == "gpus") {
    s.request.gpus = number(text, v);
  } else if (key == "nodes") {
    s.request.nodes = number(text, v);
  } else if (key == "ranks") {
    s.request.ranks = number(text, v);
  } else if (key == "rpn") {
    s.request.ranks_per_node = number(text, v);
  } else if (key == "prio") {
    s.priority = std::stoi(std::string(v));
  } else if (key == "policy") {
    auto pol = parse_failure_policy(v);
    if (!pol) bad(text, pol.error().message);
    s.on_failure = *pol;
  } else if (key == "retries") {
    s.retries = static_cast<int>(number(text, v));
  } else if (key == "timeout") {
    s.timeout_s = std::stod(std::string(v));
  } else if (key == "time") {
    s.time_limit_s = std::stod(std::string(v));
  } else if (key == "group") {
    s.group = std::string(v);
  } else if (key == "kind") {
    s.name = std::string(v);
  } else if (key == "array") {
    auto dash = v.find('-');
    if (dash == std::string_view::npos) bad(text, "array needs A-B");
    p.array = true;
    p.first = number(text, v.substr(0, dash));
    p.last = number(text, v.substr(dash + 1));
  } else {
    bad(text, "unknown item '" + std::string(key) + "'");
  }
}

TaskId World::id(const std::string& label) const {
  auto it = ids_.find(label);
  if (it == ids_.end()) throw std::invalid_argument("no task labelled '" + label + "'");
  return it->second;
}

std::string World::label(TaskId t) const {
  for (const auto& [l, id] : ids_) {
    if (id == t) return l;
  }
  return "#" + t.str();
}

NodeId World::node(const std::string& name) const {
  return sched.pool().find(name);
}

std::string World::node_of(const std::string& l) const {
  const Placement* p = sched.placement(id(l));
  if (!p || p->slots.empty()) return "";
  return sched.pool().desc(p->slots.front().node).name;
}

std::string World::describe(const Decision& d) const {
  if (auto* s = std::get_if<StartTask>(&d)) {
    std::string nodes;
    for (const NodeSlot& slot : s->placement.slots) {
      nodes += (nodes.empty() ? "" : "+") + sched.pool().desc(slot.node).name;
    }
    return "start " + label(s->task) + " on " + nodes;
  }
  if (auto* k = std::get_if<KillTask>(&d)) return "kill " + label(k->task) + " (" + to_string(k->reason) + ")";
  if (auto* g = std::get_if<GrowNodes>(&d)) return "grow " + std::to_string(g->count);
  if (auto* g = std::get_if<WithdrawGrow>(&d)) return "withdraw " + std::to_string(g->count);
  if (auto* n = std::get_if<DrainNode>(&d)) return "drain " + sched.pool().desc(n->node).name;
  if (auto* n = std::get_if<UndrainNode>(&d)) return "undrain " + sched.pool().desc(n->node).name;
  if (auto* n = std::get_if<ReleaseNode>(&d)) return "release " + sched.pool().desc(n->node).name;
  if (auto* n = std::get_if<QuarantineNode>(&d)) return "quarantine " + sched.pool().desc(n->node).name;
  return "?";
}

std::vector<std::string> World::step(bool report_started) {
  last = sched.decide(now);
  std::vector<std::string> out;
  for (const Decision& d : last) {
    out.push_back(describe(d));
    if (auto* s = std::get_if<StartTask>(&d); s && report_started) {
      Status st = sched.task_started(s->task, now);
      if (!st) throw std::logic_error(st.error().message);
    }
  }
  return out;
}

std::vector<std::string> World::started_in(const std::vector<std::string>& decisions) const {
  std::vector<std::string> labels;
  for (const std::string& d : decisions) {
    if (d.rfind("start ", 0) == 0) labels.push_back(d.substr(6, d.find(" on ") - 6));
  }
  return labels;
}

void World::finish(const std::string& l, TaskExit exit) {
  Status s = sched.task_finished(id(l), exit, now);
  if (!s) throw std::logic_error(s.error().message);
}

std::vector<std::string> World::run_all() {
  std::vector<std::string> order;
  for (int guard = 0; guard < 100000; ++guard) {
    std::vector<std::string> started = started_in(step());
    order.insert(order.end(), started.begin(), started.end());
    bool any = false;
    for (std::uint32_t i = 0; i < sched.graph().size(); ++i) {
      if (sched.graph().state(TaskId(i)) == TaskState::kRunning) {
        now += 1;
        (void)sched.task_finished(TaskId(i), TaskExit::ok(), now);
        any = true;
      }
    }
    if (!any && started.empty()) break;
  }
  return order;
}

}  // namespace compss::test
