// compss-bench - the project's benchmark program: runs the registered parts (bench.h).
//
//   compss-bench                 every part
//   compss-bench --only sched    some parts (comma-separated)
//   compss-bench --quick         smaller sizes
//   compss-bench --list          the parts
#include <cstdio>
#include <cstring>
#include <string>

#include "common/util/parse.h"
#include "tools/bench.h"

using compss::tools::bench_parts;
using compss::tools::BenchOptions;
using compss::tools::BenchPart;

namespace {

void usage() {
  std::printf("usage: compss-bench [--only PART[,PART...]] [--quick] [--list] [-- PART-OPTIONS]\n");
}

bool selected(const std::string& only, const char* name) {
  if (only.empty()) return true;
  for (std::string_view part : compss::split(only, ',')) {
    if (compss::trim(part) == name) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  BenchOptions opt;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else if (a.rfind("--only=", 0) == 0) {
      only = a.substr(7);
    } else if (a == "--quick") {
      opt.quick = true;
    } else if (a == "--list") {
      for (const BenchPart& p : bench_parts()) std::printf("%-8s %s\n", p.name, p.what);
      return 0;
    } else if (a == "--") {
      for (++i; i < argc; ++i) opt.args.emplace_back(argv[i]);
    } else {
      usage();
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  bool any = false;
  for (const BenchPart& p : bench_parts()) {
    any = any || selected(only, p.name);
  }
  if (!any) {
    std::fprintf(stderr, "compss-bench: no part named '%s' (see --list)\n", only.c_str());
    return 2;
  }
  int rc = 0;
  for (const BenchPart& p : bench_parts()) {
    if (!selected(only, p.name)) continue;
    std::printf("== %s: %s\n", p.name, p.what);
    std::fflush(stdout);
    if (p.run(opt) != 0) rc = 1;
  }
  return rc;
}
