// driver_signal.h - how the SPANK plugin tells compssd "the job's driver ended", told apart from a SIGUSR1
// that SLURM (`--signal=USR1@120`, `scancel --signal`) or the user sends.
//
// The plugin sends SIGUSR1 with sigqueue(2) and this value; compssd reads the signal's siginfo and treats
// only a queued signal carrying it as the driver's end. A plain SIGUSR1 or SIGUSR2 (si_code SI_USER) is
// the job's own business: compssd and the agents carry on, and the tasks get it from SLURM, which signals
// every process of a step.
#pragma once

namespace compss {

inline constexpr int kDriverEndedSignalValue = 0x43505353;  // "CPSS"

}  // namespace compss
