// journal.cc - writing the journal: the schema of doc/spec/journal.md, batched rows, one error contract.
#include "daemon/journal.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "config.h"

namespace compss::daemon {

namespace {

// Version 2 of the schema (doc/spec/journal.md, section 2). Changing it bumps kJournalVersion.
constexpr const char* kSchema = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE specs (
  spec INTEGER PRIMARY KEY, name TEXT NOT NULL, argv TEXT NOT NULL, cwd TEXT NOT NULL, env TEXT NOT NULL,
  accesses TEXT NOT NULL, after TEXT NOT NULL, grp TEXT,
  array_first INTEGER, array_last INTEGER, array_step INTEGER,
  first_task INTEGER NOT NULL, task_count INTEGER NOT NULL, t REAL NOT NULL);
CREATE TABLE submits (spec INTEGER PRIMARY KEY, msg BLOB NOT NULL);
CREATE TABLE tasks (
  task INTEGER PRIMARY KEY, spec INTEGER NOT NULL, array_index INTEGER, fingerprint INTEGER NOT NULL);
CREATE TABLE states (
  seq INTEGER PRIMARY KEY, task INTEGER NOT NULL, state TEXT NOT NULL, attempt INTEGER NOT NULL,
  exit_code INTEGER, signal INTEGER NOT NULL, node TEXT, t REAL NOT NULL, reason TEXT,
  cached INTEGER NOT NULL);
CREATE TABLE files (
  seq INTEGER PRIMARY KEY, task INTEGER NOT NULL, direction TEXT NOT NULL, path TEXT NOT NULL,
  size INTEGER, mtime_ns INTEGER);
)sql";

std::string errmsg(sqlite3* db) { return db ? sqlite3_errmsg(db) : "out of memory"; }

void bind_text(sqlite3_stmt* st, int i, std::string_view s) {
  sqlite3_bind_text(st, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}

void bind_text_or_null(sqlite3_stmt* st, int i, std::string_view s) {
  if (s.empty())
    sqlite3_bind_null(st, i);
  else
    bind_text(st, i, s);
}

std::string json_list(const std::vector<std::string>* v) {
  return v ? nlohmann::json(*v).dump() : "[]";
}

}  // namespace

// --- identity, paths, fingerprint ---------------------------------------------------------------------

FileIdentity identify(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return {};
  return FileIdentity{true, static_cast<std::uint64_t>(st.st_size),
                      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

std::string absolute_path(std::string_view cwd, std::string_view path) {
  namespace fs = std::filesystem;
  fs::path p(path);
  if (p.is_relative() && !cwd.empty()) p = fs::path(cwd) / p;
  return p.lexically_normal().string();
}

void Fingerprint::bytes(const void* p, std::size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i) {
    h_ ^= b[i];
    h_ *= 1099511628211ull;
  }
}

Fingerprint& Fingerprint::field(char tag, std::string_view s) {
  unsigned char head[9];
  head[0] = static_cast<unsigned char>(tag);
  const std::uint64_t n = s.size();
  for (int i = 0; i < 8; ++i) head[1 + i] = static_cast<unsigned char>(n >> (8 * i));  // little-endian
  bytes(head, sizeof head);
  bytes(s.data(), s.size());
  return *this;
}

Fingerprint& Fingerprint::access(scheduler::AccessMode m, std::string_view path) {
  return field(m == scheduler::AccessMode::kIn ? 'I' : m == scheduler::AccessMode::kOut ? 'O' : 'X', path);
}

// --- writing ------------------------------------------------------------------------------------------

Result<std::unique_ptr<Journal>> Journal::create(const std::string& job_dir, const JournalRun& run,
                                                 JournalOptions options) {
  const std::string path = job_dir + "/" + kJournalFile;
  // Created here, exclusively and not through a link, so that SQLite opens the file we made, 0600.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return fail("cannot create the journal ", path, ": ", std::strerror(errno));
  ::close(fd);
  std::unique_ptr<Journal> j(new Journal(path, options));
  if (Status s = j->open(run); !s) {
    j.reset();
    ::unlink(path.c_str());
    return s.error();
  }
  return j;
}

Status Journal::open(const JournalRun& run) {
  auto bad = [&](const std::string& what) { return fail("cannot set up the journal ", path_, ": ", what, ": ", errmsg(db_)); };
  if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK)
    return bad("open");
  sqlite3_extended_result_codes(db_, 1);
  // journal_mode answers with the mode it set: anything but wal means WAL is not available here.
  sqlite3_stmt* mode = nullptr;
  bool wal = false;
  if (sqlite3_prepare_v2(db_, "PRAGMA journal_mode=WAL", -1, &mode, nullptr) == SQLITE_OK &&
      sqlite3_step(mode) == SQLITE_ROW) {
    const auto* m = reinterpret_cast<const char*>(sqlite3_column_text(mode, 0));
    wal = m && std::strcmp(m, "wal") == 0;
  }
  sqlite3_finalize(mode);
  if (!wal) return bad("journal_mode=WAL");
  if (sqlite3_exec(db_, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr) != SQLITE_OK)
    return bad("synchronous=NORMAL");
  if (options_.max_pages) {
    const std::string p = "PRAGMA max_page_count=" + std::to_string(options_.max_pages);
    sqlite3_exec(db_, p.c_str(), nullptr, nullptr, nullptr);
  }
  if (sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK ||
      sqlite3_exec(db_, kSchema, nullptr, nullptr, nullptr) != SQLITE_OK)
    return bad("schema");
  sqlite3_stmt* meta = nullptr;
  if (sqlite3_prepare_v2(db_, "INSERT INTO meta VALUES (?1, ?2)", -1, &meta, nullptr) != SQLITE_OK) return bad("meta");
  const std::pair<const char*, std::string> rows[] = {{"schema_version", std::to_string(kJournalVersion)},
                                                      {"job", run.job},
                                                      {"created", std::to_string(std::time(nullptr))},
                                                      {"compssd", PACKAGE_VERSION},
                                                      {"resumed_from", run.resumed_from}};
  bool ok = true;
  for (const auto& [k, v] : rows) {
    bind_text(meta, 1, k);
    bind_text(meta, 2, v);
    ok = ok && sqlite3_step(meta) == SQLITE_DONE;
    sqlite3_reset(meta);
  }
  sqlite3_finalize(meta);
  if (!ok || sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return bad("meta");
  const std::pair<sqlite3_stmt**, const char*> statements[] = {
      {&spec_, "INSERT INTO specs VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"},
      {&task_, "INSERT INTO tasks VALUES (?1, ?2, ?3, ?4)"},
      {&submit_, "INSERT INTO submits VALUES (?1, ?2)"},
      {&state_, "INSERT INTO states (task, state, attempt, exit_code, signal, node, t, reason, cached) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
      {&file_, "INSERT INTO files (task, direction, path, size, mtime_ns) VALUES (?1, ?2, ?3, ?4, ?5)"}};
  for (const auto& [st, sql] : statements)
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, st, nullptr) != SQLITE_OK) return bad("prepare");
  return {};
}

Journal::~Journal() {
  if (in_txn_ && !stopped_) (void)commit();
  for (sqlite3_stmt* st : {spec_, task_, submit_, state_, file_}) sqlite3_finalize(st);
  if (db_) sqlite3_close(db_);
}

void Journal::stop(const std::string& what) {
  if (stopped_) return;
  stopped_ = true;
  // SQLite's words ("database or disk is full", "disk I/O error") and, when a system call failed, the
  // system's ("No space left on device"): what a person needs to see what filled up.
  const int sys = db_ ? sqlite3_system_errno(db_) : 0;
  error_ = "cannot write " + path_ + " (" + what + "): " + errmsg(db_) +
           (sys ? std::string(" (") + std::strerror(sys) + ")" : std::string());
  // What was committed stays; the batch that failed goes (SQLite's rollback keeps the file consistent).
  if (in_txn_ && !sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  in_txn_ = false;
}

bool Journal::begin() {
  if (!writing()) return false;
  if (in_txn_) return true;
  if (sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
    stop("begin");
    return false;
  }
  in_txn_ = true;
  return true;
}

bool Journal::step(sqlite3_stmt* st) {
  const int rc = sqlite3_step(st);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (rc == SQLITE_DONE) return true;
  stop("insert");
  return false;
}

void Journal::spec(const SpecRecord& r) {
  if (!begin()) return;
  nlohmann::json acc = nlohmann::json::array();
  for (const auto& [m, p] : r.accesses) acc.push_back({scheduler::to_string(m), std::string(p)});
  sqlite3_bind_int64(spec_, 1, r.spec);
  bind_text(spec_, 2, r.name);
  bind_text(spec_, 3, json_list(r.argv));
  bind_text(spec_, 4, r.cwd);
  bind_text(spec_, 5, json_list(r.env));
  bind_text(spec_, 6, acc.dump());
  bind_text(spec_, 7, r.after ? nlohmann::json(*r.after).dump() : "[]");
  bind_text_or_null(spec_, 8, r.group);
  if (r.array) {
    sqlite3_bind_int64(spec_, 9, r.first);
    sqlite3_bind_int64(spec_, 10, r.last);
    sqlite3_bind_int64(spec_, 11, r.step);
  }
  sqlite3_bind_int64(spec_, 12, r.first_task);
  sqlite3_bind_int64(spec_, 13, r.task_count);
  sqlite3_bind_double(spec_, 14, r.t);
  if (!step(spec_) || !r.msg) return;
  sqlite3_bind_int64(submit_, 1, r.spec);
  sqlite3_bind_blob(submit_, 2, r.msg->data(), static_cast<int>(r.msg->size()), SQLITE_TRANSIENT);
  step(submit_);
}

void Journal::task(std::uint32_t task, std::uint32_t spec, std::optional<std::int32_t> index, std::uint64_t fp) {
  if (!begin()) return;
  sqlite3_bind_int64(task_, 1, task);
  sqlite3_bind_int64(task_, 2, spec);
  if (index) sqlite3_bind_int64(task_, 3, *index);
  sqlite3_bind_int64(task_, 4, static_cast<sqlite3_int64>(fp));  // two's complement: all 64 bits kept
  step(task_);
}

void Journal::state(const StateRecord& r) {
  if (!begin()) return;
  sqlite3_bind_int64(state_, 1, r.task);
  bind_text(state_, 2, r.state);
  sqlite3_bind_int64(state_, 3, r.attempt);
  if (r.exit_code) sqlite3_bind_int64(state_, 4, *r.exit_code);
  sqlite3_bind_int64(state_, 5, r.signal);
  bind_text_or_null(state_, 6, r.node);
  sqlite3_bind_double(state_, 7, r.t);
  bind_text_or_null(state_, 8, r.reason);
  sqlite3_bind_int(state_, 9, r.cached ? 1 : 0);
  step(state_);
}

void Journal::file(std::uint32_t task, scheduler::AccessMode direction, std::string_view abs_path,
                   const FileIdentity& id) {
  if (!begin()) return;
  sqlite3_bind_int64(file_, 1, task);
  bind_text(file_, 2, scheduler::to_string(direction));
  bind_text(file_, 3, abs_path);
  if (id.exists) {
    sqlite3_bind_int64(file_, 4, static_cast<sqlite3_int64>(id.size));
    sqlite3_bind_int64(file_, 5, id.mtime_ns);
  }
  step(file_);
}

Status Journal::flush(double now) {
  if (writing() && in_txn_ && now - last_commit_ >= options_.commit_interval_s) {
    last_commit_ = now;
    return commit();
  }
  return commit_error();
}

Status Journal::commit() {
  if (writing() && in_txn_) {
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK) {
      in_txn_ = false;
      ++commits_;
    } else {
      stop("commit");
    }
  }
  return commit_error();
}

Status Journal::commit_error() {
  if (stopped_ && !reported_) {
    reported_ = true;
    return fail(error_);
  }
  return {};
}

Status Journal::close() {
  Status s = commit();
  for (sqlite3_stmt** st : {&spec_, &task_, &submit_, &state_, &file_}) {
    sqlite3_finalize(*st);
    *st = nullptr;
  }
  if (db_ && sqlite3_close(db_) != SQLITE_OK && s) s = fail("close: ", errmsg(db_));
  db_ = nullptr;
  return s;
}

Result<std::string> set_aside_journal(const std::string& job_dir) {
  const std::string path = job_dir + "/" + kJournalFile;
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::string();
    return fail("cannot inspect ", path, ": ", std::strerror(errno));
  }
  for (int n = 1; n < 10000; ++n) {
    const std::string to = job_dir + "/journal." + std::to_string(n) + ".db";
    if (::lstat(to.c_str(), &st) == 0 || errno != ENOENT) continue;
    // The WAL and shared-memory files first: the main file's name is what makes them belong to it.
    for (const char* suffix : {"-wal", "-shm"}) {
      const std::string from = path + suffix;
      if (::rename(from.c_str(), (to + suffix).c_str()) != 0 && errno != ENOENT)
        return fail("cannot set aside ", from, ": ", std::strerror(errno));
    }
    if (::rename(path.c_str(), to.c_str()) != 0) return fail("cannot set aside ", path, ": ", std::strerror(errno));
    return to;
  }
  return fail("cannot set aside ", path, ": journal.1.db to journal.9999.db exist already");
}

}  // namespace compss::daemon
