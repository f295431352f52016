#include <catch2/catch.hpp>

#include "spank-plugin/plugstack_args.h"

using namespace compss::spank;

TEST_CASE("without plugstack arguments the site defaults hold", "[spank][site]") {
  auto p = parse_plugstack_args({}, "/usr/local/bin/compssd");
  CHECK(p.errors.empty());
  CHECK(p.config.compssd == "/usr/local/bin/compssd");
  CHECK(p.config.max_nodes == 0);
  CHECK(p.config.jobdir_root.empty());
  CHECK(p.config.config_file.empty());
  CHECK(p.config.ready_timeout_s == 120);
  CHECK(p.config.restarts == 20);
}

TEST_CASE("every plugstack argument is read", "[spank][site]") {
  auto p = parse_plugstack_args({"compssd=/opt/c/bin/compssd", "max_nodes=16", "jobdir=/scratch/compss",
                            "config=/etc/slurm-compss/compss.yaml", "ready_timeout=30", "finish_timeout=2h",
                                 "restarts=0"},
                           "/usr/local/bin/compssd");
  CHECK(p.errors.empty());
  CHECK(p.config.compssd == "/opt/c/bin/compssd");
  CHECK(p.config.max_nodes == 16);
  CHECK(p.config.jobdir_root == "/scratch/compss");
  CHECK(p.config.config_file == "/etc/slurm-compss/compss.yaml");
  CHECK(p.config.ready_timeout_s == 30);
  CHECK(p.config.finish_timeout_s == 7200);
  CHECK(p.config.restarts == 0);
}

TEST_CASE("an unknown plugstack argument is an error line and the others still apply", "[spank][site]") {
  auto p = parse_plugstack_args({"max_node=4", "max_nodes=8"}, "/b/compssd");
  REQUIRE(p.errors.size() == 1);
  CHECK(p.errors[0].find("unknown plugstack argument 'max_node=4'") != std::string::npos);
  CHECK(p.errors[0].find("max_nodes") != std::string::npos);
  CHECK(p.config.max_nodes == 8);
}

TEST_CASE("a bad plugstack value keeps the default and says what is accepted", "[spank][site]") {
  auto p = parse_plugstack_args({"max_nodes=lots", "compssd=bin/compssd", "ready_timeout=0", "restarts=-1"}, "/b/compssd");
  REQUIRE(p.errors.size() == 4);
  CHECK(p.errors[3].find("restarts") != std::string::npos);
  CHECK(p.config.restarts == 20);
  CHECK(p.errors[1].find("absolute path") != std::string::npos);
  CHECK(p.errors[2].find("ready_timeout") != std::string::npos);
  CHECK(p.config.max_nodes == 0);
  CHECK(p.config.compssd == "/b/compssd");
  CHECK(p.config.ready_timeout_s == 120);
}
