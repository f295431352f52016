// connector_drive - runs the connector's grow/merge/shrink/withdraw sequences against real SLURM.
//
// Run inside a job that holds one node exclusively, with `--others` more nodes idle:
//   connector_drive merge|helper [--others N] [--job ID] [--config k=v,...]
// Or, against any running job, load it every 200 ms for S seconds (while a test stops and restarts
// slurmctld) and print how long each call took:
//   connector_drive outage --job ID [--seconds S] [--config k=v,...]
// The job id defaults to $SLURM_JOB_ID. Prints one line per step with its time in ms, then the RPC
// counts, then "result PASS" (exit 0) or "result FAIL: ..." (exit 1); exit 2 for bad usage.
// Used by tests/integration/connector-merge.test and connector-helper.test.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "common/util/log.h"
#include "common/util/parse.h"
#include "connector/slurm_connector.h"
#include "tests/unit/connector/scenario.h"

using namespace compss;
using namespace compss::connector;

namespace {

int usage(const std::string& why) {
  std::cerr << "connector_drive: " << why << "\n"
            << "usage: connector_drive merge|helper|outage [--others N] [--job ID] [--seconds S] [--config k=v,...]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  log::init("connector_drive", log::Level::kInfo);
  if (argc < 2) return usage("which sequence?");
  std::string which = argv[1];
  if (which != "merge" && which != "helper" && which != "outage") return usage("unknown sequence '" + which + "'");
  std::string job_text = std::getenv("SLURM_JOB_ID") ? std::getenv("SLURM_JOB_ID") : "";
  std::string others_text = "3", seconds_text = "20", config_text;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--others") others_text = v;
    else if (k == "--job") job_text = v;
    else if (k == "--config") config_text = v;
    else if (k == "--seconds") seconds_text = v;
    else return usage("unknown option '" + k + "'");
  }
  auto job = parse_uint(job_text, "job id", 1, 0xfffffffdu);
  if (!job) return usage(job.error().message + " (run inside a job or pass --job)");
  auto others = parse_uint(others_text, "--others", 1, 1000);
  if (!others) return usage(others.error().message);
  auto seconds = parse_uint(seconds_text, "--seconds", 1, 600);
  if (!seconds) return usage(seconds.error().message);
  auto config = parse_connector_config(config_text);
  if (!config) return usage(config.error().message);
  config->retry.seed = *job;

  auto c = SlurmConnector::create(*config);
  if (!c) {
    std::cout << "result FAIL: " << c.error().message << std::endl;
    return 1;
  }
  SteadyClock clock;
  auto print = [](const std::string& line) { std::cout << line << std::endl; };
  scenario::Context ctx{**c,  SlurmJobId(static_cast<std::uint32_t>(*job)), static_cast<int>(*others), clock,
                        std::chrono::milliseconds(200), std::chrono::seconds(30), print};
  Status st = which == "merge"    ? scenario::merge_sequence(ctx)
              : which == "helper" ? scenario::helper_sequence(ctx)
                                  : scenario::outage_sequence(ctx, std::chrono::seconds(*seconds));
  std::cout << (*c)->stats().summary() << std::endl;
  if (!st) {
    std::cout << "result FAIL: " << st.error().message << std::endl;
    return 1;
  }
  std::cout << "result PASS" << std::endl;
  return 0;
}
