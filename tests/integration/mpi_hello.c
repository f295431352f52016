/* mpi_hello.c - the MPI program of mpi-pmix.test: every rank prints its rank, the world size, its
 * node ($SLURMD_NODENAME) and the sum of all ranks (an allreduce, so the ranks must really talk). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  int rank = 0, size = 0, sum = 0;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  const char* node = getenv("SLURMD_NODENAME");
  printf("rank=%d size=%d node=%s sum=%d\n", rank, size, node ? node : "?", sum);
  MPI_Finalize();
  return 0;
}
