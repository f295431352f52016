# tests/cluster/lib.sh - shared by tests/cluster/up and tests/cluster/down (sourced, never run).
# shellcheck shell=bash disable=SC2034
#
# What it is: the layout of the local four-node test cluster (one state directory holding configs,
# state, logs, PID files and the MariaDB datadir) and the small helpers both scripts need: logging,
# clocks, bounded waits, PID-file checks that guard against PID reuse, config rendering.
# Lifecycle: `up` renders configs and starts daemons; `down` stops them by the PID files named here.
# Failure behaviour: helpers return non-zero, they never exit; the scripts decide.
# Thread-safety: none needed (one script at a time; fixed ports allow one cluster per machine).

CLUSTER_DIR=${COMPSS_CLUSTER_DIR:-/tmp/compss-cluster}
CLUSTER_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLUSTER_NAME=compss
CLUSTER_HOST=$(hostname -s)      # slurmctld insists on running on the host SlurmctldHost names
CLUSTER_NODES=(n1 n2 n3 n4)
NODE_CPUS=2
NODE_MEM=1000
NODE_PORT_BASE=17000            # node nX listens on NODE_PORT_BASE + X
CTLD_PORT=6817
SLURMD_PORT=6818
DBD_PORT=6819
MYSQL_PORT=3307                 # not 3306: never clash with a system MariaDB
DB_USER=slurm
DB_PASS=compss-testbed
DB_NAME=slurm_acct_db

RUN_DIR=$CLUSTER_DIR/run
LOG_DIR=$CLUSTER_DIR/log
ETC_DIR=$CLUSTER_DIR/etc
STATE_DIR=$CLUSTER_DIR/state
SPOOL_DIR=$CLUSTER_DIR/spool
TMPFS_DIR=$CLUSTER_DIR/tmp
DB_DIR=$CLUSTER_DIR/mysql
DB_SOCK=$RUN_DIR/mysql.sock

SLURM_ETC=/etc/slurm
SPANK_REG=$SLURM_ETC/plugstack.conf.d/compss.conf
SPANK_MARK="# written by slurm-compss tests/cluster/up"
# munged is shared with the host: this marker means `up` started it, so `down` may stop it.
MUNGED_MARK=$RUN_DIR/munged.pid

cl_log() { printf '[%s %s] %s\n' "${CL_PROG:-cluster}" "$(date +%T.%3N)" "$*"; }
cl_err() { printf '[%s %s] error: %s\n' "${CL_PROG:-cluster}" "$(date +%T.%3N)" "$*" >&2; }
cl_now_ms() { date +%s%3N; }

# cl_wait SECONDS CMD... : poll CMD every 50 ms until it succeeds; non-zero when the time is up.
cl_wait() {
  local deadline=$(($(cl_now_ms) + $1 * 1000))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$(cl_now_ms)" -ge "$deadline" ] && return 1
    sleep 0.05
  done
}

# The daemons this cluster runs, in start order, as "name pidfile command-name".
cl_daemons() {
  local n
  echo "munged $MUNGED_MARK munged"
  echo "mariadbd $RUN_DIR/mariadb.pid mariadbd"
  echo "slurmdbd $RUN_DIR/slurmdbd.pid slurmdbd"
  echo "slurmctld $RUN_DIR/slurmctld.pid slurmctld"
  for n in "${CLUSTER_NODES[@]}"; do echo "slurmd-$n $RUN_DIR/slurmd-$n.pid slurmd"; done
}

# cl_running PID : the process exists and is not a zombie. Zombies count as gone: on hosts whose
# PID 1 reaps orphans only now and then, a stopped daemon lingers as a zombie for seconds.
cl_running() {
  local stat
  [ -n "$1" ] && read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  stat=${stat##*) }
  [ "${stat:0:1}" != Z ] && [ "${stat:0:1}" != X ]
}

# cl_pgrep COMM : PIDs of the running (non-zombie) processes named exactly COMM.
cl_pgrep() { local p; for p in $(pgrep -x "$1"); do cl_running "$p" && echo "$p"; done; }

# cl_pid_alive PID COMM : the process runs and is really COMM (a stale PID file may name a reused PID).
cl_pid_alive() {
  local comm
  cl_running "$1" && read -r comm 2>/dev/null <"/proc/$1/comm" && [ "$comm" = "$2" ]
}

# cl_pidfile_pid FILE COMM : print the PID in FILE when that process is alive and is COMM.
cl_pidfile_pid() {
  local pid
  [ -s "$1" ] && read -r pid <"$1" || return 1
  cl_pid_alive "$pid" "$2" || return 1
  echo "$pid"
}

# cl_daemon_pid NAME : the live PID of one of cl_daemons, or non-zero.
cl_daemon_pid() {
  local name file comm
  while read -r name file comm; do
    [ "$name" = "$1" ] && { cl_pidfile_pid "$file" "$comm"; return; }
  done < <(cl_daemons)
  return 1
}

# cl_live_pids : "name pid" for every daemon of this cluster that is running now.
cl_live_pids() {
  local name file comm pid
  while read -r name file comm; do
    pid=$(cl_pidfile_pid "$file" "$comm") && echo "$name $pid"
  done < <(cl_daemons)
}

# cl_stop_pids GRACE_S PID... : SIGTERM all at once, wait for all, SIGKILL what is left after GRACE_S.
# Prints the PIDs that survived even SIGKILL (normally nothing).
cl_stop_pids() {
  local grace=$1 pid left
  shift
  [ $# -eq 0 ] && return 0
  kill -TERM "$@" 2>/dev/null
  cl_wait "$grace" cl_all_gone "$@" && return 0
  left=$(cl_alive_of "$@")
  cl_log "still running after ${grace}s, SIGKILL: $left"
  # shellcheck disable=SC2086
  kill -KILL $left 2>/dev/null
  cl_wait 5 cl_all_gone "$@" || cl_alive_of "$@"
}
cl_alive_of() { local p; for p in "$@"; do cl_running "$p" && printf '%s ' "$p"; done; }
cl_all_gone() { [ -z "$(cl_alive_of "$@")" ]; }

# cl_render TEMPLATE OUTPUT [KEY=VALUE...] : substitute the @PLACEHOLDERS@ of a file shipped in
# tests/cluster/ (the cluster layout above, plus the extra KEY=VALUE pairs).
# Replaces OUTPUT only when the content differs: returns 0 when it changed, 1 when it did not,
# 2 when the template could not be read.
cl_render() {
  local template=$CLUSTER_SRC/$1 out=$2 kv value
  shift 2
  local -a pairs=(
    "CLUSTER_DIR=$CLUSTER_DIR" "CLUSTER_NAME=$CLUSTER_NAME" "HOST=$CLUSTER_HOST"
    "NODE_RANGE=n[1-${#CLUSTER_NODES[@]}]"
    "NODE_PORTS=[$((NODE_PORT_BASE + 1))-$((NODE_PORT_BASE + ${#CLUSTER_NODES[@]}))]"
    "NODE_CPUS=$NODE_CPUS" "NODE_MEM=$NODE_MEM" "CTLD_PORT=$CTLD_PORT" "SLURMD_PORT=$SLURMD_PORT"
    "DBD_PORT=$DBD_PORT" "SLURM_ETC=$SLURM_ETC" "MYSQL_PORT=$MYSQL_PORT" "DB_USER=$DB_USER" "DB_PASS=$DB_PASS" "DB_NAME=$DB_NAME"
    "$@")
  local -a expr=()
  for kv in "${pairs[@]}"; do
    # Escape what sed gives a meaning in a replacement: backslash, the delimiter and '&'.
    value=${kv#*=}
    value=${value//\\/\\\\}
    value=${value//|/\\|}
    value=${value//&/\\&}
    expr+=(-e "s|@${kv%%=*}@|$value|g")
  done
  [ -r "$template" ] || return 2
  expr+=(-e 's/[[:space:]]*$//')
  sed "${expr[@]}" "$template" >"$out.new" || { rm -f "$out.new"; return 2; }
  if cmp -s "$out.new" "$out"; then
    rm -f "$out.new"
    return 1
  fi
  mv "$out.new" "$out"
}
