# COMPSS_CHECK_CATCH2: Catch2 (unit tests). Version 2 ships catch2/catch.hpp; version 3 is not used.
AC_DEFUN([COMPSS_CHECK_CATCH2], [
  AC_LANG_PUSH([C++])
  AC_CHECK_HEADER([catch2/catch.hpp], [],
    [AC_MSG_ERROR([Catch2 (catch2/catch.hpp) not found; it is needed by 'make check'.
    On Debian/Ubuntu: apt-get install catch2])])
  AC_LANG_POP([C++])
])
