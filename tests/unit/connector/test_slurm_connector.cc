#include <catch2/catch.hpp>

#include <cstdlib>
#include <optional>
#include <string>

#include "connector/slurm_connector.h"

using namespace compss::connector;

namespace {

// Sets SLURM_CONF for one test and puts the old value back.
struct ScopedSlurmConf {
  explicit ScopedSlurmConf(const char* value) {
    if (const char* old = std::getenv("SLURM_CONF")) old_ = old;
    setenv("SLURM_CONF", value, 1);
  }
  ~ScopedSlurmConf() {
    if (old_) setenv("SLURM_CONF", old_->c_str(), 1);
    else unsetenv("SLURM_CONF");
  }
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("the real connector refuses to start without a SLURM configuration instead of exiting",
          "[connector][slurm]") {
  ScopedSlurmConf conf("/nonexistent/slurm.conf");
  auto c = SlurmConnector::create({});
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().message ==
        "cannot talk to SLURM: SLURM_CONF names '/nonexistent/slurm.conf', which is not a readable file");
}

TEST_CASE("the real connector refuses a budget that cannot work before touching SLURM", "[connector][slurm]") {
  ConnectorConfig config;
  config.budget.refill_per_s = 0;
  auto c = SlurmConnector::create(config);
  REQUIRE_FALSE(c.ok());
  CHECK_THAT(c.error().message, Catch::Contains("refill rate"));
}
