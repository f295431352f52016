/* mpi_where.c - the MPI program of runtime-mpi.test: every rank prints its rank, the world size, its
 * node, the CPUs it may run on (Cpus_allowed_list of /proc/self/status), the cores the runtime gave it
 * (COMPSS_TASK_CORES) and the sum of all ranks (an allreduce: the ranks must really talk). With an
 * argument N, rank N exits with status 3 after MPI_Init (a failing rank). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  int rank = 0, size = 0, sum = 0;
  char cpus[256] = "?", line[512];
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (argc > 1 && atoi(argv[1]) == rank) {
    fprintf(stderr, "rank %d fails on purpose\n", rank);
    exit(3);
  }
  MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  FILE* f = fopen("/proc/self/status", "r");
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "Cpus_allowed_list:", 18) == 0) sscanf(line + 18, "%255s", cpus);
  if (f) fclose(f);
  const char* node = getenv("SLURMD_NODENAME");
  const char* cores = getenv("COMPSS_TASK_CORES");
  printf("rank=%d size=%d node=%s cpus=%s cores=%s sum=%d\n", rank, size, node ? node : "?", cpus,
         cores ? cores : "?", sum);
  MPI_Finalize();
  return 0;
}
