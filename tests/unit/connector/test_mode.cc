#include <catch2/catch.hpp>

#include "connector/mode.h"

using namespace compss::connector;

namespace {

ConfStrings good() {
  ConfStrings c;
  c.version = "22.05.8";
  c.cluster_name = "lab";
  c.scheduler_parameters = "bf_interval=30,permit_job_expansion";
  c.accounting_storage_type = "accounting_storage/slurmdbd";
  c.task_plugin = "task/none";
  return c;
}

}  // namespace

TEST_CASE("merge is chosen when expansion, slurmdbd and a safe task plugin are all there", "[connector][mode]") {
  auto f = facts_from_conf(good());
  CHECK(f.mode == GrowMode::kMerge);
  CHECK(f.permit_job_expansion);
  CHECK(f.mode_reason == "merge available: permit_job_expansion, accounting_storage/slurmdbd and task/none");
  auto c = choose_mode(f, ElasticRequest::kAuto);
  REQUIRE(c.ok());
  CHECK(c->mode == GrowMode::kMerge);
}

TEST_CASE("without permit_job_expansion the connector uses helper jobs and says why", "[connector][mode]") {
  auto conf = good();
  conf.scheduler_parameters = "bf_interval=30";
  auto f = facts_from_conf(conf);
  CHECK(f.mode == GrowMode::kHelper);
  CHECK_FALSE(f.permit_job_expansion);
  CHECK(f.mode_reason == "merge unavailable: SchedulerParameters lacks permit_job_expansion; using helper jobs");
}

TEST_CASE("accounting other than slurmdbd blocks merging", "[connector][mode]") {
  auto conf = good();
  conf.accounting_storage_type = "accounting_storage/none";
  auto f = facts_from_conf(conf);
  CHECK(f.mode == GrowMode::kHelper);
  CHECK(f.mode_reason ==
        "merge unavailable: AccountingStorageType is accounting_storage/none, not accounting_storage/slurmdbd; "
        "using helper jobs");
}

TEST_CASE("task/affinity anywhere in TaskPlugin blocks merging", "[connector][mode]") {
  auto conf = good();
  conf.task_plugin = "task/cgroup,task/affinity";
  auto f = facts_from_conf(conf);
  CHECK(f.mode == GrowMode::kHelper);
  CHECK_THAT(f.mode_reason, Catch::Contains("TaskPlugin includes task/affinity"));
  conf.task_plugin = "task/cgroup";
  CHECK(facts_from_conf(conf).mode == GrowMode::kMerge);
}

TEST_CASE("every failed condition is listed in the reason", "[connector][mode]") {
  ConfStrings conf;  // nothing configured
  conf.task_plugin = "task/affinity";
  auto f = facts_from_conf(conf);
  CHECK_THAT(f.mode_reason, Catch::StartsWith("merge unavailable: SchedulerParameters lacks permit_job_expansion; "
                                              "AccountingStorageType is unset"));
  CHECK_THAT(f.mode_reason, Catch::EndsWith("; using helper jobs"));
}

TEST_CASE("elastic=merge on a site that cannot merge is an error naming the blocker", "[connector][mode]") {
  auto conf = good();
  conf.accounting_storage_type = "accounting_storage/none";
  auto f = facts_from_conf(conf);
  auto c = choose_mode(f, ElasticRequest::kMerge);
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().message ==
        "elastic=merge cannot be honoured on cluster 'lab': merge unavailable: AccountingStorageType is "
        "accounting_storage/none, not accounting_storage/slurmdbd (ask the site to change slurm.conf, or use "
        "elastic=auto or elastic=helper)");
  CHECK(c.error().message == compss::check_merge(merge_conf(conf)).error().message);  // the plugin's rule too
  auto auto_choice = choose_mode(f, ElasticRequest::kAuto);
  REQUIRE(auto_choice.ok());
  CHECK(auto_choice->mode == GrowMode::kHelper);
}

TEST_CASE("elastic=helper is honoured even where merging works", "[connector][mode]") {
  auto c = choose_mode(facts_from_conf(good()), ElasticRequest::kHelper);
  REQUIRE(c.ok());
  CHECK(c->mode == GrowMode::kHelper);
  CHECK(c->reason == "helper jobs, as asked (elastic=helper)");
}

TEST_CASE("elastic requests parse from their words", "[connector][mode]") {
  CHECK(*parse_elastic_request("auto") == ElasticRequest::kAuto);
  CHECK(*parse_elastic_request("merge") == ElasticRequest::kMerge);
  CHECK(*parse_elastic_request("helper") == ElasticRequest::kHelper);
  auto bad = parse_elastic_request("grow");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message == "bad elastic mode 'grow': expected auto, merge or helper");
}

TEST_CASE("a job that shares a node is grown with helper jobs, never merged into", "[connector][mode]") {
  JobFacts job;
  job.alloc = {NodeAlloc{"n1", "1", 1, 0}, NodeAlloc{"n2", "0-1", 2, 0}};
  const std::vector<NodeFacts> nodes{{"n1", 2, {"debug"}}, {"n2", 2, {"debug"}}};
  const std::string shared = shared_node(job, nodes);
  CHECK(shared == "n1 (1 of its 2 CPUs)");
  JobFacts whole;
  whole.alloc = {NodeAlloc{"n1", "0-1", 2, 0}};
  CHECK(shared_node(whole, nodes).empty());
  CHECK(shared_node(JobFacts{}, nodes).empty());  // SLURM did not say: nothing to go on

  const ModeChoice merge{GrowMode::kMerge, "merge available"};
  auto automatic = choose_mode_for_job(merge, ElasticRequest::kAuto, shared);
  REQUIRE(automatic.ok());
  CHECK(automatic->mode == GrowMode::kHelper);
  CHECK(automatic->reason.find("shares node n1 (1 of its 2 CPUs)") != std::string::npos);
  auto asked = choose_mode_for_job(merge, ElasticRequest::kMerge, shared);
  REQUIRE_FALSE(asked.ok());
  CHECK(asked.error().message.find("elastic=merge cannot be honoured") != std::string::npos);
  CHECK(asked.error().message.find("--exclusive") != std::string::npos);
  auto unshared = choose_mode_for_job(merge, ElasticRequest::kAuto, "");
  REQUIRE(unshared.ok());
  CHECK(unshared->mode == GrowMode::kMerge);
  auto helper = choose_mode_for_job(ModeChoice{GrowMode::kHelper, "asked"}, ElasticRequest::kHelper, shared);
  REQUIRE(helper.ok());
  CHECK(helper->reason == "asked");
}

TEST_CASE("a step's runtime is grown with helper jobs: merged nodes would be the other steps' too",
          "[connector][mode]") {
  const ModeChoice merge{GrowMode::kMerge, "merge available"};
  auto automatic = choose_mode_for_step(merge, ElasticRequest::kAuto, true);
  REQUIRE(automatic.ok());
  CHECK(automatic->mode == GrowMode::kHelper);
  CHECK(automatic->reason.find("serves a step") != std::string::npos);
  auto asked = choose_mode_for_step(merge, ElasticRequest::kMerge, true);
  REQUIRE_FALSE(asked.ok());
  CHECK(asked.error().message.find("elastic=merge cannot be honoured: this runtime serves a step") == 0);
  auto batch = choose_mode_for_step(merge, ElasticRequest::kAuto, false);
  REQUIRE(batch.ok());
  CHECK(batch->mode == GrowMode::kMerge);
}
