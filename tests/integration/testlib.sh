# tests/integration/testlib.sh - helpers for the integration tests (sourced by each *.test script).
# shellcheck shell=bash
#
# What it is: small, bounded helpers over plain SLURM commands (sbatch, scontrol, sacct, squeue) for
# tests run by tests/run-integration against the local test cluster (tests/cluster/).
# Lifecycle: a test sources this file first; every job it submits through it_submit or it_submit_as is
# cancelled when the test exits, whatever the outcome (the ids go through a file, so that also holds for
# `id=$(it_submit ...)`, which runs in a subshell). Directories it_user_dir had to make under /tmp are
# removed when the test passes (kept for a look otherwise). Users made by it_user stay.
# Failure behaviour: it_fail prints "FAIL: <why>" and exits 1; it_skip prints the reason and exits 77
# (run-integration shows the last line of a skipped test's output as the reason). Both write to
# stderr, so that inside $(...) the message still reaches the log; the caller then adds `|| exit 1`.
# Waits never block longer than the seconds they are given.

set -uo pipefail

IT_NAME=$(basename "$0" .test)
IT_JOBS_FILE=$(mktemp /tmp/it-jobs.XXXXXX)
IT_TMP_DIRS_FILE=$(mktemp /tmp/it-dirs.XXXXXX)

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
# On exit: the test's jobs are cancelled; directories it_user_dir made in /tmp go when the test passed.
it_on_exit() {
  local rc=$? d
  it_cancel_jobs
  if [ "$rc" -eq 0 ]; then
    while read -r d; do [[ $d == /tmp/compss-it-* ]] && rm -rf "$d"; done <"$IT_TMP_DIRS_FILE"
  fi
  rm -f "$IT_TMP_DIRS_FILE"
}
trap it_on_exit EXIT

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

# --- Jobs submitted as users submit them: non-root users, sbatch --compss ------------------------
# The tests that use these create the local users compss-alice and compss-bob (once; they stay) and
# give each a directory of its own under the test's scratch directory, owned by the user, as the job's
# working directory.

# it_user NAME : the local user NAME exists (created with a home directory the first time).
it_user() {
  [ "$(id -u)" = 0 ] || it_skip "needs root to create and act as the test user $1"
  id -u "$1" >/dev/null 2>&1 && return 0
  local out
  out=$(useradd -m -s /bin/bash "$1" 2>&1) || id -u "$1" >/dev/null 2>&1 || it_fail "useradd $1 failed: $out"
}

# it_as USER CMD... : CMD as USER (runuser keeps the caller's environment but HOME, SHELL, USER, LOGNAME).
it_as() {
  local user=$1
  shift
  runuser -u "$user" -- "$@"
}

# it_user_dir USER DIR : makes DIR (relative to the scratch directory) owned by USER, mode 0755, and
# prints its absolute path. When USER cannot reach the scratch directory (a parent such as /root is
# mode 0700), the directory is made under /tmp instead (removed when the test passes) and DIR becomes a
# link to it, so its files are still found under the scratch directory.
it_user_dir() {
  local user=$1 dir=$2 real
  mkdir -p "$dir" || it_fail "cannot create $dir"
  real=$(cd "$dir" && pwd)
  if ! it_as "$user" test -x "$real"; then
    rmdir "$dir"
    real=$(mktemp -d "/tmp/compss-it-$IT_NAME-$user.XXXXXX") || it_fail "mktemp in /tmp failed"
    ln -s "$real" "$dir"
    echo "$real" >>"$IT_TMP_DIRS_FILE"
    it_log "$user cannot reach $PWD: its directory is $real" >&2
  fi
  { chown "$user:" "$real" && chmod 0755 "$real"; } || it_fail "cannot give $real to $user"
  it_as "$user" test -w "$real" || it_fail "$user cannot write $real although it owns it"
  echo "$real"
}

# it_submit_as USER SBATCH_ARGS... : it_submit as USER, from the current directory (which USER must be
# able to write when the job writes there); the job is cancelled when the test exits.
it_submit_as() {
  local user=$1 out id
  shift
  out=$(it_as "$user" sbatch --parsable "$@" 2>&1) || it_fail "sbatch $* as $user failed: $out"
  id=${out%%;*}
  [[ $id =~ ^[0-9]+$ ]] || it_fail "sbatch $* as $user printed no job id: $out"
  echo "$id" >>"$IT_JOBS_FILE"
  echo "$id"
}

# it_require_mpi: mpicc and SLURM's PMIx plugin are here, else the test is skipped saying which is missing.
it_require_mpi() {
  command -v mpicc >/dev/null || it_skip "mpicc is not installed (apt-get install libopenmpi-dev)"
  srun --mpi=list 2>&1 | grep -qw pmix || it_skip "this SLURM has no PMIx plugin (srun --mpi=list)"
}

# it_build_mpi_where DIR: builds mpi_where.c (each rank's node, CPUs and cores) into DIR/mpi_where.
it_build_mpi_where() {
  mpicc -O1 -o "$1/mpi_where" "$(dirname "${BASH_SOURCE[0]}")/mpi_where.c" || it_fail "mpicc could not build mpi_where.c"
}

# it_require_spank_runtime : the SPANK plugin is registered and compssd, compss-agent and compss are built;
# sets IT_RT_PATH, the PATH a --compss job needs (the plugin finds compssd on the job's PATH).
it_require_spank_runtime() {
  grep -qs spank_compss /etc/slurm/plugstack.conf.d/compss.conf ||
    it_skip "the SPANK plugin is not registered (tests/cluster/up --spank .../spank_compss.so)"
  local b=${COMPSS_BUILDDIR:?COMPSS_BUILDDIR is not set} f
  for f in tools/cli/compss daemon/compssd daemon/agent/compss-agent; do
    [ -x "$b/$f" ] || it_skip "$b/$f is not built"
  done
  # shellcheck disable=SC2034 # for the tests
  IT_RT_PATH=$b/tools/cli:$b/daemon:$b/daemon/agent:$PATH
}

# it_wait_idle SECONDS NODE... : wait until every NODE is idle (a job that just ended may leave its nodes
# completing for a moment); prints "NODE STATE" of those that are not, non-zero when the time is up.
# slurmctld's own node record (scontrol: State, CPUAlloc) is asked, not sinfo, whose CPU counts lag: seen
# "mixed 1/1/0/2" for a minute after the last job on the node ended, while scontrol said IDLE, CPUAlloc=0.
it_wait_idle() {
  local deadline=$(($(it_ms) + $1 * 1000)) n st busy
  shift
  while :; do
    busy=""
    for n in "$@"; do
      st=$(scontrol show node "$n" 2>/dev/null | grep -oE '(State|CPUAlloc)=[^ ]+' | tr '\n' ' ')
      [[ $st == *"CPUAlloc=0 "* && $st == *"State=IDLE "* ]] || busy="$busy $n ${st:-unknown}"
    done
    [ -z "$busy" ] && return 0
    [ "$(it_ms)" -ge "$deadline" ] && { echo "${busy# }"; return 1; }
    sleep 0.5
  done
}

# --- CPU ids: what SLURM allocated and where tasks ran ----------------------------------------------
# On the test cluster SLURM's CPU ids (scontrol show job -d: CPU_IDs) are the OS CPU numbers of the
# machine, since every fake node claims the same CPUs of it.

# it_cpus LIST : a CPU list (Linux or SLURM syntax: "0-1,3") as sorted unique ids, space-separated.
it_cpus() {
  local part i ids=()
  local IFS=,
  for part in $1; do
    part=${part//[[:space:]]/}
    if [[ $part =~ ^([0-9]+)-([0-9]+)$ ]]; then
      for ((i = BASH_REMATCH[1]; i <= BASH_REMATCH[2]; i++)); do ids[i]=1; done
    elif [[ $part =~ ^[0-9]+$ ]]; then
      ids[10#$part]=1
    elif [ -n "$part" ]; then
      echo "bad-cpu-list:$1"
      return 1
    fi
  done
  IFS=' '
  echo "${!ids[*]}" # an indexed array's indices come sorted
}

# it_cpus_within LIST OF : every CPU of LIST is in OF (both lists in any syntax it_cpus reads); an
# empty LIST is not within anything.
it_cpus_within() {
  local a b c
  a=$(it_cpus "$1") || return 1
  b=" $(it_cpus "$2") "
  [ -n "$a" ] || return 1
  for c in $a; do [[ $b == *" $c "* ]] || return 1; done
}

# it_cpus_meet LIST1 LIST2 : the two lists share a CPU.
it_cpus_meet() {
  local a b c
  a=$(it_cpus "$1") b=" $(it_cpus "$2") "
  for c in $a; do [[ $b == *" $c "* ]] && return 0; done
  return 1
}

# it_cpu_map : reads `scontrol show job -d` text on stdin, prints one line "NODE CPUS" per node the job
# holds, CPUS comma-separated (e.g. "n1 1", "n2 0,1"), sorted by node.
it_cpu_map() {
  local line nodes cpus n
  while read -r line; do
    [[ $line =~ ^Nodes=([^ ]+)\ CPU_IDs=([^ ]+) ]] || continue
    nodes=${BASH_REMATCH[1]} cpus=$(it_cpus "${BASH_REMATCH[2]}")
    for n in $(scontrol show hostnames "$nodes"); do echo "$n ${cpus// /,}"; done
  done | sort
}

# it_job_cpus JOBID : it_cpu_map of the job as slurmctld has it now.
it_job_cpus() { scontrol show job -d "$1" 2>/dev/null | it_cpu_map; }

# it_node_cpus NODE : from it_cpu_map lines on stdin, the CPUs (comma-separated) held on NODE.
it_node_cpus() { awk -v n="$1" '$1 == n {print $2}'; }

# it_sample_alloc JOB FILE : in the background until JOB has ended, every ~0.25 s, one line per job of
# interest, "MS JOBID ROLE STATE NODELIST NUMCPUS DETAIL": JOB itself (ROLE job) and its grow helper jobs
# (compss-grow-JOB, ROLE helper). NODELIST is slurmctld's node list (compressed, e.g. n[1-2]); DETAIL is
# scontrol -d's per-node CPU ids, "HOSTLIST:CPUS|..." (e.g. n1:1|n[2-3]:0-1), or - when it has none.
# One `scontrol show job -d` per sample. Sets IT_SAMPLER.
# SLURM 22.05: after a merge (job expansion) the job's DETAIL is wrong (it lacks the merged nodes and may
# claim CPUs of other jobs): trust the job's DETAIL only before its first merge, a helper's before its merge.
it_sample_alloc() {
  local job=$1 file=$2
  (
    while :; do
      # scontrol fails while slurmctld does not answer: keep sampling; an ended job stops the sampler.
      if ! d=$(scontrol show job -d 2>/dev/null); then sleep 0.5; continue; fi
      lines=$(awk -v job="$job" -v now="$(it_ms)" '
        function flush() {
          if (id != "" && (id == job || name == "compss-grow-" job))
            print now, id, (id == job ? "job" : "helper"), st, (nl == "" ? "-" : nl), (nc == "" ? 0 : nc), (det == "" ? "-" : det)
          id = name = st = nl = nc = det = ""
        }
        {
          for (i = 1; i <= NF; i++) {
            if ($i ~ /^JobId=/) { flush(); id = substr($i, 7) }
            else if ($i ~ /^JobName=/) name = substr($i, 9)
            else if ($i ~ /^JobState=/) st = substr($i, 10)
            else if ($i ~ /^NodeList=/) nl = substr($i, 10)
            else if ($i ~ /^NumCPUs=/) nc = substr($i, 9)
            else if ($i ~ /^Nodes=/ && $(i + 1) ~ /^CPU_IDs=/) det = det (det == "" ? "" : "|") substr($i, 7) ":" substr($(i + 1), 9)
          }
        }
        END { flush() }' <<<"$d")
      [ -n "$lines" ] && echo "$lines" >>"$file"
      st=$(awk '$3 == "job" {print $4}' <<<"$lines")
      [ -z "$st" ] && break # slurmctld forgot the job
      [[ $st =~ ^($IT_ENDED)$ ]] && break
      sleep 0.25
    done
  ) &
  # shellcheck disable=SC2034 # for the tests
  IT_SAMPLER=$!
}

# it_sampled_max_nodes FILE : "COUNT NODELIST" of the sample (it_sample_alloc) in which the job and its
# running helper jobs together held the most distinct nodes while the job ran (merge mode: the job's own
# list; helper mode: the job's plus its helpers'); "0 -" when none. NODELIST joins the lists with '+'.
it_sampled_max_nodes() {
  local nl best=0 bestnl=- c
  while read -r nl; do
    c=$(for l in ${nl//+/ }; do it_hosts "$l"; done | sort -u | grep -c .)
    [ "$c" -gt "$best" ] && best=$c bestnl=$nl
  done < <(awk '$4 == "RUNNING" && $5 != "-" && ($3 == "job" || $3 == "helper") {
                  l[$1] = ($1 in l) ? l[$1] "+" $5 : $5; if ($3 == "job") j[$1] = 1 }
                END { for (t in l) if (t in j) print l[t] }' "$1" | sort -u)
  echo "$best $bestnl"
}

# it_sampled_helper_cpus FILE NODE : the union of the CPU ids (comma-separated) that running helper jobs
# were seen holding on NODE (empty when no sample caught a helper there before its merge).
it_sampled_helper_cpus() {
  local det item found="" list
  while read -r det; do
    for item in ${det//|/ }; do
      it_hosts "${item%%:*}" | grep -qx "$2" && found="$found,${item#*:}"
    done
  done < <(awk '$3 == "helper" && $4 == "RUNNING" && $7 != "-" {print $7}' "$1" | sort -u)
  list=$(it_cpus "${found#,}")
  echo "${list// /,}"
}

# it_sampled_join_cpus FILE NODE : for each time the job's samples show NODE joining its node list (the
# only change between two samples), how many CPUs the job's NumCPUs grew by then; one number per join,
# oldest first. What accounting may not say for a helper merged within the second it was granted.
it_sampled_join_cpus() {
  local nl nc prevset="" prevnc="" set added removed
  while read -r nl nc; do
    set=" $(it_hosts "$nl" | sort -u | tr '\n' ' ')"
    if [ -n "$prevset" ] && [[ $set == *" $2 "* ]] && [[ $prevset != *" $2 "* ]]; then
      added=$(comm -13 <(tr ' ' '\n' <<<"$prevset" | grep . | sort) <(tr ' ' '\n' <<<"$set" | grep . | sort) | grep -c .)
      removed=$(comm -23 <(tr ' ' '\n' <<<"$prevset" | grep . | sort) <(tr ' ' '\n' <<<"$set" | grep . | sort) | grep -c .)
      if [ "$added" -eq 1 ] && [ "$removed" -eq 0 ]; then echo $((nc - prevnc)); else echo "?"; fi
    fi
    prevset=$set prevnc=$nc
  done < <(awk '$3 == "job" && $4 == "RUNNING" && $5 != "-" && ($5 " " $6) != last {last = $5 " " $6; print $5, $6}' "$1")
}

# it_helper_grants JOB : the nodes the grow helper jobs of JOB (compss-grow-JOB) were granted, one line per
# helper and node, oldest first: "HELPERID NODE CPUS EPOCH" (CPUS: how many CPUs accounting or the log says
# the helper got, ? when neither says; EPOCH: the grant's second). The helpers are those accounting knows;
# their nodes come from slurmctld's log (SlurmctldLogFile: "_slurm_rpc_allocate_resources JobId=H
# NodeList=N", "sched: Allocate JobId=H NodeList=N #CPUs=C", "_start_job: Started JobId=H in P on N"),
# since accounting loses the node of a helper merged within the second it was granted ("None assigned").
# Waits (at most 20 s) for JOB's end to reach accounting first.
it_helper_grants() {
  it_sacct_state "$1" 20 >/dev/null
  local log ids rows id nl cpus n line t
  log=$(scontrol show config 2>/dev/null | sed -n 's/^SlurmctldLogFile *= *//p')
  rows=$(sacct -a -X -D -n -P --name="compss-grow-$1" -S now-6hours -o JobID,NodeList,AllocCPUS 2>/dev/null)
  ids=$(cut -d'|' -f1 <<<"$rows" | grep -E '^[0-9]+$' | sort -un)
  for id in $ids; do
    line=$(grep -E "(_slurm_rpc_allocate_resources|sched: Allocate|_start_job: Started) JobId=$id( |$)" "$log" 2>/dev/null | head -1)
    if [[ $line =~ NodeList=([^ ]+) ]] || [[ $line =~ \ on\ ([^ ]+)$ ]]; then
      nl=${BASH_REMATCH[1]}
    else # no log line (another log file?): what accounting has
      nl=$(awk -F'|' -v id="$id" '$1 == id && $2 !~ /^None/ {print $2; exit}' <<<"$rows")
    fi
    [ -z "$nl" ] && { echo "$id ? ? 0"; continue; }
    cpus=$(awk -F'|' -v id="$id" '$1 == id && $3 > 0 {print $3; exit}' <<<"$rows")
    [ -z "$cpus" ] && [[ $line =~ \#CPUs=([0-9]+) ]] && cpus=${BASH_REMATCH[1]}
    t=0
    [[ $line =~ ^\[([0-9T:-]+) ]] && t=$(date -d "${BASH_REMATCH[1]}" +%s 2>/dev/null || echo 0)
    for n in $(it_hosts "$nl"); do echo "$id $n ${cpus:-?} $t"; done
  done | sort -k4,4n -k1,1n
}

# Problems collected instead of stopping at the first: it_problem MESSAGE records one (and prints it);
# it_problems_fail fails the test naming them all, if there are any.
IT_PROBLEMS=()
it_problem() {
  IT_PROBLEMS+=("$*")
  it_log "problem: $*" >&2
}
it_problems_fail() {
  [ ${#IT_PROBLEMS[@]} -eq 0 ] && return 0
  local p msg="${#IT_PROBLEMS[@]} problem(s):"
  for p in "${IT_PROBLEMS[@]}"; do msg="$msg
  - $p"; done
  it_fail "$msg"
}

# it_task_script FILE : writes the task FILE INDEX SECONDS, which records in tasks/INDEX.ATTEMPT.PID
# "node=N allowed=CPUS cores=COMPSS_TASK_CORES start=MS end=MS": the node it ran on, the CPUs it was
# bound to (its Cpus_allowed_list), what the agent said it bound, and when it ran.
it_task_script() {
  cat >"$1" <<'TASK'
#!/bin/bash
start=$(date +%s%3N)
allowed=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/$$/status)
sleep "${2:-0}"
mkdir -p tasks
echo "node=${SLURMD_NODENAME:-} allowed=$allowed cores=${COMPSS_TASK_CORES:-} start=$start end=$(date +%s%3N)" \
  >"tasks/$1.${COMPSS_TASK_ATTEMPT:-0}.$$"
TASK
  chmod 0755 "$1"
}

# it_task_field RECORD KEY : one field of a task record file.
it_task_field() { tr ' ' '\n' <"$1" | sed -n "s/^$2=//p"; }

# it_task_record_problems DIR N : prints what is wrong with DIR/tasks (nothing when it holds exactly one
# record of each task 1..N, each of its first attempt).
it_task_record_problems() {
  local dir=$1/tasks n=$2 count missing="" dup i
  count=$(find "$dir" -type f 2>/dev/null | grep -c .)
  for i in $(seq 1 "$n"); do
    compgen -G "$dir/$i.1.*" >/dev/null || missing="$missing $i"
  done
  [ -z "$missing" ] && [ "$count" -eq "$n" ] && return 0
  dup=$(find "$dir" -type f -printf '%f\n' 2>/dev/null | cut -d. -f1 | sort | uniq -d | tr '\n' ' ')
  echo "expected one record of each of $n tasks in $dir, found $count;${missing:+ no first-attempt record of:$missing;}${dup:+ more than one run of: $dup}"
}

# it_check_task_records DIR N : it_task_record_problems, as a failure.
it_check_task_records() {
  local p
  p=$(it_task_record_problems "$1" "$2")
  [ -z "$p" ] || it_fail "$p"
}
