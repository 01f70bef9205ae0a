#!/usr/bin/env bash
# Compares two bundle jars on the three workloads of WORKLOADS.md, in one script so that both see
# the same machine: for each workload, ROUNDS rounds, each running BEFORE then AFTER (one warm-up and
# one measured run each, in a fresh JVM). Prints every figure, then per workload the median of each
# jar and their ratio (after / before; above 1 is faster).
#   usage: docs/bench/compare-jars.sh BEFORE.jar AFTER.jar [ROUNDS] [EVENTS]
set -euo pipefail
before=$1
after=$2
rounds=${3:-3}
events=${4:-20000000}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
rate() { # jar workload -> events/s of the measured run; fails loudly if the bench does not print it
  java -jar "$1" bench "$2" --parallelism 2 --events "$events" --runs 1 --warmups 1 2>&1 \
    | grep '^run 1:' | sed 's/.*events_per_s=\([0-9]*\).*/\1/' | grep -E '^[0-9]+$'
}
for workload in q1-stateless q5-window-heap q5-window-rocksdb-ckpt; do
  b=(); a=()
  for ((i = 1; i <= rounds; i++)); do
    b+=("$(rate "$before" "$workload")")
    a+=("$(rate "$after" "$workload")")
    echo "$workload round $i: before ${b[-1]} after ${a[-1]}"
  done
  mb=$(printf '%s\n' "${b[@]}" | median)
  ma=$(printf '%s\n' "${a[@]}" | median)
  echo "$workload median: before $mb after $ma ratio $(awk -v a="$ma" -v b="$mb" 'BEGIN {printf "%.3f", a / b}')"
done
