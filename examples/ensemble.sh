#!/bin/bash
#SBATCH --job-name=compss-ensemble
#SBATCH --nodes=4
#SBATCH --time=10
# An ensemble workflow, written as plain sequential shell: the runtime runs it as a task graph.
#   16 members of uneven length -> a check of each member (a failed check prunes the member: its successors
#   are cancelled) -> a post-processing step per kept member -> the driver waits for the post-processing
#   group and merges what survived into one report.
# Dependencies come from the files each task reads and writes.
set -u
mkdir -p out
for m in $(seq 1 16); do
  compss submit --name member --group members --out "out/member-$m.txt" -- \
    sh -c "sleep \$(( $m % 4 + 1 )); echo \"member $m value \$(( $m * 7 % 10 )) node \$SLURMD_NODENAME\" > out/member-$m.txt" >/dev/null
  compss submit --name check --on-failure cancel-successors --in "out/member-$m.txt" --out "out/checked-$m.txt" -- \
    sh -c "[ \"\$(awk '{print \$4}' out/member-$m.txt)\" != 0 ] && cp out/member-$m.txt out/checked-$m.txt" >/dev/null
  compss submit --name post --group post --in "out/checked-$m.txt" --out "out/post-$m.txt" -- \
    sh -c "awk '{print \$2, \$4 * 10}' out/checked-$m.txt > out/post-$m.txt" >/dev/null
done
# A barrier on the post-processing group: pruned members show up as cancelled, which is expected here.
compss wait --group post > out/wait-post.txt 2>&1 || { echo "members pruned by their check:"; cat out/wait-post.txt; }
kept=(out/post-*.txt)
report=$(compss submit --name report $(printf -- '--in %s ' "${kept[@]}") --out out/report.txt -- \
  sh -c 'echo "$(cat out/post-*.txt | wc -l) members kept, sum $(cat out/post-*.txt | awk "{s += \$2} END {print s}")" > out/report.txt')
compss wait "$report" && cat out/report.txt
