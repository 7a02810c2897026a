// The elementwise kernels of a training step, table by table (scalar, AVX2, AVX-512 where this
// CPU runs them), at the sizes of trainer_bench's workloads: nanoseconds per call, the tables
// interleaved rep by rep (same noise for all), the median over reps, and each table's speed over
// the AVX2 table's. Not part of the library build.
//   vecmath_bench [--reps N]
// Build from the repo root against the core library of `npx cmake-js compile`:
//   g++ -O3 -std=c++17 -Inative/core -Inative/test native/bench/vecmath_bench.cpp build/libfastmlp_core.a
//       -lpthread -o /tmp/vecmath_bench    (one command line)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "bench_clock.hpp"
#include "kernel_tables.hpp"
#include "optimizer_kernels.hpp"

using fastmlp::cpu::KernelTable;

namespace {

struct Case {
  std::string label;
  std::function<void(const KernelTable&)> run;
  bool (*has)(const KernelTable&) = nullptr;  // null: every table has the kernel
};

bool has_backward(const KernelTable& t) { return t.activation_backward != nullptr; }

std::vector<float> filled(std::size_t n, float lo, float hi) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = lo + (hi - lo) * static_cast<float>((i * 2654435761u) % 1000) / 1000.0f;
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 15;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--reps") reps = std::max(1, std::atoi(argv[i + 1]));
  }
  // Buffers sized for the largest case; each case uses a prefix.
  static std::vector<float> a = filled(1 << 17, -4, 4), b = filled(1 << 17, -1, 1), c = filled(1 << 17, 0, 1);
  static std::vector<float> m = filled(1 << 17, -0.1f, 0.1f), v = filled(1 << 17, 0, 0.01f), out(1 << 17);
  fastmlp::StepCoefficients k{};
  k.lr = 0.001f, k.mu = 0.9f, k.b1 = 0.9f, k.one_minus_b1 = 0.1f, k.b2 = 0.999f, k.one_minus_b2 = 0.001f;
  k.step_size = 0.001f, k.inv_sqrt_bc2 = 1.0f, k.eps = 1e-8f, k.weight_keep = 1.0f;
  const std::vector<Case> cases = {
      {"sigmoid 32x1 (tabular output)", [&](const KernelTable& t) { t.sigmoid(out.data(), a.data(), 32); }},
      {"sigmoid 64x128", [&](const KernelTable& t) { t.sigmoid(out.data(), a.data(), 8192); }},
      {"tanh 64x128", [&](const KernelTable& t) { t.tanh(out.data(), a.data(), 8192); }},
      {"exp 64x10 (softmax)", [&](const KernelTable& t) { t.exp_nonpositive(out.data(), b.data(), 640); }},
      // (the scalar table has none: activations.cpp's plain loops serve it; shown as -)
      {"relu backward 32x64", [&](const KernelTable& t) { t.activation_backward(2, out.data(), b.data(), a.data(), 2048); },
       has_backward},
      {"relu backward 64x128", [&](const KernelTable& t) { t.activation_backward(2, out.data(), b.data(), a.data(), 8192); },
       has_backward},
      {"column sums 32x64", [&](const KernelTable& t) { t.column_sums(out.data(), b.data(), 32, 64); }},
      {"column sums 64x128", [&](const KernelTable& t) { t.column_sums(out.data(), b.data(), 64, 128); }},
      {"column sums 64x10", [&](const KernelTable& t) { t.column_sums(out.data(), b.data(), 64, 10); }},
      {"squared error 32x1", [&](const KernelTable& t) { (void)t.squared_error_sum(c.data(), b.data(), 32); }},
      {"adam 6,209 params (tabular)",
       [&](const KernelTable& t) { t.optimizer_update(fastmlp::kUpdateAdam, k, 0.0f, a.data(), b.data(), m.data(), v.data(), 6209); }},
      {"sgd 101,770 params (mnist)",
       [&](const KernelTable& t) { t.optimizer_update(fastmlp::kUpdateSgd, k, 0.0f, a.data(), b.data(), nullptr, nullptr, 101770); }},
  };
  const std::vector<fastmlp_test::RunnableTable> tables = fastmlp_test::runnable_tables();
  const KernelTable* base = fastmlp::cpu::avx2_kernels();
  std::printf("%-32s", "ns per call (median)");
  for (const auto& rt : tables) std::printf(" %12s", rt.table->name);
  std::printf("   speed over avx2-fma\n");
  for (const Case& cs : cases) {
    std::vector<std::vector<double>> ns(tables.size());
    for (int r = 0; r < reps; ++r) {
      for (std::size_t ti = 0; ti < tables.size(); ++ti) {
        const KernelTable& t = *tables[ti].table;
        if (cs.has != nullptr && !cs.has(t)) continue;
        int calls = 0;
        const double t0 = fastmlp::bench::now_seconds(fastmlp::bench::Clock::thread_cpu);
        double t1 = t0;
        do {  // at least ~2 ms of calls
          for (int i = 0; i < 16; ++i) cs.run(t);
          calls += 16;
          t1 = fastmlp::bench::now_seconds(fastmlp::bench::Clock::thread_cpu);
        } while (t1 - t0 < 2e-3);
        ns[ti].push_back(1e9 * (t1 - t0) / calls);
      }
    }
    std::printf("%-32s", cs.label.c_str());
    double base_ns = 0;
    for (std::size_t ti = 0; ti < tables.size(); ++ti) {
      if (ns[ti].empty()) {
        std::printf(" %12s", "-");
        continue;
      }
      const double med = fastmlp::bench::median(ns[ti]);
      if (tables[ti].table == base) base_ns = med;
      std::printf(" %12.1f", med);
    }
    for (std::size_t ti = 0; ti < tables.size(); ++ti) {
      if (base_ns > 0 && !ns[ti].empty()) std::printf("  %s %.2fx", tables[ti].table->name, base_ns / fastmlp::bench::median(ns[ti]));
    }
    std::printf("\n");
  }
  return 0;
}
