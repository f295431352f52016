#include <catch2/catch.hpp>

#include "common/util/runtime_options.h"

using namespace compss;

TEST_CASE("plain --compss gives the defaults (policy priority: submission order among equal priorities)", "[util][options]") {
  auto o = parse_runtime_options("");
  REQUIRE(o.ok());
  CHECK_FALSE(o->max_nodes);
  CHECK_FALSE(o->min_nodes);
  CHECK(o->elastic == ElasticMode::kAuto);
  CHECK(o->policy == PolicyName::kPriority);
}

TEST_CASE("every key is parsed", "[util][options]") {
  auto o = parse_runtime_options(
      "max-nodes=8,min-nodes=2,elastic=merge,idle=1m,policy=critical-path,resume=/r/1,config=site.yaml,"
      "crash-limit=2");
  REQUIRE(o.ok());
  CHECK(*o->max_nodes == 8);
  CHECK(*o->min_nodes == 2);
  CHECK(o->elastic == ElasticMode::kMerge);
  CHECK(*o->idle_s == 60);
  CHECK(o->policy == PolicyName::kCriticalPath);
  CHECK(o->resume_dir == "/r/1");
  CHECK(o->config_file == "site.yaml");
  CHECK(*o->crash_limit == 2);
  CHECK(parse_runtime_options(to_string(*o)).value() == *o);
}

TEST_CASE("bad --compss values name the key and what is accepted", "[util][options]") {
  struct Row { const char* in; const char* message; };
  for (auto r : {
           Row{"max-node=4", "--compss: unknown key 'max-node' (known: max-nodes, min-nodes, elastic, idle, policy, "
                             "resume, trace, graph, config, crash-limit)"},
           Row{"crash-limit=101", "--compss: bad crash-limit '101': must be between 0 and 100"},
           Row{"max-nodes=four", "--compss: bad max-nodes 'four': expected a whole number"},
           Row{"max-nodes=0", "--compss: bad max-nodes '0': must be between 1 and 100000"},
           Row{"max-nodes", "--compss: max-nodes needs a value (e.g. max-nodes=4)"},
           Row{"min-nodes=8,max-nodes=4", "--compss: min-nodes=8 is larger than max-nodes=4"},
           Row{"elastic=grow", "--compss: bad elastic 'grow' (accepted: auto|merge|helper|off)"},
           Row{"policy=lifo", "--compss: bad policy 'lifo' (accepted: fifo|priority|critical-path)"},
           // Known, not built: refused rather than accepted without effect.
           Row{"policy=locality",
               "--compss: policy=locality is not built in this version yet (accepted: fifo|priority|critical-path)"},
           Row{"trace", "--compss: trace is not built in this version yet: it would write no trace (remove it)"},
           Row{"max-nodes=2,graph",
               "--compss: graph is not built in this version yet: it would write no task graph (remove it)"},
           Row{"idle=soon", "--compss: idle: bad duration 'soon': expected seconds (90), a unit (90s, 5m, 2h, 1d, "
                            "1h30m) or [D-]HH:MM:SS"},
           Row{"trace=yes", "--compss: trace takes no value (write just 'trace')"},
           Row{"idle=5,idle=6", "--compss: key 'idle' given twice"},
           Row{"elastic=off,min-nodes=1,max-nodes=2",
               "--compss: elastic=off cannot grow or shrink, but min-nodes and max-nodes differ"},
       }) {
    INFO(r.in);
    auto o = parse_runtime_options(r.in);
    REQUIRE_FALSE(o.ok());
    CHECK(o.error().message == r.message);
  }
}

TEST_CASE("the canonical form parses back to the same options", "[util][options]") {
  auto o = parse_runtime_options("idle=30,max-nodes=4,crash-limit=3,policy=priority,elastic=helper");
  REQUIRE(o.ok());
  std::string s = to_string(*o);
  CHECK(s == "max-nodes=4,elastic=helper,idle=30,policy=priority,crash-limit=3");
  auto again = parse_runtime_options(s);
  REQUIRE(again.ok());
  CHECK(to_string(*again) == s);
  // Keys not given are not written: a site's compss.yaml may still set them.
  auto few = parse_runtime_options("max-nodes=2");
  REQUIRE(few.ok());
  CHECK(to_string(*few) == "max-nodes=2");
  CHECK(few->elastic == ElasticMode::kAuto);
  CHECK(few->policy == PolicyName::kPriority);
}
