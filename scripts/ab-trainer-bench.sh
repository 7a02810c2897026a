#!/usr/bin/env bash
# Before/after of a change to the native core, side by side: builds the core of two git revisions
# (git archive into a temporary directory, a Release cmake build each), links this tree's
# native/bench/trainer_bench.cpp against each, then runs them in alternation (A, B, A, B, ...,
# fresh processes) and prints every line of both with the median of B / A per workload line.
# The params hash in each line shows whether the two train bit for bit alike.
#   scripts/ab-trainer-bench.sh REV_A REV_B [rounds] [trainer_bench options...]
#   e.g. scripts/ab-trainer-bench.sh main HEAD 7 --set tabular --threads 1,2 --reps 3
# Set FASTMLP_MAX_ISA=avx2 or FASTMLP_FORCE_SCALAR=1 to compare another kernel table.
set -euo pipefail
rev_a=${1:?revision A}
rev_b=${2:?revision B}
rounds=${3:-5}
shift 3 || shift $#
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for side in a b; do
  rev=$rev_a
  [ "$side" = b ] && rev=$rev_b
  mkdir -p "$work/$side/src"
  git -C "$root" archive "$rev" | tar -x -C "$work/$side/src"
  cmake -S "$work/$side/src" -B "$work/$side/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$work/$side/build" --target fastmlp_core -j2 >/dev/null
  g++ -O3 -std=c++17 -I"$work/$side/src/native/core" "$root/native/bench/trainer_bench.cpp" \
    "$work/$side/build/libfastmlp_core.a" -lpthread -o "$work/$side/trainer_bench"
done
for ((r = 1; r <= rounds; r++)); do
  "$work/a/trainer_bench" "$@" | sed 's/^/A /' >>"$work/out"
  "$work/b/trainer_bench" "$@" | sed 's/^/B /' >>"$work/out"
done
cat "$work/out"
# Pair the k-th A line of a workload with its k-th B line; the ratio of their medians.
awk -v a="$rev_a" -v b="$rev_b" '
  /samples\/s median/ {
    side = $1; key = $0; sub(/^[AB] /, "", key); sub(/:.*/, "", key)
    rate = $0; sub(/.*: /, "", rate); sub(/ .*/, "", rate)
    n = ++count[side, key]; val[side, key, n] = rate; keys[key] = 1
  }
  END {
    printf "\nB (%s) / A (%s), median over rounds of each round'\''s ratio:\n", b, a
    for (k in keys) {
      m = count["A", k] < count["B", k] ? count["A", k] : count["B", k]
      for (i = 1; i <= m; i++) r[i] = val["B", k, i] / val["A", k, i]
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
      med = m % 2 ? r[(m + 1) / 2] : (r[m / 2] + r[m / 2 + 1]) / 2
      printf "  %s: %.3fx (%d rounds)\n", k, med, m
    }
  }' "$work/out"
