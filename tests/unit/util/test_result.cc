#include <catch2/catch.hpp>

#include "common/util/result.h"

using compss::Error;
using compss::Result;
using compss::Status;

namespace {
Result<int> half(int v) {
  if (v % 2) return compss::fail("cannot halve ", std::to_string(v), ": it is odd");
  return v / 2;
}
}  // namespace

TEST_CASE("a result holds either a value or an error", "[util]") {
  auto good = half(8);
  REQUIRE(good.ok());
  CHECK(*good == 4);
  auto bad = half(7);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "cannot halve 7: it is odd");
  CHECK(bad.value_or(-1) == -1);
}

TEST_CASE("a status is ok by default and carries the error otherwise", "[util]") {
  Status s;
  CHECK(s.ok());
  Status f = Error{"disk full"};
  CHECK_FALSE(f.ok());
  CHECK(f.error().message == "disk full");
}

TEST_CASE("a result moves its value out", "[util]") {
  Result<std::string> r = std::string(100, 'x');
  std::string s = std::move(r).value();
  CHECK(s.size() == 100);
}
