// journal_read.cc - reading an earlier run's journal for a resumed run (doc/spec/journal.md, section 4).
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_set>

#include "daemon/journal.h"

namespace compss::daemon {

namespace {

// One read-only connection; closed with its statement whatever happens.
struct Reader {
  sqlite3* db = nullptr;
  sqlite3_stmt* st = nullptr;
  ~Reader() {
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  bool prepare(const char* sql) {
    sqlite3_finalize(st);
    st = nullptr;
    return sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK;
  }
  std::string error() const { return db ? sqlite3_errmsg(db) : "out of memory"; }
};

}  // namespace

std::optional<std::uint32_t> ResumeCache::take(std::uint64_t fp) {
  auto lo = std::lower_bound(done_.begin(), done_.end(), std::pair<std::uint64_t, std::uint32_t>{fp, 0});
  if (lo == done_.end() || lo->first != fp) return std::nullopt;  // no entry made for a fingerprint not there
  std::uint32_t& n = taken_[fp];
  const auto at = lo + n;
  if (at >= done_.end() || at->first != fp) return std::nullopt;
  ++n;
  return at->second;
}

const FileIdentity* ResumeCache::last_identity(const std::string& abs_path) const {
  auto it = files_.find(abs_path);
  return it == files_.end() ? nullptr : &it->second;
}

Result<ResumeCache> load_cache(const std::string& dir) {
  const std::string path = dir + "/" + kJournalFile;
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT)
      return fail("resume=", dir, ": there is no journal in it (", path,
                  " does not exist); resume names the job directory of an earlier run");
    return fail("resume=", dir, ": cannot inspect ", path, ": ", std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return fail("resume=", dir, ": ", path, " is not a regular file");
  Reader r;
  auto bad = [&](const std::string& what) {
    return fail("resume=", dir, ": cannot read the journal ", path, ": ", what, ": ", r.error());
  };
  if (sqlite3_open_v2(path.c_str(), &r.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK)
    return bad("open");
  // A consistent snapshot of the three tables, even if a writer were still at it.
  if (sqlite3_exec(r.db, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) return bad("begin");
  if (!r.prepare("SELECT value FROM meta WHERE key = 'schema_version'"))
    return fail("resume=", dir, ": ", path, " is not a compssd journal (", r.error(), ")");
  if (sqlite3_step(r.st) != SQLITE_ROW) return fail("resume=", dir, ": ", path, " has no schema version");
  const auto* v = reinterpret_cast<const char*>(sqlite3_column_text(r.st, 0));
  const std::string version = v ? v : "";
  int vn = 0;
  for (int k = kJournalOldestResumable; k <= kJournalVersion; ++k)
    if (version == std::to_string(k)) vn = k;
  if (vn == 0)
    return fail("resume=", dir, ": ", path, " has journal schema version ", version, "; this compssd reads versions ",
                std::to_string(kJournalOldestResumable), " to ", std::to_string(kJournalVersion));

  ResumeCache c;
  c.dir_ = dir;
  std::unordered_set<std::uint32_t> done;
  if (!r.prepare("SELECT DISTINCT task FROM states WHERE state = 'done'")) return bad("states");
  int rc;
  while ((rc = sqlite3_step(r.st)) == SQLITE_ROW) done.insert(static_cast<std::uint32_t>(sqlite3_column_int64(r.st, 0)));
  if (rc != SQLITE_DONE) return bad("states");
  if (!r.prepare("SELECT task, fingerprint FROM tasks ORDER BY task")) return bad("tasks");
  while ((rc = sqlite3_step(r.st)) == SQLITE_ROW) {
    const auto task = static_cast<std::uint32_t>(sqlite3_column_int64(r.st, 0));
    if (done.count(task))
      c.done_.emplace_back(static_cast<std::uint64_t>(sqlite3_column_int64(r.st, 1)), task);
  }
  if (rc != SQLITE_DONE) return bad("tasks");
  std::sort(c.done_.begin(), c.done_.end());  // by fingerprint, then task id: journal order within one
  // Rows in write order: the last one of a path is its state when that run ended.
  if (!r.prepare("SELECT path, size, mtime_ns FROM files ORDER BY seq")) return bad("files");
  while ((rc = sqlite3_step(r.st)) == SQLITE_ROW) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(r.st, 0));
    FileIdentity id;
    if (sqlite3_column_type(r.st, 1) != SQLITE_NULL) {
      id.exists = true;
      id.size = static_cast<std::uint64_t>(sqlite3_column_int64(r.st, 1));
      id.mtime_ns = sqlite3_column_int64(r.st, 2);
    }
    c.files_[p ? p : ""] = id;
  }
  if (rc != SQLITE_DONE) return bad("files");
  sqlite3_exec(r.db, "COMMIT", nullptr, nullptr, nullptr);
  return c;
}

Result<Replay> load_replay(const std::string& job_dir) {
  const std::string path = job_dir + "/" + kJournalFile;
  Reader r;
  auto bad = [&](const std::string& what) {
    return fail("cannot read this run's journal ", path, ": ", what, ": ", r.error());
  };
  if (sqlite3_open_v2(path.c_str(), &r.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK)
    return bad("open");
  if (sqlite3_exec(r.db, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) return bad("begin");
  if (!r.prepare("SELECT value FROM meta WHERE key = 'schema_version'") || sqlite3_step(r.st) != SQLITE_ROW)
    return bad("schema version");
  const auto* v = reinterpret_cast<const char*>(sqlite3_column_text(r.st, 0));
  if (!v || std::string(v) != std::to_string(kJournalVersion))
    return fail(path, " has journal schema version ", v ? v : "(none)", "; a restart reads only version ",
                std::to_string(kJournalVersion));
  Replay out;
  int rc;
  if (!r.prepare("SELECT s.first_task, s.task_count, m.msg FROM specs s JOIN submits m ON m.spec = s.spec "
                 "ORDER BY s.spec"))
    return bad("specs");
  while ((rc = sqlite3_step(r.st)) == SQLITE_ROW) {
    Replay::Spec sp;
    sp.first_task = static_cast<std::uint32_t>(sqlite3_column_int64(r.st, 0));
    sp.task_count = static_cast<std::uint32_t>(sqlite3_column_int64(r.st, 1));
    const auto* b = static_cast<const std::uint8_t*>(sqlite3_column_blob(r.st, 2));
    sp.msg.assign(b, b + sqlite3_column_bytes(r.st, 2));
    out.specs.push_back(std::move(sp));
  }
  if (rc != SQLITE_DONE) return bad("specs");
  if (!out.specs.empty()) out.tasks.resize(out.specs.back().first_task + out.specs.back().task_count);
  // Each task's last row (seq grows with time).
  if (!r.prepare("SELECT task, state, attempt, node FROM states WHERE seq IN (SELECT MAX(seq) FROM states GROUP BY task)"))
    return bad("states");
  while ((rc = sqlite3_step(r.st)) == SQLITE_ROW) {
    const auto task = static_cast<std::uint64_t>(sqlite3_column_int64(r.st, 0));
    if (task >= out.tasks.size()) continue;  // a state of a spec whose row did not commit: cannot happen
    Replay::Last& l = out.tasks[task];
    const auto* st = reinterpret_cast<const char*>(sqlite3_column_text(r.st, 1));
    const auto* node = reinterpret_cast<const char*>(sqlite3_column_text(r.st, 3));
    l.state = st ? st : "";
    l.attempt = static_cast<std::uint32_t>(sqlite3_column_int64(r.st, 2));
    l.node = node ? node : "";
  }
  if (rc != SQLITE_DONE) return bad("states");
  sqlite3_exec(r.db, "COMMIT", nullptr, nullptr, nullptr);
  return out;
}

}  // namespace compss::daemon
