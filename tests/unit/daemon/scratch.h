// scratch.h - what the daemon's file tests share: a temporary directory removed afterwards, and a second
// SQLite connection that reads a journal as another process would.
//
//   Scratch s("journal");                   // /tmp/compss-test-journal.XXXXXX
//   Peek(s.db()).text("SELECT * FROM meta")  // rows as "a|b\n", NULL as "NULL"
// Test-only code; the test's thread only.
#pragma once

#include <sqlite3.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

namespace compss::test {

struct Scratch {
  std::filesystem::path root;
  explicit Scratch(const std::string& what) {
    std::string tmpl = "/tmp/compss-test-" + what + ".XXXXXX";
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    root = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
  std::string dir() const { return root.string(); }
  std::string db() const { return (root / "journal.db").string(); }
};

struct Peek {
  sqlite3* db = nullptr;
  explicit Peek(const std::string& path, bool read_only = false) {
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, nullptr) ==
            SQLITE_OK);
  }
  ~Peek() { sqlite3_close(db); }
  Peek(const Peek&) = delete;
  Peek& operator=(const Peek&) = delete;
  std::string text(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
    std::string out;
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const auto* v = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
        out += (i ? "|" : "") + std::string(v ? v : "NULL");
      }
      out += "\n";
    }
    sqlite3_finalize(st);
    return out;
  }
  void exec(const std::string& sql) { REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK); }
};

}  // namespace compss::test
