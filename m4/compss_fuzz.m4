# COMPSS_CHECK_FUZZ: an optional C++ compiler for the libFuzzer harnesses of tests/fuzz (make fuzz).
# FUZZ_CXX (precious; default clang++) must link a trivial LLVMFuzzerTestOneInput with
# -fsanitize=fuzzer,address,undefined. Never stops configure: without it the fuzz tests are skipped.
# Sets HAVE_FUZZ (automake conditional) and have_fuzz (yes/no).
AC_DEFUN([COMPSS_CHECK_FUZZ], [
  AC_ARG_VAR([FUZZ_CXX], [C++ compiler for the libFuzzer harnesses (default: clang++)])
  AS_IF([test -z "$FUZZ_CXX"], [FUZZ_CXX=clang++])
  AC_CACHE_CHECK([whether $FUZZ_CXX builds libFuzzer targets with ASan and UBSan], [compss_cv_fuzz_cxx], [
    AC_LANG_PUSH([C++])
    compss_save_CXX=$CXX compss_save_CXXFLAGS=$CXXFLAGS compss_save_LIBS=$LIBS
    CXX=$FUZZ_CXX CXXFLAGS="-std=c++20 -fsanitize=fuzzer,address,undefined" LIBS=
    AC_LINK_IFELSE([AC_LANG_SOURCE([[
#include <cstddef>
#include <cstdint>
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }
]])], [compss_cv_fuzz_cxx=yes], [compss_cv_fuzz_cxx=no])
    CXX=$compss_save_CXX CXXFLAGS=$compss_save_CXXFLAGS LIBS=$compss_save_LIBS
    AC_LANG_POP([C++])
  ])
  have_fuzz=$compss_cv_fuzz_cxx
  AM_CONDITIONAL([HAVE_FUZZ], [test "x$have_fuzz" = xyes])
])
