// The command lines of compss wait, status, cancel and explain.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tools/cli/command_options.h"

using namespace compss::cli;
using compss::client::IdRange;
using Args = std::vector<std::string>;

TEST_CASE("wait takes ids and ranges, a group, or nothing for every task", "[cli][wait]") {
  auto ids = parse_wait({"12", "20-29", "--timeout", "1h"});
  REQUIRE(ids);
  CHECK(ids->what.ids == std::vector<IdRange>{{12, 12}, {20, 29}});
  CHECK_FALSE(ids->what.all);
  CHECK(ids->timeout_s == 3600);

  auto group = parse_wait({"--group", "members"});
  REQUIRE(group);
  CHECK(group->what.group == "members");
  CHECK(group->what.ids.empty());

  for (const Args& args : {Args{}, Args{"--all"}, Args{"--all", "--json"}}) {
    auto all = parse_wait(args);
    REQUIRE(all);
    CHECK(all->what.all);
  }
}

TEST_CASE("wait refuses two selectors, bad ids and bad timeouts", "[cli][wait]") {
  const std::vector<std::pair<Args, std::string>> rows = {
      {{"1", "--group", "g"}, "give task ids, --group or --all, not several"},
      {{"--all", "--group", "g"}, "give task ids, --group or --all, not several"},
      {{"twelve"}, "bad task id 'twelve': expected whole numbers"},
      {{"9-3"}, "bad task id '9-3': the first id is above the last"},
      {{"--timeout", "0"}, "bad --timeout '0': must be between 1 second"},
      {{"--timeout", "later"}, "--timeout: bad duration 'later'"},
      {{"--group", ""}, "bad --group: it may not be empty"},
      {{"--groups", "g"}, "unrecognised option '--groups'"},
  };
  for (const auto& [args, message] : rows) {
    INFO(args.front());
    auto got = parse_wait(args);
    REQUIRE_FALSE(got);
    CHECK_THAT(got.error().message, Catch::Contains(message));
  }
}

TEST_CASE("cancel needs ids or a group; there is no cancel-everything", "[cli][cancel]") {
  auto ids = parse_cancel({"4", "6-7"});
  REQUIRE(ids);
  CHECK(ids->what.ids == std::vector<IdRange>{{4, 4}, {6, 7}});
  auto group = parse_cancel({"--group", "members", "--json"});
  REQUIRE(group);
  CHECK(group->what.group == "members");
  CHECK(group->json);

  auto none = parse_cancel({});
  REQUIRE_FALSE(none);
  CHECK_THAT(none.error().message, Catch::Contains("nothing to cancel: give task ids or --group G"));
  auto all = parse_cancel({"--all"});
  REQUIRE_FALSE(all);
  CHECK_THAT(all.error().message, Catch::Contains("unrecognised option '--all'"));
  auto both = parse_cancel({"3", "--group", "g"});
  REQUIRE_FALSE(both);
  CHECK_THAT(both.error().message, Catch::Contains("give task ids or --group, not both"));
}

TEST_CASE("explain takes exactly one task id; status takes no arguments", "[cli][explain][status]") {
  auto e = parse_explain({"12"});
  REQUIRE(e);
  CHECK(e->id == 12);
  for (const Args& bad : {Args{}, Args{"1", "2"}, Args{"1-2"}}) {
    auto got = parse_explain(bad);
    REQUIRE_FALSE(got);
  }
  CHECK_THAT(parse_explain({}).error().message, Catch::Contains("give exactly one task id"));
  CHECK_THAT(parse_explain({"x"}).error().message, Catch::Contains("bad task id 'x'"));

  auto s = parse_status({"--json"});
  REQUIRE(s);
  CHECK(s->json);
  auto extra = parse_status({"now"});
  REQUIRE_FALSE(extra);
  CHECK_THAT(extra.error().message, Catch::Contains("unexpected argument 'now'"));
}
