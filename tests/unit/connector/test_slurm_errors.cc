#include <catch2/catch.hpp>

#include <cerrno>

#include <slurm/slurm_errno.h>

#include "connector/slurm_errors.h"

using namespace compss::connector;

TEST_CASE("errors of reaching slurmctld are transient", "[connector][errors]") {
  for (int code : std::initializer_list<int>{SLURM_PROTOCOL_SOCKET_IMPL_TIMEOUT, SLURMCTLD_COMMUNICATIONS_CONNECTION_ERROR,
                   SLURMCTLD_COMMUNICATIONS_SEND_ERROR, SLURMCTLD_COMMUNICATIONS_RECEIVE_ERROR,
                   SLURM_COMMUNICATIONS_CONNECTION_ERROR, SLURM_PROTOCOL_SOCKET_ZERO_BYTES_SENT,
                   ESLURM_PROTOCOL_INCOMPLETE_PACKET, ECONNREFUSED, ECONNRESET, ETIMEDOUT, EAGAIN, EINTR}) {
    INFO(code << " " << slurm_error_text(code));
    CHECK(is_transient(code));
  }
}

TEST_CASE("errors where slurmctld says try again are transient", "[connector][errors]") {
  for (int code : std::initializer_list<int>{ESLURM_IN_STANDBY_MODE, ESLURM_IN_STANDBY_USE_BACKUP, ESLURM_TRANSITION_STATE_NO_UPDATE,
                   ESLURM_JOB_SETTING_DB_INX, ESLURM_DB_CONNECTION, ESLURM_NODES_BUSY, ESLURM_PROLOG_RUNNING}) {
    INFO(code << " " << slurm_error_text(code));
    CHECK(is_transient(code));
  }
}

TEST_CASE("errors a retry cannot change are permanent", "[connector][errors]") {
  for (int code : std::initializer_list<int>{ESLURM_NOT_SUPPORTED, ESLURM_DISABLED, ESLURM_INVALID_JOB_ID, ESLURM_ACCESS_DENIED,
                   ESLURM_INVALID_PARTITION_NAME, ESLURM_INVALID_NODE_COUNT, ESLURM_DEPENDENCY, ESLURM_ALREADY_DONE,
                   ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE, SLURM_PROTOCOL_VERSION_ERROR,
                   SLURM_PROTOCOL_AUTHENTICATION_ERROR, ESLURM_AUTH_CRED_INVALID, SLURM_ERROR, 0}) {
    INFO(code << " " << slurm_error_text(code));
    CHECK_FALSE(is_transient(code));
  }
}

TEST_CASE("error texts are SLURM's own", "[connector][errors]") {
  CHECK(slurm_error_text(ESLURM_INVALID_JOB_ID) == "Invalid job id specified");
  CHECK(slurm_error_text(0) == "unknown error");
  CHECK_FALSE(slurm_error_text(ECONNREFUSED).empty());
}
