// The agents' step: which --mpi plugin it (and every MPI task's step) uses, from srun --mpi=list.
#include <catch2/catch.hpp>

#include "daemon/agents.h"

using compss::daemon::choose_mpi_plugin;

TEST_CASE("the MPI plugin is pmix where the site offers it, else pmi2, else none", "[agents][mpi]") {
  // As SLURM 22.05 prints it.
  const std::string debian =
      "MPI plugin types are...\n\tnone\n\tcray_shasta\n\tpmi2\n\tpmix\nspecific pmix plugin versions available: pmix_v4\n";
  std::string why;
  CHECK(choose_mpi_plugin(debian, why) == "pmix");
  CHECK(why == "MPI steps use --mpi=pmix (srun --mpi=list offers none, cray_shasta, pmi2, pmix)");
  CHECK(choose_mpi_plugin("MPI plugin types are...\n\tnone\n\tpmi2\n", why) == "pmi2");
  CHECK(why.find("--mpi=pmi2") != std::string::npos);
  CHECK(choose_mpi_plugin("MPI plugin types are...\n\tnone\n", why) == "none");
  CHECK(why.find("neither pmix nor pmi2") != std::string::npos);
  // srun missing or failing: nothing offered, said so.
  CHECK(choose_mpi_plugin("sh: 1: srun: not found\n", why) == "none");
  CHECK(why.find("offers nothing") != std::string::npos);
}
