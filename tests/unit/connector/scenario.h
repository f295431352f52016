// scenario.h - grow/merge/shrink/withdraw sequences run against any Connector, with checks.
//
// The same code drives the FakeConnector in the unit tests and SlurmConnector on the real cluster
// (connector_drive), so "the fake behaves like SLURM" is checked by one sequence passing on both.
// Each step is timed on the given clock and reported as one line, with the RPCs it made and how long
// the RPC budget held them back:
//   step grow1-merge 452.1 ms [4 RPCs, 0 ms budget wait]: job 811 on n[1-2] (4 cpus); helper 812 ended
// A step that finds something other than expected stops the sequence with an Error saying what.
//
// Preconditions: `job` is running on one node, exclusive, and `others` more nodes are idle.
// Thread-safety: none; one sequence at a time.
#pragma once

#include <functional>
#include <string>

#include "common/util/result.h"
#include "connector/clock.h"
#include "connector/connector.h"

namespace compss::connector::scenario {

struct Context {
  Connector& c;
  SlurmJobId job;
  int others = 3;                        // idle nodes besides the job's own
  Clock& clock;
  Clock::Duration poll_every = std::chrono::milliseconds(200);
  Clock::Duration grant_timeout = std::chrono::seconds(30);
  std::function<void(const std::string&)> out;  // receives each report line
};

// probe, job, merge grow + merge, shrink, a withdraw of an unsatisfiable request, a second grow by 2.
Status merge_sequence(Context& ctx);

// probe, job, helper grow by 2 + release.
Status helper_sequence(Context& ctx);

// Loads the job every poll_every for `length`, one step line per call ("load-7 10012.3 ms [3 RPCs ...]"),
// then a line "longest call <ms> ms"; fails at the first call that fails. Meant to run while slurmctld
// is stopped and started again: every call must come back, and within the retry deadline.
Status outage_sequence(Context& ctx, Clock::Duration length);

}  // namespace compss::connector::scenario
