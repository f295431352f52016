# COMPSS_CHECK_SQLITE: SQLite 3 (the daemon's journal).
AC_DEFUN([COMPSS_CHECK_SQLITE], [
  COMPSS_REQUIRE_PKG([SQLITE], [sqlite3 >= 3.7], [libsqlite3-dev], [SQLite 3])
])
