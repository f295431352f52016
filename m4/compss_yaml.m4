# COMPSS_CHECK_YAML: libyaml (workflow files and compss.yaml).
AC_DEFUN([COMPSS_CHECK_YAML], [
  COMPSS_REQUIRE_PKG([YAML], [yaml-0.1], [libyaml-dev], [libyaml])
])
