# COMPSS_CHECK_SLURM
# ------------------
# libslurm and its headers (slurm/slurm.h, slurm/spank.h), and the directory SLURM loads plugins from.
#   --with-slurm=DIR            SLURM installed under DIR (DIR/include, DIR/lib or DIR/lib64)
#   --with-slurm-plugindir=DIR  where to install spank_compss.so (default: found from the installed SLURM)
# Sets SLURM_CPPFLAGS, SLURM_LDFLAGS, SLURM_LIBS, slurmplugindir.
AC_DEFUN([COMPSS_CHECK_SLURM], [
  AC_ARG_WITH([slurm],
    [AS_HELP_STRING([--with-slurm=DIR], [SLURM installation prefix (default: system paths)])],
    [], [with_slurm=])
  AC_ARG_WITH([slurm-plugindir],
    [AS_HELP_STRING([--with-slurm-plugindir=DIR],
      [install the SPANK plugin into DIR (default: the plugin directory of the installed SLURM)])],
    [], [with_slurm_plugindir=])

  SLURM_CPPFLAGS=
  SLURM_LDFLAGS=
  AS_IF([test -n "$with_slurm" && test "x$with_slurm" != xyes], [
    SLURM_CPPFLAGS="-I$with_slurm/include"
    for d in "$with_slurm/lib64" "$with_slurm/lib" "$with_slurm/lib/$host_alias"; do
      AS_IF([test -d "$d"], [SLURM_LDFLAGS="$SLURM_LDFLAGS -L$d -Wl,-rpath,$d"])
    done
  ])

  compss_save_CPPFLAGS=$CPPFLAGS
  compss_save_LDFLAGS=$LDFLAGS
  compss_save_LIBS=$LIBS
  CPPFLAGS="$SLURM_CPPFLAGS $CPPFLAGS"
  LDFLAGS="$SLURM_LDFLAGS $LDFLAGS"
  AC_CHECK_HEADER([slurm/slurm.h], [],
    [AC_MSG_ERROR([SLURM headers not found (slurm/slurm.h).
    On Debian/Ubuntu: apt-get install libslurm-dev   (or pass --with-slurm=DIR)])])
  AC_CHECK_HEADER([slurm/spank.h], [],
    [AC_MSG_ERROR([SLURM SPANK header not found (slurm/spank.h).
    On Debian/Ubuntu: apt-get install libslurm-dev   (or pass --with-slurm=DIR)])],
    [[#include <stdint.h>]])
  AC_CHECK_LIB([slurm], [slurm_load_job], [SLURM_LIBS=-lslurm],
    [AC_MSG_ERROR([libslurm not found or not usable (-lslurm).
    On Debian/Ubuntu: apt-get install libslurm-dev   (or pass --with-slurm=DIR)])])
  AC_MSG_CHECKING([for the SLURM version])
  AC_COMPUTE_INT([compss_slurm_version], [SLURM_VERSION_NUMBER], [[#include <slurm/slurm_version.h>]],
    [compss_slurm_version=0])
  compss_slurm_major=`expr $compss_slurm_version / 65536`
  compss_slurm_minor=`expr $compss_slurm_version / 256 % 256`
  AC_MSG_RESULT([$compss_slurm_major.$compss_slurm_minor])
  AS_IF([test "$compss_slurm_major" -lt 20],
    [AC_MSG_ERROR([SLURM $compss_slurm_major.$compss_slurm_minor is too old; 20.02 or newer is needed])])

  # The plugin directory: next to libslurm (Debian: <multiarch libdir>/slurm-wlm, others: <libdir>/slurm),
  # recognised by a plugin every SLURM installs.
  AC_MSG_CHECKING([for the SLURM plugin directory])
  AS_IF([test -n "$with_slurm_plugindir"], [slurmplugindir=$with_slurm_plugindir], [
    slurmplugindir=
    compss_libslurm=`$CC $LDFLAGS -print-file-name=libslurm.so 2>/dev/null`
    compss_libdirs=
    AS_IF([test -n "$compss_libslurm" && test "$compss_libslurm" != libslurm.so],
      [compss_libdirs=`dirname "$compss_libslurm"`])
    for d in $compss_libdirs $SLURM_LDFLAGS /usr/lib64 /usr/lib /usr/local/lib; do
      d=`echo "$d" | sed -e 's/^-L//' -e 's/^-Wl,-rpath,//'`
      for p in "$d/slurm-wlm" "$d/slurm"; do
        AS_IF([test -z "$slurmplugindir" && ls "$p"/select_*.so >/dev/null 2>&1],
          [slurmplugindir=`cd "$p" && pwd -P`])
      done
    done
    AS_IF([test -z "$slurmplugindir"], [
      slurmplugindir='${libdir}/slurm'
      AC_MSG_WARN([no installed SLURM plugin directory found; the SPANK plugin goes to ${libdir}/slurm (use --with-slurm-plugindir)])
    ])
  ])
  AC_MSG_RESULT([$slurmplugindir])

  CPPFLAGS=$compss_save_CPPFLAGS
  LDFLAGS=$compss_save_LDFLAGS
  LIBS=$compss_save_LIBS
  AC_SUBST([SLURM_CPPFLAGS])
  AC_SUBST([SLURM_LDFLAGS])
  AC_SUBST([SLURM_LIBS])
  AC_SUBST([slurmplugindir])
])
