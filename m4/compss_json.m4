# COMPSS_CHECK_JSON: nlohmann/json (header-only; --json output and the MessagePack wire encoding).
AC_DEFUN([COMPSS_CHECK_JSON], [
  COMPSS_REQUIRE_PKG([JSON], [nlohmann_json >= 3.9], [nlohmann-json3-dev], [nlohmann/json (>= 3.9)])
])
