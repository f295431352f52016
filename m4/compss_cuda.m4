# COMPSS_CHECK_CUDA: optional CUDA toolkit (--with-cuda[=DIR]); it builds the CUDA example task
# examples/gpu-saxpy, which tests/integration/gpu-cuda.test runs where a GPU is present.
# GPUs are discovered through hwloc and the CUDA driver (loaded at run time) and bound with
# CUDA_VISIBLE_DEVICES whether or not this is set.
# Sets HAVE_CUDA (automake conditional), CUDA_CFLAGS, CUDA_LIBS, NVCC.
AC_DEFUN([COMPSS_CHECK_CUDA], [
  AC_ARG_WITH([cuda],
    [AS_HELP_STRING([--with-cuda@<:@=DIR@:>@], [build the CUDA example task examples/gpu-saxpy (default: no)])],
    [], [with_cuda=no])
  have_cuda=no
  AS_IF([test "x$with_cuda" != xno], [
    AS_IF([test "x$with_cuda" = xyes], [cuda_dir=/usr/local/cuda], [cuda_dir=$with_cuda])
    AC_PATH_PROG([NVCC], [nvcc], [], [$cuda_dir/bin$PATH_SEPARATOR$PATH])
    AS_IF([test -z "$NVCC"],
      [AC_MSG_ERROR([--with-cuda given but nvcc not found in $cuda_dir/bin or PATH.
    Install the CUDA toolkit (Debian: apt-get install nvidia-cuda-toolkit) or pass --with-cuda=DIR])])
    have_cuda=yes
    AC_SUBST([CUDA_CFLAGS], ["-I$cuda_dir/include"])
    AC_SUBST([CUDA_LIBS], ["-L$cuda_dir/lib64 -lcudart"])
    AC_DEFINE([HAVE_CUDA], [1], [CUDA toolkit available])
  ])
  AM_CONDITIONAL([HAVE_CUDA], [test "x$have_cuda" = xyes])
])
