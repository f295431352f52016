// bench.h - the parts of compss-bench (`make bench`), and how a part reports its figures.
//
// A part is a name, a one-line description and a function; bench_parts.cc lists them (add a line there
// to add a part). `compss-bench` runs every part; `compss-bench --only sched` selects some.
// A part prints a human table first, then every figure as one line a script can read, beside the
// baseline measured in the same run (DESIGN.md section 7):
//   bench sched_tasks_per_s 1234567 tasks/s
//
// Failure behaviour: a part returns non-zero when it could not measure (and says why on stderr).
// Thread-safety: parts run one after another on the main thread.
#pragma once

#include <string>
#include <vector>

namespace compss::tools {

struct BenchOptions {
  bool quick = false;             // smaller sizes, for a smoke run
  std::vector<std::string> args;  // unparsed options after --, for parts that take their own
};

struct BenchPart {
  const char* name;
  const char* what;
  int (*run)(const BenchOptions& opt);
};

const std::vector<BenchPart>& bench_parts();

// Prints "bench <name> <value> <unit>" (value with up to 3 decimals, trailing zeros dropped).
void report(const std::string& name, double value, const std::string& unit);

// Part entry points.
int bench_sched(const BenchOptions& opt);
int bench_sim(const BenchOptions& opt);

}  // namespace compss::tools
