#include <catch2/catch.hpp>

#include "spank-plugin/submit_check.h"

using namespace compss;
using namespace compss::spank;

namespace {
PlugstackArgs site(std::uint32_t max_nodes) {
  PlugstackArgs s;
  s.max_nodes = max_nodes;
  return s;
}
ControllerFacts elastic_cluster() {
  return {true, {"lab", "bf_interval=30,permit_job_expansion", "accounting_storage/slurmdbd", "task/none"}};
}
}  // namespace

TEST_CASE("a value the parser refuses is refused with the parser's message", "[spank][check]") {
  auto r = check_submission("max-node=4", site(0), {});
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("unknown key 'max-node'") != std::string::npos);
  CHECK(r.error().message.find("known: max-nodes") != std::string::npos);
}

TEST_CASE("max-nodes above the site limit is refused naming the limit", "[spank][check]") {
  auto r = check_submission("max-nodes=32", site(16), {});
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "--compss: max-nodes=32 is above this site's limit of 16 nodes (accepted: 1..16)");
  CHECK(check_submission("max-nodes=16", site(16), {}).ok());
  CHECK_FALSE(check_submission("min-nodes=17", site(16), {}).ok());
}

TEST_CASE("the site's max_nodes is the default when the user gives none", "[spank][check]") {
  auto r = check_submission("", site(16), {});
  REQUIRE(r);
  CHECK(*r->max_nodes == 16);
  auto unlimited = check_submission("", site(0), {});
  REQUIRE(unlimited);
  CHECK_FALSE(unlimited->max_nodes);
}

TEST_CASE("what the plugin hands compssd names only the keys given, so the site's compss.yaml applies",
          "[spank][check]") {
  auto r = check_submission("idle=30", site(16), {});
  REQUIRE(r);
  const std::string passed = to_string(*r);
  CHECK(passed.find("policy") == std::string::npos);
  CHECK(passed.find("elastic") == std::string::npos);
  auto asked = check_submission("policy=priority,elastic=helper", site(16), {});
  REQUIRE(asked);
  CHECK(to_string(*asked).find("elastic=helper") != std::string::npos);
  CHECK(to_string(*asked).find("policy=priority") != std::string::npos);
}

TEST_CASE("min-nodes above the site's default max-nodes is refused", "[spank][check]") {
  auto r = check_submission("min-nodes=4", site(2), {});
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("min-nodes=4") != std::string::npos);
}

TEST_CASE("elastic=merge is refused when slurmctld lacks permit_job_expansion", "[spank][check]") {
  ControllerFacts no_expansion = elastic_cluster();
  no_expansion.conf.scheduler_parameters = "bf_interval=30";
  auto r = check_submission("elastic=merge", site(0), no_expansion);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("SchedulerParameters lacks permit_job_expansion") != std::string::npos);
  CHECK(r.error().message.find("use elastic=auto or elastic=helper") != std::string::npos);
  CHECK(check_submission("elastic=helper", site(0), no_expansion).ok());
  CHECK(check_submission("elastic=merge", site(0), elastic_cluster()).ok());
}

TEST_CASE("elastic=merge is refused without slurmdbd accounting", "[spank][check]") {
  ControllerFacts no_dbd = elastic_cluster();
  no_dbd.conf.accounting_storage_type = "accounting_storage/none";
  auto r = check_submission("elastic=merge", site(0), no_dbd);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("AccountingStorageType is accounting_storage/none, not accounting_storage/slurmdbd") !=
        std::string::npos);
}

TEST_CASE("elastic=merge is refused under TaskPlugin=task/affinity with compssd's own message", "[spank][check]") {
  ControllerFacts affinity = elastic_cluster();
  affinity.conf.task_plugin = "task/affinity,task/cgroup";
  auto r = check_submission("elastic=merge", site(0), affinity);
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "--compss: elastic=merge cannot be honoured on cluster 'lab': merge unavailable: TaskPlugin includes "
        "task/affinity, which cannot start tasks on merged nodes (ask the site to change slurm.conf, or use "
        "elastic=auto or elastic=helper)");
  CHECK(r.error().message == "--compss: " + check_merge(affinity.conf).error().message);
  CHECK(check_submission("elastic=auto", site(0), affinity).ok());
}

TEST_CASE("when the controller did not answer, merge is left to the runtime to check", "[spank][check]") {
  CHECK(check_submission("elastic=merge", site(0), ControllerFacts{}).ok());
}

TEST_CASE("the site config file is handed on unless the user names one", "[spank][check]") {
  PlugstackArgs s;
  s.config_file = "/etc/slurm-compss/compss.yaml";
  CHECK(check_submission("", s, {})->config_file == "/etc/slurm-compss/compss.yaml");
  CHECK(check_submission("config=mine.yaml", s, {})->config_file == "mine.yaml");
}

