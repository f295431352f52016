#include "tools/cli/values.h"

#include <limits>
#include <string>

#include "common/util/parse.h"

namespace compss::cli {

namespace {

Error with_option(std::string_view what, const Error& e) {
  return fail(what, ": ", e.message);
}

}  // namespace

Result<client::IdRange> parse_id_range(std::string_view s, std::string_view what) {
  auto bad = [&](std::string_view why) {
    return fail("bad ", what, " '", s, "': ", why, " (a task id such as 12, or a range such as 12-20)");
  };
  auto dash = s.find('-');
  std::string_view first = s.substr(0, dash);
  std::string_view last = dash == std::string_view::npos ? s : s.substr(dash + 1);
  auto f = parse_uint(first, "task id");
  auto l = parse_uint(last, "task id");
  if (!f || !l) return bad("expected whole numbers");
  if (*f > *l) return bad("the first id is above the last");
  return client::IdRange{*f, *l};
}

Result<client::ArraySpec> parse_array(std::string_view s, std::string_view what) {
  auto bad = [&](std::string_view why) {
    return fail("bad ", what, " '", s, "': ", why, " (FIRST-LAST[:STEP], e.g. 1-1000 or 0-99:10)");
  };
  auto colon = s.find(':');
  std::string_view range = s.substr(0, colon);
  client::ArraySpec a;
  if (colon != std::string_view::npos) {
    auto step = parse_uint(s.substr(colon + 1), "step", 1);
    if (!step) return bad("STEP must be a whole number of at least 1");
    a.step = *step;
  }
  auto dash = range.find('-');
  auto first = parse_uint(range.substr(0, dash), "first");
  auto last = parse_uint(dash == std::string_view::npos ? range : range.substr(dash + 1), "last");
  if (!first || !last) return bad("FIRST and LAST must be whole numbers");
  if (*first > *last) return bad("FIRST must not be above LAST");
  a.first = *first;
  a.last = *last;
  if ((a.last - a.first) / a.step + 1 > kMaxArrayIndices) return bad("more than 16777216 indices");
  return a;
}

Result<std::int32_t> parse_int32(std::string_view s, std::string_view what) {
  bool negative = !s.empty() && s.front() == '-';
  std::uint64_t limit = negative ? std::uint64_t{1} << 31 : std::numeric_limits<std::int32_t>::max();
  auto magnitude = parse_uint(negative ? s.substr(1) : s, what, 0, limit);
  if (!magnitude) return fail("bad ", what, " '", s, "': expected a whole number between -2147483648 and 2147483647");
  return static_cast<std::int32_t>(negative ? -static_cast<std::int64_t>(*magnitude)
                                            : static_cast<std::int64_t>(*magnitude));
}

Result<client::Amount> parse_amount(std::string_view s, std::string_view what) {
  auto eq = s.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return fail("bad ", what, " '", s, "': expected NAME=AMOUNT, e.g. license=2");
  auto amount = parse_uint(s.substr(eq + 1), "amount");
  if (!amount) return with_option(what, amount.error());
  return client::Amount{std::string(s.substr(0, eq)), *amount};
}

Result<client::OnFailure> parse_on_failure(std::string_view s, std::string_view what) {
  auto p = client::on_failure_from_string(s);
  if (!p) return fail("bad ", what, " '", s, "': expected retry, cancel-successors, fail or ignore");
  return *p;
}

}  // namespace compss::cli
