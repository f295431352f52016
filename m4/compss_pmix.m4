# COMPSS_CHECK_PMIX: PMIx (rank and node information for agents started by srun --mpi=pmix).
AC_DEFUN([COMPSS_CHECK_PMIX], [
  COMPSS_REQUIRE_PKG([PMIX], [pmix >= 3.0], [libpmix-dev], [PMIx (>= 3.0)])
])
