# tests/integration/elastic-lib.sh - shared steps of the elastic-*.test scripts (sourced after testlib.sh).
# shellcheck shell=bash
#
# What it is: a compssd run inside `sbatch -N1 --exclusive` with --options max-nodes=4,idle=5,..., a driver
# that submits N tasks of S seconds (each leaves done/<index>.<attempt>.<pid> naming its node), waits for
# them, sleeps while the job shrinks and then records the job's node list and the nodes' states; and a
# sampler of the job's node count (merge: the job's own NumNodes; helper: 1 + the nodes of running helper jobs).
# Failure behaviour: el_* functions call it_fail / it_skip themselves.

EL_BIN_DIRS=""

# el_setup: the cluster answers, 4 nodes are idle, compssd / compss-agent / compss are built.
el_setup() {
  it_require_cluster
  local b=${COMPSS_BUILDDIR:?}
  for f in daemon/compssd daemon/agent/compss-agent tools/cli/compss; do
    [ -x "$b/$f" ] || it_skip "$b/$f is not built"
  done
  EL_BIN_DIRS="$b/tools/cli:$b/daemon:$b/daemon/agent"
  local idle
  idle=$(sinfo -h -t idle -o %D | awk '{n += $1} END {print n + 0}')
  [ "$idle" -ge 4 ] || it_skip "needs 4 idle nodes, the cluster has $idle"
}

# el_driver TASKS SECONDS LINGER : writes ./driver.sh.
el_driver() {
  cat >driver.sh <<DRIVER
#!/bin/bash
mkdir -p done
compss submit --array 1-$1 -- bash -c 'echo "\$SLURMD_NODENAME" > done/{i}.\$COMPSS_TASK_ATTEMPT.\$\$; sleep $2' >/dev/null || exit 11
compss wait --all || exit 12
date +%s%3N >waited.ms
sleep $3
scontrol show job "\$SLURM_JOB_ID" | grep -o ' NodeList=[^ ]*' | cut -d= -f2 >end-nodelist.txt
sinfo -h -N -o '%N %T' >end-sinfo.txt
compss status >end-status.txt 2>&1
compss nodes >end-nodes.txt 2>&1
compss nodes --json >end-nodes.json 2>&1
DRIVER
  chmod +x driver.sh
}

# el_submit OPTIONS [COMPSSD ARGS...] : submits the run, prints the job id.
el_submit() {
  local opts=$1
  shift
  it_submit -N1 --exclusive -J elastic-test -o run.out --export="ALL,PATH=$EL_BIN_DIRS:$PATH" \
    --wrap "exec compssd --options $opts $* -- ./driver.sh"
}

# el_sample JOB MODE : in the background, one line "ms nodes" per 200 ms to nodes.log until the job ends.
el_sample() {
  local job=$1 mode=$2
  (
    while :; do
      # squeue fails while slurmctld does not answer (elastic-outage stops it): keep sampling then; an
      # answer naming nothing means the job has ended.
      if ! st=$(squeue -h -j "$job" -o '%T %D' 2>/dev/null); then sleep 0.5; continue; fi
      [ -z "$st" ] && break
      n=${st#* }
      if [ "$mode" = helper ]; then
        h=$(squeue -h -n "compss-grow-$job" -t RUNNING -o %D 2>/dev/null | awk '{n += $1} END {print n + 0}')
        n=$((n + h))
      fi
      [ "${st%% *}" = RUNNING ] && echo "$(it_ms) $n" >>nodes.log
      sleep 0.2
    done
  ) &
  EL_SAMPLER=$!
}

el_max_nodes() { awk 'BEGIN {m = 0} $2 > m {m = $2} END {print m}' nodes.log 2>/dev/null; }

# el_check_tasks N : every index 1..N ran exactly once (one record, attempt 1).
el_check_tasks() {
  local n=$1 count dup missing=""
  count=$(find done -type f 2>/dev/null | grep -c .)
  [ "$count" -eq "$n" ] || it_fail "expected $n task records in done/, found $count: $(ls done 2>/dev/null | head -50 | tr '\n' ' ')"
  for i in $(seq 1 "$n"); do
    ls done/"$i".1.* >/dev/null 2>&1 || missing="$missing $i"
  done
  [ -z "$missing" ] || it_fail "tasks without a first-attempt record:$missing"
  dup=$(find done -type f -printf '%f\n' | cut -d. -f1 | sort | uniq -d | tr '\n' ' ')
  [ -z "$dup" ] || it_fail "tasks that ran more than once: $dup"
}

# el_wait_done JOB SECONDS : waits for the job's end; it must be COMPLETED with a successful summary.
el_wait_done() {
  local state
  state=$(it_wait_ended "$1" "$2") || it_fail "job $1 is $state after $2 s, expected it ended; run.out: $(tail -20 run.out)"
  wait "$EL_SAMPLER" 2>/dev/null
  [ "$state" = COMPLETED ] || it_fail "job $1 ended $state; run.out: $(tail -40 run.out)"
  grep -Eq "^compss summary: .*, (succeeded|no tasks)$" run.out || it_fail "the run's summary does not say it succeeded: $(head -5 run.out)"
}
