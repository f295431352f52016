# COMPSS_CHECK_MUNGE: libmunge (authenticating TCP peers as the job's user).
AC_DEFUN([COMPSS_CHECK_MUNGE], [
  COMPSS_REQUIRE_PKG([MUNGE], [munge], [libmunge-dev], [libmunge])
])
