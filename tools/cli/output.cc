#include "tools/cli/output.h"

#include <cstdio>
#include <iomanip>
#include <nlohmann/json.hpp>

#include "tools/cli/exit_codes.h"

namespace compss::cli {

using nlohmann::json;

namespace {

// Names and reasons come from the daemon and the user's files; bytes that are not UTF-8 are replaced
// rather than made an exception.
std::string text(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json issues_json(const std::vector<client::TaskIssue>& issues) {
  json a = json::array();
  for (const auto& i : issues) a.push_back({{"id", i.id}, {"name", i.name}, {"reason", i.reason}});
  return a;
}

std::string task_label(const client::TaskIssue& i) {
  std::string s = "task " + std::to_string(i.id);
  if (!i.name.empty()) s += " (" + i.name + ")";
  return s;
}

void print_issues(Io& io, const std::vector<client::TaskIssue>& issues, std::string_view verb) {
  for (const auto& i : issues) {
    io.out << task_label(i) << " " << verb;
    if (!i.reason.empty()) io.out << ": " << i.reason;
    io.out << "\n";
  }
}

std::string plural(std::uint64_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

}  // namespace

namespace {

int json_error(Io& io, std::string_view command, std::string_view message, int status) {
  if (io.json)
    io.out << text(json{{"error", std::string(message)}, {"command", std::string(command)}, {"exit", status}}) << "\n";
  return status;
}

}  // namespace

bool wants_json(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--") return false;
    if (a == "--json") return true;
  }
  return false;
}

int usage_error(Io& io, std::string_view command, std::string_view message) {
  io.err << "compss " << command << ": " << message << "\n"
         << "(see 'compss " << command << " --help')\n";
  return json_error(io, command, message, kExitUsage);
}

int exit_status_for(const client::Error& e) {
  switch (e.kind) {
    case client::ErrorKind::kUsage:
      return kExitUsage;
    case client::ErrorKind::kRefused:
      return kExitRefused;
    case client::ErrorKind::kUnreachable:
    case client::ErrorKind::kLost:
    case client::ErrorKind::kProtocol:
      return kExitUnreachable;
  }
  return kExitUnreachable;
}

int client_error(Io& io, std::string_view command, const client::Error& e) {
  // A refusal is the daemon's own words, printed as is.
  io.err << "compss " << command << ": " << e.message << "\n";
  return json_error(io, command, e.message, exit_status_for(e));
}

std::string format_range(const client::IdRange& r) {
  if (r.first == r.last) return std::to_string(r.first);
  return std::to_string(r.first) + "-" + std::to_string(r.last);
}

std::string submit_json(const client::IdRange& ids) {
  return text(json{{"first", ids.first}, {"last", ids.last}, {"count", ids.count()}});
}

std::string wait_json(const client::WaitResult& w) {
  return text(json{{"succeeded", w.succeeded()},
                   {"done", w.done},
                   {"failed", issues_json(w.failed)},
                   {"cancelled", issues_json(w.cancelled)},
                   {"timed_out", w.timed_out},
                   {"pending", w.pending}});
}

json node_json(const client::NodeInfo& n) {
  json j{{"name", n.name},       {"state", n.state},     {"cores", n.cores}, {"busy", n.busy},
         {"request", n.request}, {"tasks_run", n.tasks_run}};
  if (n.helper_job) j["helper_job"] = n.helper_job;
  for (auto [key, t] : {std::pair{"granted", n.granted}, {"joined", n.joined}, {"quarantined", n.quarantined},
                        {"drained", n.drained}, {"left", n.left}})
    if (t >= 0) j[key] = t;
  if (!n.why.empty()) j["why"] = n.why;
  if (!n.cpus.empty()) j["cpus"] = n.cpus;
  return j;
}

json event_json(const client::Event& e) {
  json j{{"t", e.t}, {"kind", e.kind}, {"node", e.node}, {"cause", e.cause}, {"text", e.text}};
  j["task"] = e.task ? json(*e.task) : json(nullptr);
  if (e.request) j["request"] = e.request;
  if (e.count) j["count"] = e.count;
  return j;
}

std::string status_json(const client::RunStatus& s) {
  const auto& c = s.counts;
  json nodes = json::array(), events = json::array();
  for (const auto& n : s.nodes) nodes.push_back(node_json(n));
  for (const auto& e : s.events) events.push_back(event_json(e));
  return text(json{{"outcome", s.outcome},
                   {"counts",
                    {{"pending", c.pending},
                     {"ready", c.ready},
                     {"scheduled", c.scheduled},
                     {"running", c.running},
                     {"done", c.done},
                     {"failed", c.failed},
                     {"cancelled", c.cancelled},
                     {"cached", c.cached},
                     {"held", c.held}}},
                   {"nodes", nodes},
                   {"events", events}});
}

std::string cancel_json(std::uint64_t count) {
  return text(json{{"cancelled", count}});
}

std::string resize_json(bool grow, std::uint32_t nodes) {
  return text(json{{grow ? "grow" : "drain", nodes}});
}

std::string explain_json(const client::Explanation& e) {
  return text(json{{"id", e.id}, {"text", e.text}, {"items", e.items}});
}

void print_wait(Io& io, const client::WaitResult& w) {
  io.out << plural(w.done, "task") << " done";
  if (!w.failed.empty()) io.out << ", " << w.failed.size() << " failed";
  if (!w.cancelled.empty()) io.out << ", " << w.cancelled.size() << " cancelled";
  io.out << "\n";
  print_issues(io, w.failed, "failed");
  print_issues(io, w.cancelled, "cancelled");
  if (w.timed_out) io.out << "timed out: " << plural(w.pending, "task") << " not finished yet\n";
}

std::string seconds_stamp(double t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%7.1f s  ", t);
  return buf;
}

void print_status(Io& io, const client::RunStatus& s) {
  const auto& c = s.counts;
  io.out << "outcome: " << s.outcome << "\n"
         << "tasks:   " << c.pending << " pending, " << c.ready << " ready"
         << (c.held ? " (" + std::to_string(c.held) + " held by the job's time limit)" : "") << ", " << c.scheduled
         << " scheduled, "
         << c.running << " running, " << c.done << " done" << (c.cached ? " (" + std::to_string(c.cached) + " cached)" : "")
         << ", " << c.failed << " failed, " << c.cancelled << " cancelled\n"
         << "nodes:   " << s.nodes.size() << "\n";
  for (const auto& n : s.nodes)
    io.out << "  " << std::left << std::setw(16) << n.name << std::setw(12) << n.state << n.busy << "/" << n.cores
           << " cores busy\n";
  if (s.events.empty()) return;
  io.out << "events:\n";
  for (const auto& e : s.events) io.out << "  " << seconds_stamp(e.t) << e.text << "\n";
}

void print_explanation(Io& io, const client::Explanation& e) {
  io.out << e.text << "\n";
  for (const auto& item : e.items) io.out << "  - " << item << "\n";
}

}  // namespace compss::cli
