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
