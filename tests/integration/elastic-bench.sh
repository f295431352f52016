#!/bin/bash
# elastic-bench.sh BUILDDIR - the elasticity figures of DESIGN.md section 7 on the local cluster.
#
#   bench grow_latency_s X s        a burst of 8 ready tasks (the daemon idle for 3 s before, so the policy
#                                   is free to act) -> the first task running on a merged node
#   bench bare_grow_latency_s X s   the same growth's SLURM round trip in the same run: the connector's
#                                   request -> granted -> merged calls (summary line of the run)
#   bench elastic_makespan_s / static_makespan_s         an uneven ensemble: 32 members of 3 s, then 4 of 20 s
#   bench elastic_node_seconds / static_node_seconds     nodes held in SLURM x seconds, from squeue samples
# The elastic run starts on 1 node with max-nodes=4,idle=3; the static one holds 4 nodes with elastic=off.
# Needs the cluster up with 4 idle nodes; serialise with the cluster lock (tests/cluster README). Not a test:
# it prints figures and their targets (issue 6: grow latency <= 1.5 x bare + 0.5 s; elastic makespan <= 1.15 x
# static; elastic node-seconds <= 0.75 x static). Runs take about 2 minutes.
set -uo pipefail
B=$(cd "${1:?usage: elastic-bench.sh BUILDDIR}" && pwd)
export PATH="$B/tools/cli:$B/daemon:$B/daemon/agent:$PATH"
work=$(mktemp -d /tmp/elastic-bench.XXXXXX)
cd "$work" || exit 1
jobs_started=()
trap '[ ${#jobs_started[@]} -gt 0 ] && scancel "${jobs_started[@]}" 2>/dev/null' EXIT

ms() { date +%s%3N; }

# run NAME SBATCH_NODES OPTIONS DRIVER_BODY : runs compssd in a job; samples its node count; waits for its end.
run() {
  local name=$1 nodes=$2 opts=$3 body=$4 id st n
  mkdir -p "$name" && cd "$name" || exit 1
  printf '#!/bin/bash\n%s\n' "$body" >driver.sh
  chmod +x driver.sh
  id=$(sbatch --parsable -N"$nodes" --exclusive -J "bench-$name" -o run.out --export=ALL \
    --wrap "exec compssd --options $opts -- ./driver.sh") || exit 1
  jobs_started+=("$id")
  : >nodes.log
  while :; do
    st=$(squeue -h -j "$id" -o '%T %D' 2>/dev/null)
    [ -z "$st" ] && break
    n=${st#* }
    [ "${st%% *}" = RUNNING ] && echo "$(ms) $n" >>nodes.log
    sleep 0.2
  done
  grep -q succeeded run.out || { echo "run $name failed: $(tail -5 run.out)" >&2; exit 1; }
  cd ..
}

# Node-seconds from the samples: each sample's count held until the next sample.
node_seconds() { awk 'NR > 1 {s += p * ($1 - t)} {t = $1; p = $2} END {printf "%.1f", s / 1000}' "$1"; }
elapsed() { sed -n 's/^  elapsed: \([0-9.]*\) s$/\1/p' "$1"; }

# --- grow latency --------------------------------------------------------------------------------------
burst='sleep 3
date +%s%3N >burst.ms
compss submit --array 1-8 -- bash -c '"'"'echo "$(date +%s%3N) $SLURMD_NODENAME" >start.{i}; sleep 4'"'"' >/dev/null
compss wait --all'
lat_sum=0
bare_sum=0
for r in 1 2; do
  run "grow$r" 1 "max-nodes=2,idle=60" "$burst"
  own=$(sed -n 's/^    \([a-z0-9]*\) *live *job.s own node.*/\1/p' "grow$r/run.out" | head -1)
  t0=$(cat "grow$r/burst.ms")
  first=$(cat grow$r/start.* | awk -v own="$own" '$2 != own {print $1}' | sort -n | head -1)
  [ -n "$first" ] || { echo "run grow$r: no task ran on a grown node" >&2; exit 1; }
  lat=$(awk -v a="$first" -v b="$t0" 'BEGIN {printf "%.3f", (a - b) / 1000}')
  bare=$(sed -n 's/.*grow round trip in the connector.*: mean \([0-9.]*\) s.*/\1/p' "grow$r/run.out")
  echo "run grow$r: burst -> first task on a grown node $lat s; connector round trip $bare s"
  lat_sum=$(awk -v a="$lat_sum" -v b="$lat" 'BEGIN {print a + b}')
  bare_sum=$(awk -v a="$bare_sum" -v b="${bare:-0}" 'BEGIN {print a + b}')
done
lat=$(awk -v s="$lat_sum" 'BEGIN {printf "%.3f", s / 2}')
bare=$(awk -v s="$bare_sum" 'BEGIN {printf "%.3f", s / 2}')

# --- elastic ensemble vs static 4 nodes ------------------------------------------------------------------
ensemble='compss submit --array 1-32 -- sleep 3 >/dev/null
compss submit --array 1-4 -- sleep 20 >/dev/null
compss wait --all'
run elastic 1 "max-nodes=4,idle=3" "$ensemble"
run static 4 "elastic=off" "$ensemble"

echo "bench grow_latency_s $lat s"
echo "bench bare_grow_latency_s $bare s"
echo "bench elastic_makespan_s $(elapsed elastic/run.out) s"
echo "bench static_makespan_s $(elapsed static/run.out) s"
echo "bench elastic_node_seconds $(node_seconds elastic/nodes.log) node-s"
echo "bench static_node_seconds $(node_seconds static/nodes.log) node-s"
awk -v l="$lat" -v b="$bare" -v em="$(elapsed elastic/run.out)" -v sm="$(elapsed static/run.out)" \
  -v en="$(node_seconds elastic/nodes.log)" -v sn="$(node_seconds static/nodes.log)" 'BEGIN {
  printf "targets: grow latency %.2f s vs 1.5 x bare + 0.5 = %.2f s (%s); makespan ratio %.2f (<= 1.15: %s); node-seconds ratio %.2f (<= 0.75: %s)\n",
    l, 1.5 * b + 0.5, l <= 1.5 * b + 0.5 ? "met" : "missed", em / sm, em / sm <= 1.15 ? "met" : "missed",
    en / sn, en / sn <= 0.75 ? "met" : "missed" }'
echo "runs kept in $work"
