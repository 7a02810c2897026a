#!/usr/bin/env bash
# Where a native training step's time goes: trainer_bench (native/bench) under `perf record`,
# its samples grouped by function into the products (gemm: packing, micro-kernels, direct path)
# and each other part of the step. Shares are of the training samples only (the bench's data
# set-up, main and page faults of its allocations are left out), so they hold on a loaded machine.
#   scripts/profile-step.sh [mnist|tabular|wide|deep] [threads]      (npm run profile:step -- mnist 2)
# Needs perf (linux-perf) and the core library of `npx cmake-js compile` (build/libfastmlp_core.a).
set -euo pipefail
set_name=${1:-mnist}
threads=${2:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
g++ -O3 -g -std=c++17 -I"$root/native/core" "$root/native/bench/trainer_bench.cpp" "$root/build/libfastmlp_core.a" \
  -lpthread -o "$out/trainer_bench"
perf record -e cpu-clock:u -q -o "$out/perf.data" "$out/trainer_bench" --set "$set_name" --threads "$threads" --reps 5 --scale 2
perf report -i "$out/perf.data" --no-children --sort symbol --stdio 2>/dev/null |
  awk -v title="$set_name, $threads thread(s)" '
    /^#/ || !/%/ { next }
    {
      pct = $1; sub(/%/, "", pct)
      sym = $0; sub(/^[^\]]*\] /, "", sym); sub(/[ \t]+-[ \t]+-[ \t]*$/, "", sym)
      if (sym ~ /^main$|memset|_M_fill_assign|fnv1a|_workload|glorot|^_dl_|malloc|mmap|munmap|mprotect|^__libc|^_itoa|^0x/) part = "(bench set-up, left out)"
      else if (sym ~ /kernel_(avx2|avx512|scalar|neon)|pack_[ab]|sgemm|sup_|gemm|Gemm|blocks<|run_rect/) part = "products (gemm)"
      else if (sym ~ /update_range|optimizer_|scale_gradients|clip/) part = "optimizer update"
      else if (sym ~ /column_sums/) part = "bias gradients (column sums)"
      else if (sym ~ /activation_backward/) part = "activation derivatives"
      else if (sym ~ /activation_forward|softmax|sigmoid|tanh|exp_np|exp_nonpositive/) part = "activations forward"
      else if (sym ~ /loss_|ieee754|^exp|^log|log1p|^pow|task_metric|batch_weight/) part = "loss (forward, gradient)"
      else if (sym ~ /ThreadPool|run_chunks|spin|worker|sched_yield|futex|pthread_|condition_variable|__condvar/) part = "thread pool"
      else if (sym ~ /memmove|memcpy/) part = "copies (shuffled rows, outputs)"
      else if (sym ~ /Trainer::|dense_|cpu::kernels|bench_training|_Function_handler/) part = "trainer loop (calls, checks)"
      else part = "other: " sym
      share[part] += pct
    }
    END {
      for (p in share) if (p != "(bench set-up, left out)") total += share[p]
      printf "%s: share of the training step\n", title
      for (p in share) if (p != "(bench set-up, left out)") printf "  %6.2f%%  %s\n", 100 * share[p] / total, p | "sort -rn"
      close("sort -rn")
      printf "  (left out as bench set-up: %.2f%% of all samples)\n", share["(bench set-up, left out)"]
    }'
