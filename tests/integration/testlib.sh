# tests/integration/testlib.sh - helpers for the integration tests (sourced by each *.test script).
# shellcheck shell=bash
#
# What it is: small, bounded helpers over plain SLURM commands (sbatch, scontrol, sacct, squeue) for
# tests run by tests/run-integration against the local test cluster (tests/cluster/).
# Lifecycle: a test sources this file first; every job it submits through it_submit is cancelled
# when the test exits, whatever the outcome (the ids go through a file, so that also holds for
# `id=$(it_submit ...)`, which runs in a subshell).
# Failure behaviour: it_fail prints "FAIL: <why>" and exits 1; it_skip prints the reason and exits 77
# (run-integration shows the last line of a skipped test's output as the reason). Both write to
# stderr, so that inside $(...) the message still reaches the log; the caller then adds `|| exit 1`.
# Waits never block longer than the seconds they are given.

set -uo pipefail

IT_NAME=$(basename "$0" .test)
IT_JOBS_FILE=$(mktemp /tmp/it-jobs.XXXXXX)

it_ms() { date +%s%3N; }
it_log() { printf '[%s %s] %s\n' "$IT_NAME" "$(date +%T.%3N)" "$*"; }
it_fail() {
  printf 'FAIL: %s\n' "$*" >&2
  exit 1
}
it_skip() {
  printf '%s\n' "$*" >&2
  exit 77
}

it_cancel_jobs() {
  local jobs
  jobs=$(tr '\n' ' ' <"$IT_JOBS_FILE" 2>/dev/null)
  # shellcheck disable=SC2086
  [ -n "${jobs// /}" ] && scancel $jobs 2>/dev/null
  rm -f "$IT_JOBS_FILE"
  return 0
}
trap it_cancel_jobs EXIT

# The cluster must answer before anything else is worth trying.
it_require_cluster() {
  command -v sbatch >/dev/null || it_skip "SLURM client commands are not installed"
  scontrol ping >/dev/null 2>&1 || it_skip "the test cluster does not answer (run tests/cluster/up)"
}

# it_submit SBATCH_ARGS... : submit a batch job, print its id, cancel it when the test exits.
it_submit() {
  local out id
  out=$(sbatch --parsable "$@" 2>&1) || it_fail "sbatch $* failed: $out"
  id=${out%%;*}
  [[ $id =~ ^[0-9]+$ ]] || it_fail "sbatch $* printed no job id: $out"
  echo "$id" >>"$IT_JOBS_FILE"
  echo "$id"
}

# it_job_field JOBID FIELD : one field of `scontrol show job` (e.g. JobState, NodeList, ExitCode).
it_job_field() {
  scontrol show job -o "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1
}

# it_wait_state JOBID REGEX SECONDS : wait until the job's state matches REGEX (anchored);
# prints the state; non-zero when the time is up.
it_wait_state() {
  local deadline=$(($(it_ms) + $3 * 1000)) state
  while :; do
    state=$(it_job_field "$1" JobState)
    [[ $state =~ ^($2)$ ]] && { echo "$state"; return 0; }
    [ "$(it_ms)" -ge "$deadline" ] && { echo "${state:-unknown}"; return 1; }
    sleep 0.1
  done
}

IT_ENDED='COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE'

# it_wait_ended JOBID SECONDS : wait until the job has ended; prints its final state.
it_wait_ended() { it_wait_state "$1" "$IT_ENDED" "$2"; }

# it_sacct_state JOBID SECONDS : the job's state as recorded by accounting (slurmdbd), waiting
# for the record to arrive (accounting is asynchronous); prints "STATE EXITCODE".
it_sacct_state() {
  local deadline=$(($(it_ms) + $2 * 1000)) line
  while :; do
    line=$(sacct -n -X -P -j "$1" -o State,ExitCode 2>/dev/null | tail -1)
    [[ ${line%%|*} =~ ^($IT_ENDED)$ ]] && { echo "${line/|/ }"; return 0; }
    [ "$(it_ms)" -ge "$deadline" ] && { echo "${line:-no record}"; return 1; }
    sleep 0.2
  done
}

# it_hosts NODELIST : the node names of a SLURM host list, one per line, sorted.
it_hosts() { [ -n "$1" ] && [ "$1" != "(null)" ] && scontrol show hostnames "$1" | sort; }

# it_node_state NODE : the node's state as sinfo prints it (idle, allocated, mixed, down*, ...).
it_node_state() { sinfo -h -N -n "$1" -o %T | head -1; }
