#include "connector/config.h"

#include <charconv>

#include "common/util/parse.h"

namespace compss::connector {

namespace {

Result<double> parse_number(std::string_view key, std::string_view v) {
  double d = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size())
    return fail("bad ", key, " '", v, "': expected a number such as 2 or 0.5");
  return d;
}

// "250ms", or anything parse_duration takes ("2", "2s", "1m").
Result<Clock::Duration> parse_wait(std::string_view key, std::string_view v) {
  if (v.size() > 2 && v.substr(v.size() - 2) == "ms") {
    auto n = parse_uint(v.substr(0, v.size() - 2), key);
    if (!n) return n.error();
    return std::chrono::duration_cast<Clock::Duration>(std::chrono::milliseconds(*n));
  }
  auto s = parse_duration(v);
  if (!s) return fail("bad ", key, " '", v, "': expected a duration such as 200ms, 5s or 1m");
  return std::chrono::duration_cast<Clock::Duration>(std::chrono::seconds(*s));
}

Status apply(ConnectorConfig& c, std::string_view key, std::string_view v) {
  auto number = [&](double& out) -> Status {
    auto d = parse_number(key, v);
    if (!d) return d.error();
    out = *d;
    return ok_status();
  };
  auto wait = [&](Clock::Duration& out) -> Status {
    auto d = parse_wait(key, v);
    if (!d) return d.error();
    out = *d;
    return ok_status();
  };
  if (key == "rpc-burst") return number(c.budget.capacity);
  if (key == "rpc-rate") return number(c.budget.refill_per_s);
  if (key == "retry-factor") return number(c.retry.factor);
  if (key == "retry-jitter") return number(c.retry.jitter);
  if (key == "retry-first") return wait(c.retry.initial);
  if (key == "retry-max") return wait(c.retry.max);
  if (key == "retry-deadline") return wait(c.retry.deadline);
  if (key == "helper-prefix") {
    if (v.empty()) return fail("bad helper-prefix: it may not be empty");
    c.helper_prefix = std::string(v);
    return ok_status();
  }
  return fail("unknown connector setting '", key,
              "': known are rpc-burst, rpc-rate, retry-first, retry-max, retry-factor, retry-deadline, "
              "retry-jitter, helper-prefix");
}

}  // namespace

Result<ConnectorConfig> parse_connector_config(std::string_view kv, ConnectorConfig base) {
  auto pairs = parse_kv_list(kv);
  if (!pairs) return pairs.error();
  for (const auto& [key, value] : *pairs)
    if (Status st = apply(base, key, value); !st) return st.error();
  if (Status st = check_budget(base.budget); !st) return st.error();
  if (Status st = check_backoff(base.retry); !st) return st.error();
  return base;
}

}  // namespace compss::connector
