// Tests of the journal itself (daemon/journal.h, doc/spec/journal.md): the file and its schema, rows
// round-tripping, batching, a write error, reading it back for a resume, the fingerprint.
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "daemon/journal.h"
#include "tests/unit/daemon/scratch.h"

using namespace compss;
using namespace compss::daemon;
using scheduler::AccessMode;
namespace fs = std::filesystem;
using test::Peek;
using test::Scratch;

namespace {


std::unique_ptr<Journal> make(const Scratch& s, JournalOptions options = {}) {
  auto j = Journal::create(s.dir(), JournalRun{"42", ""}, options);
  REQUIRE(j);
  return std::move(*j);
}

void done_task(Journal& j, std::uint32_t task, std::uint64_t fp, const std::string& out = "", FileIdentity id = {}) {
  j.task(task, 0, std::nullopt, fp);
  j.state(StateRecord{task, "running", 1, std::nullopt, 0, "n1", 1.0, "", false});
  j.state(StateRecord{task, "done", 1, 0, 0, "n1", 2.0, "", false});
  if (!out.empty()) j.file(task, AccessMode::kOut, out, id);
}

}  // namespace

TEST_CASE("a new journal is a private WAL database with the schema version in meta", "[journal]") {
  Scratch s("journal");
  auto j = make(s);
  struct stat st;
  REQUIRE(::lstat(s.db().c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  Peek p(s.db());
  CHECK(p.text("SELECT value FROM meta WHERE key = 'schema_version'") == "2\n");
  CHECK(p.text("SELECT value FROM meta WHERE key = 'job'") == "42\n");
  CHECK(p.text("PRAGMA journal_mode") == "wal\n");
  CHECK(p.text("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") ==
        "files\nmeta\nspecs\nstates\nsubmits\ntasks\n");
}

TEST_CASE("a journal is never made over an existing file or link; an earlier one is set aside", "[journal]") {
  Scratch s("journal");
  fs::create_symlink("/tmp/elsewhere", s.root / "journal.db");
  auto linked = Journal::create(s.dir(), JournalRun{"42", ""});
  REQUIRE_FALSE(linked);
  CHECK(linked.error().message.find(s.db()) != std::string::npos);
  fs::remove(s.root / "journal.db");
  { auto first = make(s); }
  CHECK_FALSE(Journal::create(s.dir(), JournalRun{"42", ""}));
  auto aside = set_aside_journal(s.dir());
  REQUIRE(aside);
  CHECK(*aside == s.dir() + "/journal.1.db");
  CHECK(fs::exists(*aside));
  CHECK(set_aside_journal(s.dir()).value() == "");  // nothing there now
  { auto second = make(s); }
  CHECK(set_aside_journal(s.dir()).value() == s.dir() + "/journal.2.db");
}

TEST_CASE("rows round-trip: spec, task, state and file", "[journal]") {
  Scratch s("journal");
  auto j = make(s);
  std::vector<std::string> argv{"sim", "{i}"}, env{"A=1"};
  std::vector<std::uint64_t> after{3};
  SpecRecord r;
  r.spec = 0;
  r.name = "sim";
  r.argv = &argv;
  r.cwd = "/w";
  r.env = &env;
  r.accesses = {{AccessMode::kIn, "in.txt"}, {AccessMode::kOut, "out/{i}.nc"}};
  r.after = &after;
  r.group = "g";
  r.array = true;
  r.first = 1, r.last = 9, r.step = 2;
  r.first_task = 4, r.task_count = 5;
  r.t = 0.5;
  j->spec(r);
  j->task(4, 0, 1, 0xfedcba9876543210ull);
  j->state(StateRecord{4, "failed", 2, 3, 0, "n2", 7.25, "exit code 3 on n2 (attempt 2)", false});
  j->file(4, AccessMode::kOut, "/w/out/1.nc", FileIdentity{true, 10, 1234567890123456789});
  j->file(4, AccessMode::kIn, "/w/in.txt", FileIdentity{});
  REQUIRE(j->commit());
  Peek p(s.db());
  CHECK(p.text("SELECT * FROM specs") ==
        "0|sim|[\"sim\",\"{i}\"]|/w|[\"A=1\"]|[[\"in\",\"in.txt\"],[\"out\",\"out/{i}.nc\"]]|[3]|g|1|9|2|4|5|0.5\n");
  CHECK(p.text("SELECT task, spec, array_index, fingerprint FROM tasks") ==
        "4|0|1|" + std::to_string(static_cast<std::int64_t>(0xfedcba9876543210ull)) + "\n");
  CHECK(p.text("SELECT task, state, attempt, exit_code, signal, node, t, reason, cached FROM states") ==
        "4|failed|2|3|0|n2|7.25|exit code 3 on n2 (attempt 2)|0\n");
  CHECK(p.text("SELECT task, direction, path, size, mtime_ns FROM files ORDER BY seq") ==
        "4|out|/w/out/1.nc|10|1234567890123456789\n4|in|/w/in.txt|NULL|NULL\n");
}

TEST_CASE("rows are written in a transaction that flush() commits at most every commit interval", "[journal]") {
  Scratch s("journal");
  auto j = make(s, JournalOptions{.commit_interval_s = 0.1});
  Peek p(s.db());
  auto rows = [&] { return p.text("SELECT count(*) FROM states"); };
  done_task(*j, 0, 11);
  CHECK(rows() == "0\n");  // not committed yet
  REQUIRE(j->flush(5.0));  // the first flush commits
  CHECK(rows() == "2\n");
  done_task(*j, 1, 12);
  REQUIRE(j->flush(5.05));  // 0.05 s after the last commit: the batch waits
  CHECK(rows() == "2\n");
  done_task(*j, 2, 13);
  REQUIRE(j->flush(5.15));  // both batches in one commit
  CHECK(rows() == "6\n");
  CHECK(j->commits() == 2);
  REQUIRE(j->flush(9));  // nothing open: no empty commit
  CHECK(j->commits() == 2);
  done_task(*j, 3, 14);
  REQUIRE(j->flush(9.5));  // a quiet run commits each batch at once
  CHECK(rows() == "8\n");
  done_task(*j, 4, 15);
  REQUIRE(j->commit());  // the end of the run: whatever is open
  CHECK(rows() == "10\n");
}

TEST_CASE("a write error stops the journal, is reported once, and keeps what was committed", "[journal]") {
  Scratch s("journal");
  // A database of at most 12 pages fails its writes with SQLITE_FULL once they are used, as a full disk.
  auto j = make(s, JournalOptions{.max_pages = 12});
  done_task(*j, 0, 11);
  REQUIRE(j->commit());
  Status failed;
  std::uint32_t t = 1;
  for (; t < 5000 && failed; ++t) {
    j->spec(SpecRecord{t, "x", nullptr, std::string(300, 'c'), nullptr, {}, nullptr, "", false, 0, 0, 1, t, 1, 0});
    done_task(*j, t, t);
    failed = j->flush(t);
  }
  REQUIRE_FALSE(failed);
  CHECK(failed.error().message.find("full") != std::string::npos);
  CHECK_FALSE(j->writing());
  CHECK(j->flush(1e6));  // reported once only
  done_task(*j, 9999, 1);  // ignored: no crash, no error
  CHECK(j->commit());
  CHECK(j->close());
  Peek p(s.db());
  CHECK(p.text("PRAGMA integrity_check") == "ok\n");
  CHECK(p.text("SELECT count(*) >= 1 FROM tasks WHERE task = 0") == "1\n");
  CHECK(p.text("SELECT count(*) FROM tasks WHERE task = 9999") == "0\n");
  auto cache = load_cache(s.dir());
  REQUIRE(cache);
  CHECK(cache->take(11) == 0u);
}

TEST_CASE("load_cache gives the done tasks by fingerprint, in order, and the files' last identity", "[journal]") {
  Scratch s("journal");
  {
    auto j = make(s);
    done_task(*j, 0, 7, "/w/a", FileIdentity{true, 1, 100});
    j->task(1, 0, std::nullopt, 7);
    j->state(StateRecord{1, "failed", 1, 1, 0, "n1", 3, "exit code 1", false});
    done_task(*j, 2, 7, "/w/b", FileIdentity{true, 2, 200});
    done_task(*j, 3, 8, "/w/a", FileIdentity{true, 5, 500});  // a later writer of /w/a
    REQUIRE(j->commit());
  }
  auto c = load_cache(s.dir());
  REQUIRE(c);
  CHECK(c->done_count() == 3);
  CHECK(c->take(7) == 0u);  // the n-th request for a fingerprint gets the n-th task done with it
  CHECK(c->take(7) == 2u);
  CHECK(c->take(7) == std::nullopt);
  CHECK(c->take(8) == 3u);
  CHECK(c->take(9) == std::nullopt);
  REQUIRE(c->last_identity("/w/a"));
  CHECK(*c->last_identity("/w/a") == FileIdentity{true, 5, 500});
  CHECK(c->last_identity("/w/zzz") == nullptr);
}

TEST_CASE("load_cache refuses a directory without a journal, a non-journal and an unknown version", "[journal]") {
  Scratch s("journal");
  auto none = load_cache(s.dir());
  REQUIRE_FALSE(none);
  CHECK(none.error().message.find("there is no journal in it (" + s.db() + " does not exist)") != std::string::npos);
  std::ofstream(s.db()) << "this is not a database, only some text that is long enough to look like a header.......";
  auto junk = load_cache(s.dir());
  REQUIRE_FALSE(junk);
  CHECK(junk.error().message.find(s.db()) != std::string::npos);
  fs::remove(s.db());
  { auto j = make(s); }
  {
    Peek p(s.db());
    p.exec("UPDATE meta SET value = '7' WHERE key = 'schema_version'");
  }
  auto v7 = load_cache(s.dir());
  REQUIRE_FALSE(v7);
  CHECK(v7.error().message ==
        "resume=" + s.dir() + ": " + s.db() + " has journal schema version 7; this compssd reads versions 1 to 2");
}

TEST_CASE("a journal cut short by a crash is read up to its last commit", "[journal]") {
  Scratch s("journal");
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {  // the writer: one commit, one batch not committed, then it dies without closing
    auto j = Journal::create(s.dir(), JournalRun{"42", ""});
    if (!j) ::_exit(1);
    done_task(**j, 0, 7);
    (void)(*j)->commit();
    done_task(**j, 1, 8);
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  CHECK(fs::exists(s.root / "journal.db-wal"));  // what a SIGKILL leaves
  auto c = load_cache(s.dir());
  REQUIRE(c);
  CHECK(c->take(7) == 0u);
  CHECK(c->take(8) == std::nullopt);
}

TEST_CASE("the fingerprint keeps field boundaries and kinds apart", "[journal]") {
  auto fp = [](auto f) { return f(Fingerprint()).value(); };
  const auto ab_c = fp([](Fingerprint f) { return f.arg("ab").arg("c"); });
  CHECK(ab_c != fp([](Fingerprint f) { return f.arg("a").arg("bc"); }));
  CHECK(ab_c == fp([](Fingerprint f) { return f.arg("ab").arg("c"); }));
  CHECK(fp([](Fingerprint f) { return f.env("X=1"); }) != fp([](Fingerprint f) { return f.arg("X=1"); }));
  CHECK(fp([](Fingerprint f) { return f.access(AccessMode::kIn, "a"); }) !=
        fp([](Fingerprint f) { return f.access(AccessMode::kOut, "a"); }));
  // A shared prefix continues exactly as if hashed in one go.
  Fingerprint prefix;
  prefix.cwd("/w").env("A=1");
  CHECK(Fingerprint(prefix.value()).arg("x").value() == Fingerprint().cwd("/w").env("A=1").arg("x").value());
  // The documented value of the empty fingerprint (FNV-1a's offset basis) and of one field, so that a
  // change of the algorithm, which would silently re-run every task of a resume, fails here.
  CHECK(Fingerprint().value() == 14695981039346656037ull);
  CHECK(Fingerprint().arg("true").value() == 6573383806918333280ull);  // 'A', 4 as 8 bytes LE, "true"
}

TEST_CASE("a file's identity is its size and modification time in ns; a missing file has none", "[journal]") {
  Scratch s("journal");
  const std::string f = (s.root / "f").string();
  CHECK_FALSE(identify(f).exists);
  std::ofstream(f) << "abc";
  const FileIdentity a = identify(f);
  CHECK(a.exists);
  CHECK(a.size == 3);
  CHECK(a.mtime_ns > 0);
  CHECK(absolute_path("/w/run", "out/../a.txt") == "/w/run/a.txt");
  CHECK(absolute_path("/w/run", "/abs/b") == "/abs/b");
}
