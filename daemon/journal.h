// journal.h - the run's journal (doc/spec/journal.md): every submission and state change in SQLite (WAL)
// in the job directory, and, for a resumed run, what an earlier run's journal says was done.
//
// Writing. Journal::create() makes <job-dir>/journal.db (0600, never through a link) with the schema of
// kJournalVersion. The record calls (spec, task, state, file) put rows into an open transaction;
// flush(now) commits it unless the last commit was less than commit_interval_s ago: compssd's Runtime calls
// it once per pump (after each batch of messages, and every 0.5 s), so a quiet run commits each batch at
// once and a busy one commits every 0.1 s; commit() commits whatever is open (the end of the run). Statements are prepared once and reused.
//
//   auto j = Journal::create("/home/u/.compss/42", {"42", ""});
//   j->task(0, 0, std::nullopt, fp);  j->state({0, "ready", ...});  j->flush(now);
//
// Failure behaviour: create() returns an error naming the file. A write that fails later (disk full, I/O)
// rolls the open transaction back (what was committed stays, SQLite keeps the file consistent), stops
// the journal for good, and is reported once: by the next flush(), as an Error naming the file with
// SQLite's message and the system's ("cannot write /w/journal.db (commit): database or disk is full (No
// space left on device)").
// After that every call is a no-op and writing() is false; nothing throws.
//
// Reading. load_cache(dir) opens dir/journal.db read-only and returns a ResumeCache: the fingerprint of
// every task that ended done there, and the last identity (size, mtime) the journal recorded for each file.
// A missing, unreadable or unknown-version journal is an error naming the file.
//
// Thread-safety: none; one owner (the Runtime, on compssd's event loop thread).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/util/result.h"
#include "scheduler/task.h"

struct sqlite3;
struct sqlite3_stmt;

namespace compss::daemon {

inline constexpr int kJournalVersion = 2;
inline constexpr int kJournalOldestResumable = 1;  // load_cache() reads versions 1 .. kJournalVersion
inline constexpr const char* kJournalFile = "journal.db";

// What a resume compares a file by: it trusts size and modification time, as make and ninja do.
struct FileIdentity {
  bool exists = false;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};
FileIdentity identify(const std::string& path);  // stat(2); follows a link to the file it names

// A task's access path made absolute against its working directory, lexically normalised.
std::string absolute_path(std::string_view cwd, std::string_view path);

// The 64-bit FNV-1a fingerprint of what a task runs (journal.md, "The fingerprint"): tagged,
// length-prefixed fields, so that no two different field lists hash the same bytes.
class Fingerprint {
 public:
  Fingerprint() = default;
  explicit Fingerprint(std::uint64_t continue_from) : h_(continue_from) {}  // after a shared prefix
  Fingerprint& cwd(std::string_view s) { return field('C', s); }
  Fingerprint& env(std::string_view s) { return field('E', s); }
  Fingerprint& arg(std::string_view s) { return field('A', s); }
  Fingerprint& access(scheduler::AccessMode m, std::string_view path);
  std::uint64_t value() const { return h_; }

 private:
  Fingerprint& field(char tag, std::string_view s);
  void bytes(const void* p, std::size_t n);
  std::uint64_t h_ = 14695981039346656037ull;
};

struct JournalRun {
  std::string job;           // the job id
  std::string resumed_from;  // the resume directory, "" for a fresh run
};

// One submitted spec (an array's once). Strings are copied into the journal before the call returns.
struct SpecRecord {
  std::uint32_t spec = 0;
  std::string_view name;
  const std::vector<std::string>* argv = nullptr;
  std::string_view cwd;
  const std::vector<std::string>* env = nullptr;
  std::vector<std::pair<scheduler::AccessMode, std::string_view>> accesses;  // as submitted
  const std::vector<std::uint64_t>* after = nullptr;
  std::string_view group;  // "" when none
  bool array = false;
  std::int64_t first = 0, last = 0, step = 1;
  std::uint32_t first_task = 0, task_count = 0;
  double t = 0;
  const std::vector<std::uint8_t>* msg = nullptr;  // the spec as a one-task `submit` payload (table submits)
};

struct StateRecord {
  std::uint32_t task = 0;
  std::string_view state;  // a word of doc/spec/states.md
  std::uint32_t attempt = 0;
  std::optional<std::int32_t> exit_code;
  std::uint32_t signal = 0;
  std::string_view node;    // "" when none
  double t = 0;
  std::string_view reason;  // "" when none
  bool cached = false;
};

struct JournalOptions {
  // flush() commits unless the last commit is younger than this (seconds of the run's clock); 0: at every
  // flush.
  // A commit costs tens of microseconds on a local disk (more on a shared file system), a row a few; one
  // commit per message would cost more than the 10% the journal may take (doc/spec/journal.md, section 5).
  double commit_interval_s = 0.1;
  // Test knob: a database limited to this many pages fails its writes with SQLITE_FULL, as a full disk
  // would (0: no limit).
  std::uint32_t max_pages = 0;
};

class Journal {
 public:
  // Creates <job_dir>/journal.db; an existing one is an error (set_aside_journal() first).
  static Result<std::unique_ptr<Journal>> create(const std::string& job_dir, const JournalRun& run,
                                                 JournalOptions options = {});
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  void spec(const SpecRecord& r);
  void task(std::uint32_t task, std::uint32_t spec, std::optional<std::int32_t> index, std::uint64_t fingerprint);
  void state(const StateRecord& r);
  void file(std::uint32_t task, scheduler::AccessMode direction, std::string_view abs_path, const FileIdentity& id);

  // Commits the open transaction unless the last commit was less than commit_interval_s before `now`. The
  // first failure (here or in a record call since) is returned once; from then on the journal is stopped.
  Status flush(double now);
  Status commit();  // commits the open transaction now; errors as flush()
  // Commits and closes the database (SQLite checkpoints the WAL into the main file).
  Status close();
  bool writing() const { return db_ != nullptr && !stopped_; }
  const std::string& path() const { return path_; }
  std::uint64_t commits() const { return commits_; }

 private:
  Journal(std::string path, JournalOptions options) : path_(std::move(path)), options_(options) {}
  Status open(const JournalRun& run);
  bool begin();
  bool step(sqlite3_stmt* st);
  Status commit_error();  // the stop's error, once
  void stop(const std::string& what);

  std::string path_;
  JournalOptions options_;
  double last_commit_ = -1e300;  // the `now` of the last commit by flush()
  sqlite3* db_ = nullptr;
  sqlite3_stmt* spec_ = nullptr;
  sqlite3_stmt* task_ = nullptr;
  sqlite3_stmt* submit_ = nullptr;
  sqlite3_stmt* state_ = nullptr;
  sqlite3_stmt* file_ = nullptr;
  bool in_txn_ = false;
  bool stopped_ = false;
  bool reported_ = false;
  std::string error_;
  std::uint64_t commits_ = 0;
};

// Renames an existing <job_dir>/journal.db (with its -wal and -shm files) to journal.N.db, N the first
// free number, so that a job directory used again (a requeued job, --job-dir given twice) keeps the earlier
// run's journal. Returns the new name, or "" when there was none.
Result<std::string> set_aside_journal(const std::string& job_dir);

// What an earlier run's journal says was done, for a resumed run.
class ResumeCache {
 public:
  // The next journaled task with fingerprint `fp` that ended done, in journal order (the n-th call with
  // `fp` gives the n-th such task), or nothing when they are used up.
  std::optional<std::uint32_t> take(std::uint64_t fp);
  // The identity the journal recorded last for `abs_path` (its state when that run ended), or null.
  const FileIdentity* last_identity(const std::string& abs_path) const;
  const std::string& dir() const { return dir_; }
  std::size_t done_count() const { return done_.size(); }

 private:
  friend Result<ResumeCache> load_cache(const std::string& dir);
  std::string dir_;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> done_;  // (fingerprint, task), sorted
  std::unordered_map<std::uint64_t, std::uint32_t> taken_;     // per fingerprint: how many were taken
  std::unordered_map<std::string, FileIdentity> files_;
};

// Reads dir/journal.db (read-only, not through a link). Errors name the file: none there, not a journal,
// a schema version this compssd does not read, an SQLite error.
Result<ResumeCache> load_cache(const std::string& dir);

// A run's own journal, read back by its compssd restarted inside the same job (journal.md, section 6):
// every spec as submitted, in order, and each task's last state.
struct Replay {
  struct Spec {
    std::uint32_t first_task = 0, task_count = 0;
    std::vector<std::uint8_t> msg;  // a `submit` payload with this one spec
  };
  struct Last {
    std::string state = "pending";  // no row: still in its first state
    std::uint32_t attempt = 0;
    std::string node;  // "" when none
  };
  std::vector<Spec> specs;
  std::vector<Last> tasks;  // by task id
};
// Reads job_dir/journal.db; an error names the file (none, not version kJournalVersion, SQLite's).
Result<Replay> load_replay(const std::string& job_dir);

}  // namespace compss::daemon
