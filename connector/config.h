// config.h - the site's knobs for the connector, and their parser.
//
// From a comma-separated key=value list (the site config or --compss passes it through):
//   rpc-burst=20         tokens in the bucket (burst of calls allowed at once)
//   rpc-rate=2           tokens gained a second (may be fractional: 0.5)
//   retry-first=200ms    first wait after a transient error ("ms" or any parse_duration form: 1s, 2m)
//   retry-max=5s         longest single wait
//   retry-factor=2       growth of the wait
//   retry-deadline=30s   give up on a call after this long
//   retry-jitter=0.2     fraction of a wait taken off at random (0 for none)
//   helper-prefix=compss-grow-   name prefix of helper jobs (followed by the job id)
//
// Failure behaviour: an unknown key or a bad value is an error naming both; the config is unchanged.
// Thread-safety: pure functions, plain values.
#pragma once

#include <string>
#include <string_view>

#include "common/util/result.h"
#include "connector/backoff.h"
#include "connector/rpc_budget.h"

namespace compss::connector {

struct ConnectorConfig {
  BudgetConfig budget;
  BackoffConfig retry;
  std::string helper_prefix = "compss-grow-";
};

// Applies the keys of `kv` on top of `base`.
Result<ConnectorConfig> parse_connector_config(std::string_view kv, ConnectorConfig base = {});

}  // namespace compss::connector
