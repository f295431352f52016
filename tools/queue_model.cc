// queue_model.cc - the start-delay models of queue_model.h.
#include "tools/queue_model.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/util/parse.h"

namespace compss::tools {
namespace {

constexpr const char* kAccepted = "expected fixed:SECONDS, lognormal:MEAN:SIGMA or trace:FILE";

// A finite number >= 0 (> 0 when `positive`), or nothing.
bool parse_seconds(std::string_view s, double& out, bool positive = false) {
  const std::string text(trim(s));
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v) || v < 0) return false;
  if (positive && v <= 0) return false;
  out = v;
  return true;
}

std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

Result<QueueSpec> parse_trace_spec(std::string_view file) {
  if (file.empty()) return fail("--queue trace: needs a file name (trace:FILE)");
  std::ifstream in{std::string(file)};
  if (!in) return fail("--queue trace: cannot read '", file, "'");
  std::stringstream text;
  text << in.rdbuf();
  auto delays = parse_queue_trace(text.str(), file);
  if (!delays) return delays.error();
  QueueSpec q;
  q.kind = QueueSpec::Kind::kTrace;
  q.trace = std::move(delays).value();
  q.trace_file = std::string(file);
  return q;
}

}  // namespace

double QueueSpec::mean() const {
  switch (kind) {
    case Kind::kFixed:
      return fixed_s;
    case Kind::kLognormal:
      return mean_s;
    case Kind::kTrace: {
      double sum = 0;
      for (double d : trace) sum += d;
      return trace.empty() ? 0 : sum / static_cast<double>(trace.size());
    }
  }
  return 0;
}

std::string QueueSpec::to_string() const {
  switch (kind) {
    case Kind::kFixed:
      return "fixed:" + num(fixed_s);
    case Kind::kLognormal:
      return "lognormal:" + num(mean_s) + ":" + num(sigma);
    case Kind::kTrace:
      return "trace:" + trace_file + " (" + std::to_string(trace.size()) + " delays)";
  }
  return "?";
}

Result<std::vector<double>> parse_queue_trace(std::string_view text, std::string_view file_name) {
  std::vector<double> delays;
  std::size_t line_no = 0;
  for (std::string_view raw : split(text, '\n')) {
    ++line_no;
    const std::string_view line = trim(raw.substr(0, raw.find('#')));
    if (line.empty()) continue;
    double d = 0;
    if (!parse_seconds(line, d)) {
      return fail(file_name, ":", std::to_string(line_no), ": bad start delay '", line,
                  "': expected seconds >= 0, one per line");
    }
    delays.push_back(d);
  }
  if (delays.empty()) return fail(file_name, ": no start delay in the file (expected seconds, one per line)");
  return delays;
}

Result<QueueSpec> parse_queue_spec(std::string_view text, double default_fixed_s) {
  QueueSpec q;
  if (text.empty()) {
    q.fixed_s = default_fixed_s;
    return q;
  }
  const std::size_t colon = text.find(':');
  const std::string_view kind = text.substr(0, colon);
  const std::string_view rest = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  if (kind == "trace") return parse_trace_spec(rest);
  if (kind == "fixed") {
    if (!parse_seconds(rest, q.fixed_s)) return fail("--queue '", text, "': bad seconds: ", kAccepted);
    return q;
  }
  if (kind == "lognormal") {
    const auto parts = split(rest, ':');
    q.kind = QueueSpec::Kind::kLognormal;
    if (parts.size() != 2 || !parse_seconds(parts[0], q.mean_s, true) || !parse_seconds(parts[1], q.sigma)) {
      return fail("--queue '", text, "': expected lognormal:MEAN:SIGMA with MEAN > 0 seconds and SIGMA >= 0");
    }
    return q;
  }
  return fail("--queue '", text, "': ", kAccepted);
}

QueueModel::QueueModel(QueueSpec spec, std::uint64_t seed) : spec_(std::move(spec)), rng_(seed) {
  if (spec_.kind == QueueSpec::Kind::kLognormal) {
    const double mu = std::log(spec_.mean_s) - spec_.sigma * spec_.sigma / 2;
    lognormal_ = std::lognormal_distribution<double>(mu, spec_.sigma);
  }
}

double QueueModel::draw() {
  switch (spec_.kind) {
    case QueueSpec::Kind::kFixed:
      return spec_.fixed_s;
    case QueueSpec::Kind::kLognormal:
      return lognormal_(rng_);
    case QueueSpec::Kind::kTrace: {
      const double d = spec_.trace[next_];
      next_ = (next_ + 1) % spec_.trace.size();
      return d;
    }
  }
  return 0;
}

}  // namespace compss::tools
