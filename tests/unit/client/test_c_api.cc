// The C API against the fake daemon: status codes, the error buffer, results and their release.
#include <compss/client.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "tests/unit/client/fake_daemon.h"

using namespace compss;
using test::Answer;
using test::FakeDaemon;

extern "C" int c_header_submit_one(const char* address, const char* command, compss_task_id* id, char* err,
                                   size_t err_len);

TEST_CASE("a C program submits through <compss/client.h>", "[client][c-api]") {
  FakeDaemon d;
  char err[256] = "";
  compss_task_id id = 99;
  REQUIRE(c_header_submit_one(d.path().c_str(), "hostname", &id, err, sizeof err) == COMPSS_OK);
  CHECK(id == 0);
  auto msgs = d.received();
  const auto& sent = std::get<proto::Submit>(msgs.back());
  CHECK(sent.tasks.at(0).argv == std::vector<std::string>{"hostname"});
  CHECK(sent.tasks.at(0).cpus == 2);
}

TEST_CASE("the C API submits, waits and reports through status codes", "[client][c-api]") {
  FakeDaemon d;
  char err[256] = "";
  compss_client* c = nullptr;
  REQUIRE(compss_connect(d.path().c_str(), &c, err, sizeof err) == COMPSS_OK);

  const char* argv[] = {"./simulate", "{i}"};
  const char* outs[] = {"out/{i}.nc"};
  compss_task_spec specs[2];
  compss_task_spec_init(&specs[0]);
  specs[0].argv = argv;
  specs[0].argc = 2;
  specs[0].out = outs;
  specs[0].n_out = 1;
  specs[0].cwd = "/home/u";
  specs[0].has_array = 1;
  specs[0].array_first = 1;
  specs[0].array_last = 4;
  compss_task_spec_init(&specs[1]);
  specs[1].argv = argv;
  specs[1].argc = 1;
  specs[1].cwd = "/home/u";
  specs[1].on_failure = COMPSS_ON_FAILURE_IGNORE;
  compss_id_range ids[2];
  REQUIRE(compss_submit(c, specs, 2, ids, err, sizeof err) == COMPSS_OK);
  CHECK(ids[0].first == 0);
  CHECK(ids[0].last == 3);
  CHECK(ids[1].first == 4);

  auto msgs = d.received();
  const auto& sent = std::get<proto::Submit>(msgs.back());
  CHECK(sent.tasks[0].out == std::vector<std::string>{"/home/u/out/{i}.nc"});
  CHECK(sent.tasks[0].cpus == 1);      // compss_task_spec_init's defaults are the protocol's
  CHECK_FALSE(sent.tasks[0].retries);  // retries -1: the daemon's default
  CHECK(sent.tasks[1].on_failure == proto::OnFailure::kIgnore);

  compss_selector all{};
  all.all = 1;
  compss_wait_result* w = nullptr;
  REQUIRE(compss_wait(c, &all, 0, &w, err, sizeof err) == COMPSS_OK);
  REQUIRE(w);
  CHECK(w->done == 5);
  CHECK(w->n_failed == 0);
  compss_wait_result_free(w);

  compss_run_status* s = nullptr;
  REQUIRE(compss_status(c, &s, err, sizeof err) == COMPSS_OK);
  CHECK(s->running == 2);
  REQUIRE(s->n_nodes == 2);
  CHECK(std::string(s->nodes[0].name) == "n1");
  CHECK(std::string(s->nodes[0].state) == "up");
  CHECK(std::string(s->nodes[1].state) == "released");
  REQUIRE(s->n_events == 3);
  CHECK(std::string(s->events[0]) == "node n1 joined: 16 cores");  // the events' sentences
  CHECK(std::string(s->outcome) == "running");
  compss_run_status_free(s);

  compss_task_id q_ids[] = {1, 2};
  compss_task_info* q = nullptr;
  REQUIRE(compss_query(c, q_ids, 2, &q, err, sizeof err) == COMPSS_OK);
  CHECK(q[1].id == 2);
  CHECK(std::string(q[1].state) == "done");
  CHECK(q[1].has_exit_code);
  compss_task_info_free(q, 2);

  compss_explanation* e = nullptr;
  REQUIRE(compss_explain(c, 3, &e, err, sizeof err) == COMPSS_OK);
  CHECK(std::string(e->text) == "task 3 is pending: waits for 1 task");
  CHECK(e->n_items == 1);
  compss_explanation_free(e);

  compss_selector group{};
  group.group = "members";
  uint64_t n = 99;
  REQUIRE(compss_cancel(c, &group, &n, err, sizeof err) == COMPSS_OK);
  CHECK(n == 0);
  CHECK(compss_shutdown(c, 1, err, sizeof err) == COMPSS_OK);
  compss_disconnect(c);
}

TEST_CASE("the C API says which awaited tasks failed, with COMPSS_TASKS_FAILED", "[client][c-api]") {
  FakeDaemon d([](FakeDaemon& self, const proto::Message& m) -> Answer {
    if (auto* w = std::get_if<proto::Wait>(&m)) {
      proto::WaitResult r;
      r.rid = w->rid;
      r.done = 1;
      r.failed.push_back({3, "sim", "exit code 2 on n1"});
      r.cancelled.push_back({4, "merge", "predecessor 3 failed"});
      return test::reply(r);
    }
    return self.canned(m);
  });
  char err[256];
  compss_client* c = nullptr;
  REQUIRE(compss_connect(d.path().c_str(), &c, err, sizeof err) == COMPSS_OK);
  compss_task_id ids[] = {2, 3, 4};
  compss_selector sel{};
  sel.ids = ids;
  sel.n_ids = 3;
  compss_wait_result* w = nullptr;
  CHECK(compss_wait(c, &sel, 0, &w, err, sizeof err) == COMPSS_TASKS_FAILED);
  REQUIRE(w);
  REQUIRE(w->n_failed == 1);
  CHECK(w->failed[0].id == 3);
  CHECK(std::string(w->failed[0].reason) == "exit code 2 on n1");
  REQUIRE(w->n_cancelled == 1);
  CHECK(std::string(w->cancelled[0].name) == "merge");
  compss_wait_result_free(w);
  compss_disconnect(c);
}

TEST_CASE("C API errors fill the caller's buffer, truncated, and leave outputs untouched", "[client][c-api]") {
  FakeDaemon d([](FakeDaemon& self, const proto::Message& m) -> Answer {
    if (auto* s = std::get_if<proto::Submit>(&m))
      return test::reply(
          proto::ErrorMessage{s->rid, proto::ErrorCode::kInvalid, "task 0 (x): needs 4 GPUs; the largest node has 2"});
    return self.canned(m);
  });
  char err[256] = "";
  compss_client* c = nullptr;
  REQUIRE(compss_connect(d.path().c_str(), &c, err, sizeof err) == COMPSS_OK);

  const char* argv[] = {"x"};
  compss_task_spec t;
  compss_task_spec_init(&t);
  t.argv = argv;
  t.argc = 1;
  t.gpus = 4;
  compss_id_range id{77, 77};
  CHECK(compss_submit(c, &t, 1, &id, err, sizeof err) == COMPSS_REFUSED);
  CHECK(std::string(err) == "task 0 (x): needs 4 GPUs; the largest node has 2");
  CHECK(id.first == 77);

  char small[8];
  CHECK(compss_submit(c, &t, 1, &id, small, sizeof small) == COMPSS_REFUSED);
  CHECK(std::string(small) == "task 0 ");  // 7 characters and the NUL
  CHECK(compss_submit(c, &t, 1, &id, nullptr, 0) == COMPSS_REFUSED);

  compss_task_spec empty;
  compss_task_spec_init(&empty);
  CHECK(compss_submit(c, &empty, 1, &id, err, sizeof err) == COMPSS_USAGE);
  CHECK_THAT(std::string(err), Catch::Contains("no command"));

  t.n_in = 2;  // a count with no list
  CHECK(compss_submit(c, &t, 1, &id, err, sizeof err) == COMPSS_USAGE);
  CHECK_THAT(std::string(err), Catch::Contains("in is NULL"));

  compss_selector none{};
  CHECK(compss_wait(c, &none, 0, nullptr, err, sizeof err) == COMPSS_USAGE);
  CHECK(compss_status(nullptr, nullptr, err, sizeof err) == COMPSS_USAGE);
  compss_disconnect(c);
}

TEST_CASE("compss_connect with nothing to connect to names both variables", "[client][c-api]") {
  ::unsetenv("COMPSS_SOCKET");
  ::unsetenv("COMPSS_ADDRESS");
  char err[256];
  compss_client* c = reinterpret_cast<compss_client*>(0x1);
  CHECK(compss_connect(nullptr, &c, err, sizeof err) == COMPSS_UNREACHABLE);
  CHECK(c == reinterpret_cast<compss_client*>(0x1));
  CHECK_THAT(std::string(err), Catch::Contains("COMPSS_SOCKET and COMPSS_ADDRESS are unset"));
}

TEST_CASE("a connection lost under the C API is COMPSS_LOST from then on", "[client][c-api]") {
  FakeDaemon d([](FakeDaemon& self, const proto::Message& m) -> Answer {
    if (std::holds_alternative<proto::StatusQuery>(m)) return test::hang_up();
    return self.canned(m);
  });
  char err[256];
  compss_client* c = nullptr;
  REQUIRE(compss_connect(d.path().c_str(), &c, err, sizeof err) == COMPSS_OK);
  CHECK(compss_status(c, nullptr, err, sizeof err) == COMPSS_LOST);
  CHECK(compss_explain(c, 1, nullptr, err, sizeof err) == COMPSS_LOST);
  compss_disconnect(c);
}

TEST_CASE("the C API pipelines submits: compss_submit_nowait, then compss_submit_ids", "[client][c-api][pipeline]") {
  FakeDaemon d;
  char err[256] = "";
  compss_client* c = nullptr;
  REQUIRE(compss_connect(d.path().c_str(), &c, err, sizeof err) == COMPSS_OK);
  const char* argv[] = {"./member"};
  compss_task_spec spec;
  compss_task_spec_init(&spec);
  spec.argv = argv;
  spec.argc = 1;
  spec.cwd = "/home/u";
  uint64_t tickets[10];
  for (auto& t : tickets) REQUIRE(compss_submit_nowait(c, &spec, 1, &t, err, sizeof err) == COMPSS_OK);
  for (int i = 0; i < 10; ++i) {
    compss_id_range id{99, 99};
    REQUIRE(compss_submit_ids(c, tickets[i], &id, 1, err, sizeof err) == COMPSS_OK);
    CHECK(id.first == static_cast<compss_task_id>(i));
  }
  // Each ticket once; a wrong count is a usage error that says so.
  compss_id_range id;
  CHECK(compss_submit_ids(c, tickets[0], &id, 1, err, sizeof err) == COMPSS_USAGE);
  CHECK_THAT(std::string(err), Catch::Contains("handed over once"));
  uint64_t t;
  REQUIRE(compss_submit_nowait(c, &spec, 1, &t, err, sizeof err) == COMPSS_OK);
  compss_id_range two[2];
  CHECK(compss_submit_ids(c, t, two, 2, err, sizeof err) == COMPSS_USAGE);
  CHECK_THAT(std::string(err), Catch::Contains("submitted 1 spec(s), not 2"));
  CHECK(compss_submit_nowait(c, nullptr, 1, &t, err, sizeof err) == COMPSS_USAGE);
  compss_disconnect(c);
}
