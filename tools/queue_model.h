// queue_model.h - how long SLURM takes to start a grow request in the simulator (compss-sim --queue).
//
// A QueueSpec says which model; a QueueModel draws one start delay per request, in order:
//   fixed:S              every request starts S seconds after it is made
//   lognormal:MEAN:SIGMA lognormal delays with mean MEAN seconds; SIGMA is the sigma of the underlying
//                        normal (mu = ln(MEAN) - SIGMA^2/2); seeded, so a seed gives the same delays
//   trace:FILE           the delays of FILE (seconds, one per line, '#' comments), used in order, cycling
//
//   auto spec = parse_queue_spec("lognormal:30:0.5", 30);   // text, default fixed value
//   QueueModel q(*spec, seed);
//   double d = q.draw();
//
// Failure behaviour: parse_queue_spec() / parse_queue_trace() return an error saying what is accepted,
// or naming the trace file and line; nothing is half-parsed.
// Thread-safety: a QueueModel is used by one thread (draw() advances it); specs are plain values.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace compss::tools {

struct QueueSpec {
  enum class Kind : std::uint8_t { kFixed, kLognormal, kTrace };
  Kind kind = Kind::kFixed;
  double fixed_s = 30;            // kFixed
  double mean_s = 30, sigma = 0;  // kLognormal
  std::vector<double> trace;      // kTrace: the delays, never empty
  std::string trace_file;         // kTrace: for messages
  double mean() const;            // the mean delay of the model
  std::string to_string() const;  // "fixed:30", "lognormal:30:0.5", "trace:FILE (12 delays)"
};

// "fixed:S" | "lognormal:MEAN:SIGMA" | "trace:FILE" (FILE read here); "" -> fixed at `default_fixed_s`.
Result<QueueSpec> parse_queue_spec(std::string_view text, double default_fixed_s);
// The delays of a trace file's text; errors name `file_name` and the line.
Result<std::vector<double>> parse_queue_trace(std::string_view text, std::string_view file_name);

class QueueModel {
 public:
  QueueModel(QueueSpec spec, std::uint64_t seed);
  double draw();  // the next request's start delay, seconds (>= 0)
  double mean() const { return spec_.mean(); }

 private:
  QueueSpec spec_;
  std::mt19937_64 rng_;
  std::lognormal_distribution<double> lognormal_;
  std::size_t next_ = 0;  // kTrace: the next delay
};

}  // namespace compss::tools
