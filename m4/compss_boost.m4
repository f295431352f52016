# COMPSS_CHECK_BOOST: Boost.Asio (header-only, event loops) and Boost.Program_options (CLI options).
# Sets BOOST_PO_LIBS.
AC_DEFUN([COMPSS_CHECK_BOOST], [
  AC_LANG_PUSH([C++])
  # Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility> (GCC 12, C++20):
  # every file of ours that includes Asio includes <utility> first, and so does this check.
  AC_CHECK_HEADER([boost/asio.hpp], [],
    [AC_MSG_ERROR([Boost.Asio headers not found (boost/asio.hpp).
    On Debian/Ubuntu: apt-get install libboost-dev])], [[#include <utility>]])
  AC_CHECK_HEADER([boost/program_options.hpp], [],
    [AC_MSG_ERROR([Boost.Program_options headers not found.
    On Debian/Ubuntu: apt-get install libboost-program-options-dev])])
  AC_MSG_CHECKING([for -lboost_program_options])
  compss_save_LIBS=$LIBS
  LIBS="-lboost_program_options $LIBS"
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <boost/program_options.hpp>]],
      [[boost::program_options::options_description d("x"); (void)d;]])],
    [AC_MSG_RESULT([yes])],
    [AC_MSG_RESULT([no])
     AC_MSG_ERROR([cannot link with -lboost_program_options.
    On Debian/Ubuntu: apt-get install libboost-program-options-dev])])
  LIBS=$compss_save_LIBS
  AC_SUBST([BOOST_PO_LIBS], [-lboost_program_options])
  AC_LANG_POP([C++])
])

# COMPSS_CHECK_CLI_RUNTIME: how the compss CLI links its C++ runtime. A driver script starts compss once
# per task, and the dynamic linker's work on libstdc++ and Boost.Program_options is a third of each start
# (tools/bench-cli: 5.7 ms -> 3.7 ms for `compss --help`, 7.6 -> 5.5 ms for a submit, on the test machine).
# So, where the toolchain can, compss links libstdc++, libgcc and Boost.Program_options statically
# (libboost_program_options.a, from libboost-program-options-dev); the other programs do not.
# --disable-static-cli-runtime links them dynamically. Sets CLI_RUNTIME_LDFLAGS and CLI_BOOST_PO_LIBS.
AC_DEFUN([COMPSS_CHECK_CLI_RUNTIME], [
  AC_ARG_ENABLE([static-cli-runtime],
    [AS_HELP_STRING([--disable-static-cli-runtime],
      [link the compss CLI with the shared libstdc++ and Boost.Program_options (default: static where possible)])],
    [], [enable_static_cli_runtime=auto])
  CLI_RUNTIME_LDFLAGS=
  CLI_BOOST_PO_LIBS=$BOOST_PO_LIBS
  static_cli_runtime=no
  AS_IF([test "x$enable_static_cli_runtime" != xno], [
    AC_LANG_PUSH([C++])
    compss_po_archive=`$CXX -print-file-name=libboost_program_options.a`
    AC_MSG_CHECKING([whether compss can link libstdc++ and Boost.Program_options statically])
    compss_save_LIBS=$LIBS
    compss_save_LDFLAGS=$LDFLAGS
    LIBS="$compss_po_archive $LIBS"
    LDFLAGS="$LDFLAGS -static-libstdc++ -static-libgcc"
    AS_IF([test -f "$compss_po_archive"],
      [AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <boost/program_options.hpp>]],
          [[boost::program_options::options_description d("x"); (void)d;]])],
        [static_cli_runtime=yes])])
    LIBS=$compss_save_LIBS
    LDFLAGS=$compss_save_LDFLAGS
    AC_MSG_RESULT([$static_cli_runtime])
    AC_LANG_POP([C++])
    AS_IF([test "x$static_cli_runtime" = xyes],
      [CLI_RUNTIME_LDFLAGS="-XCClinker -static-libstdc++ -XCClinker -static-libgcc"
       CLI_BOOST_PO_LIBS=$compss_po_archive],
      [test "x$enable_static_cli_runtime" = xyes],
      [AC_MSG_ERROR([--enable-static-cli-runtime: cannot link libstdc++ and libboost_program_options.a statically])])
  ])
  AC_SUBST([CLI_RUNTIME_LDFLAGS])
  AC_SUBST([CLI_BOOST_PO_LIBS])
])
