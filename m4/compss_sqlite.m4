# COMPSS_CHECK_SQLITE: SQLite 3 (the daemon's journal). 3.31 for SQLITE_OPEN_NOFOLLOW: the journal is never
# opened through a link.
AC_DEFUN([COMPSS_CHECK_SQLITE], [
  COMPSS_REQUIRE_PKG([SQLITE], [sqlite3 >= 3.31], [libsqlite3-dev], [SQLite 3])
])
