// A full disk in the job directory, for real: writes fail at the file-size limit (EFBIG, as ENOSPC on a
// full disk; tests/unit/file_size_limit.h). The journal stops with an error naming its file and stays a
// valid, resumable database; the run goes on; the summary file is written whole or not at all; an agent's
// lost task output is said once and counted.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "common/util/log.h"
#include "daemon/job_dir.h"
#include "daemon/journal.h"
#include "daemon/runtime.h"
#include "tests/unit/daemon/fake_endpoint.h"
#include "tests/unit/daemon/scratch.h"
#include "tests/unit/file_size_limit.h"

using namespace compss;
using namespace compss::daemon;
using compss::test::FakeEndpoint;
using compss::test::FileSizeLimit;
using compss::test::Peek;
using compss::test::Scratch;
namespace fs = std::filesystem;

namespace {

const bool kQuiet = (log::set_level(log::Level::kOff), true);

std::uint64_t size_of(const std::string& path) {
  std::error_code ec;
  const auto n = fs::file_size(path, ec);
  return ec ? 0 : n;
}

// What a disk that is about to be full looks like to the journal: room for `room` more bytes in its WAL.
std::uint64_t wal_limit(const Scratch& s, std::uint64_t room) {
  return size_of(s.db() + "-wal") + room;
}

// SQLite says "database or disk is full" when the system said ENOSPC or a write came up short, and "disk
// I/O error" for other failed writes (EFBIG here).
bool says_disk_full(const std::string& message) {
  return message.find("database or disk is full") != std::string::npos ||
         message.find("disk I/O error") != std::string::npos;
}

// A Runtime with a journal in `s` and one agent of four cores that finishes what it is given.
struct Run {
  Runtime rt{RuntimeConfig{}};
  std::shared_ptr<FakeEndpoint> client = std::make_shared<FakeEndpoint>("client");
  std::shared_ptr<FakeEndpoint> agent = std::make_shared<FakeEndpoint>("agent n1");
  double t = 0;

  explicit Run(const Scratch& s) {
    auto j = Journal::create(s.dir(), JournalRun{"42", ""});
    REQUIRE(j);
    rt.attach_journal(std::move(*j));
    test::register_agent(rt, agent, "n1", 4, t);
  }
  void submit(const std::string& word) {
    proto::Submit m;
    m.rid = 1;
    m.tasks.push_back(test::task({"echo", word, std::string(400, 'x')}));
    rt.on_client(client, std::move(m), t);
  }
  // Finishes every assign not finished yet; `lost` goes into each report's output_lost.
  void finish_all(const std::string& lost = "") {
    for (const auto& a : agent->all<proto::Assign>()) {
      if (a.task < finished_) continue;
      test::run_task(rt, agent, a, 0, t, true, lost);
      finished_ = a.task + 1;
    }
  }
  std::uint64_t finished_ = 0;
};

}  // namespace

TEST_CASE("a journal on a full disk stops with an error naming its file; what it committed stays valid",
          "[journal][disk-full]") {
  Scratch s("disk-full");
  auto made = Journal::create(s.dir(), JournalRun{"42", ""});
  REQUIRE(made);
  auto& j = **made;
  j.task(0, 0, std::nullopt, 11);
  j.state(StateRecord{0, "done", 1, 0, 0, "n1", 2.0, "", false});
  REQUIRE(j.commit());
  Status failed;
  std::uint32_t rows = 1;
  {
    FileSizeLimit full(wal_limit(s, 12 * 1024));
    if (!full.ok()) {
      WARN(full.why());
      return;
    }
    for (; rows < 5000 && failed; ++rows) {
      j.spec(
          SpecRecord{rows, "x", nullptr, std::string(300, 'c'), nullptr, {}, nullptr, "", false, 0, 0, 1, rows, 1, 0});
      j.task(rows, rows, std::nullopt, rows + 100);
      j.state(StateRecord{rows, "done", 1, 0, 0, "n1", 2.0, "", false});
      failed = j.flush(rows);
    }
    (void)j.close();  // its checkpoint cannot grow the database either: the WAL stays, still valid
  }
  REQUIRE_FALSE(failed);
  INFO(failed.error().message);
  CHECK(failed.error().message.find("cannot write " + s.db() + " (") == 0);
  CHECK(says_disk_full(failed.error().message));
  CHECK(rows < 5000);

  Peek p(s.db());  // the disk has room again: as a resume would read it
  CHECK(p.text("PRAGMA integrity_check") == "ok\n");
  CHECK(p.text("SELECT count(*) FROM tasks WHERE task = 0") == "1\n");
  auto cache = load_cache(s.dir());
  REQUIRE(cache);
  CHECK(cache->take(11) == 0u);
  CHECK(cache->done_count() < rows);  // the batch that failed is not in it
}

TEST_CASE("a run whose journal fills the disk goes on, says so once naming the file, and loses no result",
          "[runtime][disk-full]") {
  Scratch s("disk-full");
  Run r(s);
  r.submit("first");
  r.rt.pump(r.t);
  r.finish_all();
  r.t = 1;
  r.rt.pump(r.t);  // committed: the first task is done in the journal
  REQUIRE(r.rt.journal_writing());
  int told = 0;  // compssd tells its supervisor, which then restarts no more
  r.rt.on_journal_stopped([&] { ++told; });
  {
    FileSizeLimit full(wal_limit(s, 64 * 1024));
    if (!full.ok()) {
      WARN(full.why());
      return;
    }
    for (int i = 0; i < 200; ++i) {
      r.t += 0.2;  // a commit per pump
      r.submit("t" + std::to_string(i));
      r.rt.pump(r.t);
      r.finish_all();
      r.rt.pump(r.t);
    }
    r.rt.close_journal(r.t);
  }
  CHECK(r.rt.counts().done == 201);
  CHECK_FALSE(r.rt.journal_writing());
  int notes = 0;
  r.client->clear();
  r.rt.on_client(r.client, proto::StatusQuery{1}, r.t);
  for (const auto& e : r.client->last<proto::StatusResult>().events)
    notes += e.text.find("journal stopped at") != std::string::npos;
  CHECK(notes == 1);
  CHECK(told == 1);
  const std::string summary = r.rt.summary(r.t);
  INFO(summary);
  CHECK(summary.find("  journal: stopped at ") != std::string::npos);
  CHECK(summary.find("cannot write " + s.db()) != std::string::npos);
  CHECK(summary.find("resume from this run will redo tasks after that point") != std::string::npos);

  Peek p(s.db());
  CHECK(p.text("PRAGMA integrity_check") == "ok\n");
  auto cache = load_cache(s.dir());
  REQUIRE(cache);
  CHECK(cache->done_count() >= 1);
  CHECK(cache->done_count() < 201);
}

TEST_CASE("a file of the job directory is written whole or not at all on a full disk", "[jobdir][disk-full]") {
  Scratch s("disk-full");
  const std::string path = (s.root / "summary.txt").string();
  REQUIRE(write_private(path, "the earlier summary\n", 0600));
  Status st;
  {
    FileSizeLimit full(4096);
    if (!full.ok()) {
      WARN(full.why());
      return;
    }
    st = write_private(path, std::string(10000, 's'), 0600);
  }
  REQUIRE_FALSE(st);
  CHECK(st.error().message == "cannot write " + path + ": File too large");
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  CHECK(line == "the earlier summary");  // not cut
  CHECK_FALSE(fs::exists(path + ".tmp"));
}

TEST_CASE("task output an agent could not store is said once as an event and counted in the summary",
          "[runtime][disk-full]") {
  Scratch s("disk-full");
  Run r(s);
  r.submit("a");
  r.submit("b");
  r.rt.pump(r.t);
  r.finish_all("cannot append to /w/.compss/42/out/n1.out: No space left on device");
  r.rt.pump(r.t);
  CHECK(r.rt.counts().done == 2);  // the tasks' own results stand
  int notes = 0;
  r.client->clear();
  r.rt.on_client(r.client, proto::StatusQuery{1}, r.t);
  for (const auto& e : r.client->last<proto::StatusResult>().events)
    notes += e.text.find("task output not stored") != std::string::npos;
  CHECK(notes == 1);
  CHECK(r.rt.summary(r.t).find("  output: 2 task(s) could not store some or all of their output; the first: task 0 "
                               "(echo) on n1: cannot append to /w/.compss/42/out/n1.out: No space left on device\n") !=
        std::string::npos);
}
