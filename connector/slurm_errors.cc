#include "connector/slurm_errors.h"

#include <cerrno>
#include <cstdint>

#include <slurm/slurm_errno.h>

namespace compss::connector {

bool is_transient(int code) {
  switch (code) {
    case SLURM_COMMUNICATIONS_CONNECTION_ERROR:
    case SLURM_COMMUNICATIONS_SEND_ERROR:
    case SLURM_COMMUNICATIONS_RECEIVE_ERROR:
    case SLURM_COMMUNICATIONS_SHUTDOWN_ERROR:
    case SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR:
    case SLURMCTLD_COMMUNICATIONS_SEND_ERROR:
    case SLURMCTLD_COMMUNICATIONS_RECEIVE_ERROR:
    case SLURMCTLD_COMMUNICATIONS_SHUTDOWN_ERROR:
    case SLURM_PROTOCOL_SOCKET_IMPL_ZERO_RECV_LENGTH:
    case SLURM_PROTOCOL_SOCKET_IMPL_NEGATIVE_RECV_LENGTH:
    case SLURM_PROTOCOL_SOCKET_IMPL_NOT_ALL_DATA_SENT:
    case ESLURM_PROTOCOL_INCOMPLETE_PACKET:
    case SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT:
    case SLURM_PROTOCOL_SOCKET_ZERO_BYTES_SENT:
    case ECONNREFUSED:
    case ECONNRESET:
    case ECONNABORTED:
    case ETIMEDOUT:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EAGAIN:
    case EINTR:
    case ESLURM_IN_STANDBY_MODE:
    case ESLURM_IN_STANDBY_USE_BACKUP:
    case ESLURM_TRANSITION_STATE_NO_UPDATE:
    case ESLURM_JOB_SETTING_DB_INX:
    case ESLURM_DB_CONNECTION:
    case ESLURM_NODES_BUSY:
    case ESLURM_PORTS_BUSY:
    case ESLURM_INTERCONNECT_BUSY:
    case ESLURM_RESERVATION_BUSY:
    case ESLURM_PROLOG_RUNNING:
      return true;
    default:
      return false;
  }
}

std::string slurm_error_text(int code) {
  if (code == 0) return "unknown error";
  const char* s = slurm_strerror(code);
  if (s == nullptr || *s == '\0') return "error " + std::to_string(code);
  return s;
}

}  // namespace compss::connector
