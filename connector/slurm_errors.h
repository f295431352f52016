// slurm_errors.h - which SLURM error codes are worth retrying, and their text.
//
// A code is the value of slurm_get_errno() after a failed libslurm call: a slurm_err_t (slurm_errno.h)
// or a plain errno. Transient means "the controller could not answer now; the same call may work in a
// moment". Everything else is permanent and goes back to the caller at once.
//
// The transient set, and why:
//   - SLURM_COMMUNICATIONS_{CONNECTION,SEND,RECEIVE,SHUTDOWN}_ERROR, SLURMCTLD_COMMUNICATIONS_* and
//     SLURM_PROTOCOL_SOCKET_IMPL_* (incl. SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT), ESLURM_PROTOCOL_INCOMPLETE_PACKET:
//     the message did not get through; slurmctld is down, restarting or overloaded.
//   - errno ECONNREFUSED, ECONNRESET, ECONNABORTED, ETIMEDOUT, EHOSTUNREACH, ENETUNREACH, EAGAIN, EINTR:
//     the same, reported by the socket layer (slurmctld not listening yet, a dropped connection).
//   - ESLURM_IN_STANDBY_MODE, ESLURM_IN_STANDBY_USE_BACKUP: a backup controller is taking over.
//   - ESLURM_TRANSITION_STATE_NO_UPDATE ("job can not be altered now, try again later"),
//     ESLURM_JOB_SETTING_DB_INX ("the DB index is being set, try again in a bit"), ESLURM_DB_CONNECTION:
//     the controller says so itself. Note: with accounting_storage/none the DB index of a resized job is
//     never set, so this one never clears; the deadline ends it, and probe() steers such sites to helper mode.
//   - ESLURM_NODES_BUSY, ESLURM_PORTS_BUSY, ESLURM_INTERCONNECT_BUSY, ESLURM_RESERVATION_BUSY,
//     ESLURM_PROLOG_RUNNING: a resource is busy for the moment.
// Deliberately permanent:
//   - ESLURM_NOT_SUPPORTED: it is what slurmctld answers when a job may not grow because the site lacks
//     SchedulerParameters=permit_job_expansion; retrying cannot change the configuration.
//   - ESLURM_DISABLED, ESLURM_SUBMISSIONS_DISABLED, ESLURM_ACCESS_DENIED, ESLURM_INVALID_*, ESLURM_DEPENDENCY,
//     ESLURM_ALREADY_DONE, ESLURM_JOB_FINISHED, ESLURM_ACCOUNTING_POLICY: a retry gets the same answer.
//   - SLURM_PROTOCOL_VERSION_ERROR, SLURM_PROTOCOL_AUTHENTICATION_ERROR, ESLURM_AUTH_*: a broken setup
//     (library/controller mismatch, munge) that a person must fix.
//
// Thread-safety: pure functions (slurm_strerror returns static text).
#pragma once

#include <string>

namespace compss::connector {

bool is_transient(int code);

// SLURM's own text for a code ("Invalid job id specified"); "error <n>" when it has none, and
// "unknown error" for 0 (a call that failed without setting an error).
std::string slurm_error_text(int code);

}  // namespace compss::connector
