# COMPSS_CHECK_HWLOC: hwloc >= 2.0 (topology discovery and binding in the agent).
AC_DEFUN([COMPSS_CHECK_HWLOC], [
  COMPSS_REQUIRE_PKG([HWLOC], [hwloc >= 2.0], [libhwloc-dev], [hwloc (>= 2.0)])
])
