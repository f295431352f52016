// Tests of the site's compss.yaml reader (daemon/site_yaml.h): what it refuses, with the file, line and
// column. The cases below were found by tests/fuzz/fuzz_site_yaml or written next to its seeds.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "daemon/site_yaml.h"

using namespace compss;
using namespace compss::daemon;

TEST_CASE("a site compss.yaml reads as --compss key/value pairs in file order", "[daemon][site]") {
  // A flag set to false is left out (graph is not built: only `graph: true` is refused).
  auto r = read_site_config_text("# a site file\npolicy: priority\nidle: 5m\ngraph: false\ncrash-limit: 3\n",
                                 "compss.yaml");
  REQUIRE(r.ok());
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  CHECK(*r == Pairs{{"policy", "priority"}, {"idle", "5m"}, {"crash-limit", "3"}});
  auto refused = read_site_config_text("policy: fifo\ntrace: true\n", "compss.yaml");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "compss.yaml:2:8: --compss: trace is not built in this version yet: it would write "
                                   "no trace (remove it)");
}

TEST_CASE("read_site_config reads a file as read_site_config_text reads its text", "[daemon][site]") {
  char path[] = "/tmp/compss-test-site.XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  const std::string text = "max-nodes: 4\nlimits:\n  idle: 5m\n";
  std::ofstream(path) << text;
  auto from_file = read_site_config(path);
  auto from_text = read_site_config_text(text, path);
  std::remove(path);
  REQUIRE_FALSE(from_file.ok());
  REQUIRE_FALSE(from_text.ok());
  CHECK(from_file.error().message == std::string(path) + ":3:3: nested values are not allowed (keys of --compss only)");
  CHECK(from_text.error().message == from_file.error().message);
}

TEST_CASE("compss.yaml refuses what --compss could not take back as one key each", "[daemon][site]") {
  struct Row { const char* text; const char* message; };
  for (auto r : {
           // Each was accepted: the duplicate failed later in --compss without naming the file; the others
           // reached --compss as a different list of keys (an empty one, two, or a trimmed one).
           Row{"elastic: auto\nelastic: auto\n", "compss.yaml:2:10: key 'elastic' given twice"},
           Row{"trace: false\ntrace: true\n", "compss.yaml:2:8: key 'trace' given twice"},
           Row{"?\n", "compss.yaml:2:1: '' is not one --compss key and value (a --compss key, then a value "
                      "without ',' and without spaces around it)"},
           Row{"idle: 60s, trace\n", "compss.yaml:1:7: 'idle=60s, trace' is not one --compss key and value (a "
                                     "--compss key, then a value without ',' and without spaces around it)"},
           Row{"idle=5: true\n", "compss.yaml:1:9: 'idle=5' is not one --compss key and value (a --compss key, "
                                 "then a value without ',' and without spaces around it)"},
           Row{"resume: ' /x'\n", "compss.yaml:1:9: 'resume= /x' is not one --compss key and value (a --compss "
                                  "key, then a value without ',' and without spaces around it)"},
           // An alias left its key without a value: min-nodes was dropped without a word.
           Row{"max-nodes: &n 4\nmin-nodes: *n\n",
               "compss.yaml:2:12: aliases (*name) are not allowed (keys of --compss only)"},
       }) {
    INFO(r.text);
    auto pairs = read_site_config_text(r.text, "compss.yaml");
    REQUIRE_FALSE(pairs.ok());
    CHECK(pairs.error().message == r.message);
  }
}
