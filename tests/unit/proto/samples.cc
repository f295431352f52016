// samples.cc - see samples.h.
#include "tests/unit/proto/samples.h"

#include <algorithm>

namespace compss::proto::test {

TaskSpec full_task_spec() {
  TaskSpec t;
  t.name = "member";
  t.argv = {"./simulate", "--member", "{i}"};
  t.cwd = "/home/u/run";
  t.env = {"OMP_PROC_BIND=true", "EMPTY="};
  t.in = {"in/a.nc"};
  t.out = {"out/{i}.nc"};
  t.inout = {"state.db"};
  t.after = {3, 4, 1ull << 40};
  t.cpus = 8;
  t.memory = 4ull << 30;
  t.gpus = 2;
  t.nodes = 2;
  t.ranks = 16;
  t.ranks_per_node = 8;
  t.mpi = true;
  t.custom = {{"licence", 1}, {"scratch", 500}};
  t.time_limit_s = 3600;
  t.on_failure = OnFailure::kCancelSuccessors;
  t.retries = 0;  // present and zero is not the same as absent
  t.timeout_s = 7200;
  t.priority = -5;
  t.group = "ensemble";
  t.array = ArraySpec{1, 64, 3};
  t.exported = {"MODULEPATH=/opt/modules", "EMPTY="};
  t.export_all = true;
  t.env_unset = {"GONE"};
  return t;
}

std::vector<Message> full_samples() {
  TaskSpec plain;
  plain.argv = {"true"};
  plain.cwd = "/";
  return {
      Hello{1, Role::kAgent, "compss-agent 0.1.0", "n3", "MUNGE:AwQDAAB...:"},
      Welcome{1, "compssd 0.1.0", "1234.0", 5, {}},
      ErrorMessage{9, ErrorCode::kNotFound, "task 99 does not exist"},
      Submit{7, {full_task_spec(), plain}, "k-7"},
      Submitted{7, {{5, 5}, {6, 27}, {1ull << 33, (1ull << 33) + 1}}},
      Wait{8, {{1, 1}, {4, 9}}, std::nullopt, false, 30},
      WaitResult{8, 40, {{3, "member", "exit code 1"}}, {{12, "merge", "predecessor 3 failed"}}, true, 2},
      StatusQuery{10},
      StatusResult{10,
                   StateCounts{1, 2, 3, 4, 5, 6, 7, 2, 1},
                   {{"n1", NodeState::kUp, 16, 12}, {"n2", NodeState::kReleased, 16, 0, 2, 811, 1.5, 2, 30, 40.25, 7, "idle"}},
                   {{1.25, "granted", "n2", std::nullopt, 2, 1, "after 0.4 s", "grow request 2 granted n2"},
                    {9, "task-failed", "n1", 4, 0, 0, "exit code 1", ""}},
                   Outcome::kFailed},
      Query{11, {{2, 2}}},
      QueryResult{11,
                  {TaskInfo{2, "sim", TaskState::kFailed, "n1", -1, 9, 3, "killed by signal 9"},
                   TaskInfo{3, "post", TaskState::kCancelled, "", std::nullopt, 0, 0, "predecessor 2 failed"},
                   TaskInfo{4, "pre", TaskState::kDone, "", std::nullopt, 0, 0, "cached: done as task 4 of DIR", true}}},
      Cancel{12, {}, std::string("ensemble")},
      Cancelled{12, 63},
      Explain{13, 42},
      Explanation{13, 42, "task 42 (merge) is pending: waits for 3 tasks", {"waits for task 7", "needs 4 GPUs"}},
      Shutdown{14, false},
      Ok{14},
      Assign{42,
             2,
             "merge",
             {"./merge", "out/"},
             "/home/u/run",
             {"COMPSS_X=1"},
             {"GONE", "OLD_MODULE"},
             {4, 5, 6, 7},
             {1},
             1ull << 31,
             OutputPolicy{OutputMode::kFile, 1 << 20},
             MpiLaunch{4, {MpiSlot{"n1", 2, {4, 5}, {0, 1}}, MpiSlot{"n2", 2, {0, 1}, {}}}}},
      Kill{42, 2, 9, 3, "cancelled: predecessor 4 failed"},
      Stop{30},
      Register{"n3",
               {0, 1, 2, 3},
               64ull << 30,
               {GpuDesc{0, {0, 1}}, GpuDesc{1, {2, 3}}},
               {{"licence", 4}},
               "1 package, 1 NUMA, 4 cores, 2 GPUs",
               {RunningTask{42, 1, 81234, {2, 3}, {}}}},
      Started{42, 2, 81234},
      Finished{42, 2, FinishCause::kSignaled, 137, 9, 0.1, 52428800, 12.5,
               OutputRef{"/run/.compss/1234/n3.out", 4096, 311}, "killed by signal 9",
               "output cut at 311 bytes: writing /run/.compss/1234/task-42.2.out failed: No space left on device"},
      Heartbeat{},
      Resize{15, -2},
  };
}

std::vector<Message> minimal_samples() {
  TaskSpec t;
  t.argv = {"x"};
  t.cwd = "/";
  Assign a;
  a.argv = {"x"};
  a.cwd = "/";
  a.cores = {0};
  Register reg;
  reg.node = "n1";
  reg.cores = {0};
  Hello agent_hello;
  agent_hello.role = Role::kAgent;
  agent_hello.node = "n1";
  Wait w;
  w.all = true;
  Cancel c;
  c.ids = {{1, 1}};
  Query q;
  q.ids = {{0, 0}};
  Started started;
  started.pid = 1;
  return {Hello{},        Welcome{},      ErrorMessage{}, Submit{0, {t}, ""}, Submitted{},   w,
          WaitResult{},   StatusQuery{},  StatusResult{}, q,              QueryResult{}, c,
          Cancelled{},    Explain{},      Explanation{},  Shutdown{},     Ok{},          a,
          Kill{},         Stop{},         reg,            started,        Finished{},    Heartbeat{},
          agent_hello,    Resize{0, 1}};
}

std::vector<std::uint8_t> frame_of(std::span<const std::uint8_t> payload) {
  std::size_t n = payload.size();
  std::vector<std::uint8_t> f(4 + n);
  for (int i = 0; i < 4; ++i) f[i] = static_cast<std::uint8_t>(n >> (24 - 8 * i));
  std::copy(payload.begin(), payload.end(), f.begin() + 4);
  return f;
}

}  // namespace compss::proto::test
