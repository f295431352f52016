#include <catch2/catch.hpp>

#include <type_traits>
#include <unordered_set>

#include "common/util/ids.h"

using compss::NodeId;
using compss::TaskId;

TEST_CASE("ids default to none and compare by value", "[util]") {
  TaskId none;
  CHECK_FALSE(none.valid());
  CHECK(none.str() == "none");
  TaskId a{3}, b{3}, c{4};
  CHECK(a == b);
  CHECK(a < c);
  CHECK(a.str() == "3");
}

TEST_CASE("ids of different kinds do not mix", "[util]") {
  STATIC_REQUIRE_FALSE(std::is_convertible_v<TaskId, NodeId>);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<std::uint32_t, TaskId>);
  std::unordered_set<TaskId> set{TaskId{1}, TaskId{2}, TaskId{1}};
  CHECK(set.size() == 2);
}
