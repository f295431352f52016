# COMPSS_REQUIRE_PKG(VAR, PKG-CONFIG-MODULE, DEBIAN-PACKAGE, WHAT)
# ---------------------------------------------------------------
# Finds a library through pkg-config and stops configure with a message naming the Debian package
# to install when it is missing. Sets VAR_CFLAGS and VAR_LIBS.
AC_DEFUN([COMPSS_REQUIRE_PKG], [
  PKG_CHECK_MODULES([$1], [$2], [],
    [AC_MSG_ERROR([$4 not found (pkg-config module '$2').
    On Debian/Ubuntu: apt-get install $3])])
])
