// sgemm benchmark: GFLOP/s (median of warmed repetitions) for squares 64..2048 and the backprop
// shapes of a 784-128-10 net, on 1 and 2 threads; with -DFASTMLP_BENCH_OPENBLAS (link
// -lopenblas) OpenBLAS's cblas_sgemm is timed side by side, interleaved rep by rep. Every
// shape is checked against the reference before it is timed. Not part of the library build.
//   gemm_bench [--reps N] [--set squares|backprop|crossover|threads|sweep|kernels|blocking|sup|wide|steps|all]
//              [--threads 1|2]
//              [--clock cpu]   (thread CPU time: steadier on a shared machine, 1 thread only)
// --set sweep reruns the sweep behind the direct-or-packed thresholds of gemm/blocking.hpp:
// for each kernel table this CPU runs, the volume (m n k) where packing starts to beat the sup
// (direct) path per column class, and the row count up to which skinny products stay direct.
// --set sup times the direct path of the AVX-512 table against the AVX2 table's (and the AVX-512
// packed path) at the shapes of predict and of the tabular and 784-128-10 training steps.
// Build against the core library (e.g. build/libfastmlp_core.a from CMake), from the repo root:
//   g++ -O3 -std=c++17 -Inative/core native/bench/gemm_bench.cpp build/libfastmlp_core.a
//       -lpthread [-DFASTMLP_BENCH_OPENBLAS -lopenblas]    (one command line)
// or, for numpy's own OpenBLAS (scipy-openblas64, the one `pip install numpy` brings) in place of
// the system's: -DFASTMLP_BENCH_OPENBLAS_NUMPY $NUMPY_LIBS/libscipy_openblas64_-*.so
//   -Wl,-rpath,$NUMPY_LIBS   (NUMPY_LIBS: the numpy.libs folder beside numpy's package).
// --set kernels: the avx512 table vs the avx2-fma table (vs OpenBLAS when linked), interleaved
// rep by rep, on 512^3 and the shapes of our users (inference, training at batch 64, a wide net).
// --set blocking: the vector table's packed kernel at its KC / MC against other KC and MC.
// --set wide: each product of the wide network's training step (784-1024-1024-10, batch 256,
// with the step's transposes and forward bias), as sgemm runs it, against 512^3 on the same
// engine in the same rep (each shape's rate / 512^3's, median over reps), and the step's
// products together (all their flops over all their time), per thread count.
// --set steps: that last line for each network of the versus bench (tabular 30-64-64-1 at batch
// 32, deep 64-(16 x 64)-10 and 784-128-10 at 64, wide at 256): the most its training step could
// reach of 512^3's rate if it did nothing but its products, each through sgemm as a whole.
#include "bench_clock.hpp"
#include <algorithm>
#include <deque>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cpu/dispatch.hpp"
#include "gemm/gemm.hpp"
#include "gemm/gemm_internal.hpp"
#include "thread_pool.hpp"

#if defined(FASTMLP_BENCH_OPENBLAS)
#include <cblas.h>
#elif defined(FASTMLP_BENCH_OPENBLAS_NUMPY)
// numpy's own OpenBLAS (scipy-openblas64: 64-bit integers, prefixed symbols), linked by path:
// the library numpy users get. CBLAS enum values as in cblas.h.
extern "C" {
void scipy_cblas_sgemm64_(int order, int transA, int transB, long long m, long long n, long long k, float alpha,
                          const float* A, long long lda, const float* B, long long ldb, float beta, float* C,
                          long long ldc);
void scipy_openblas_set_num_threads64_(int threads);
char* scipy_openblas_get_corename64_();
char* scipy_openblas_get_config64_();
}
#define FASTMLP_BENCH_HAS_OPENBLAS 1
#endif
#if defined(FASTMLP_BENCH_OPENBLAS)
#define FASTMLP_BENCH_HAS_OPENBLAS 1
#endif

namespace {

using fastmlp::bench::Clock;

struct Shape {
  const char* name;
  bool ta, tb;
  std::size_t m, n, k;
};

// Wall clock by default. --clock cpu uses this thread's CPU time instead: on a shared, loaded
// machine it drops the time the thread was descheduled (single-threaded runs only).
bool g_cpu_clock = false;  // set from the command line; only honoured on one thread

double now_seconds() { return fastmlp::bench::now_seconds(g_cpu_clock ? Clock::thread_cpu : Clock::wall); }

using fastmlp::bench::median;

// Seconds per call of fn, timed over enough calls to last >= ~2 ms (small shapes).
double time_per_call(const std::function<void()>& fn, std::size_t calls) {
  const double t0 = now_seconds();
  for (std::size_t i = 0; i < calls; ++i) fn();
  return (now_seconds() - t0) / static_cast<double>(calls);
}

std::size_t calls_for(const std::function<void()>& fn) {
  const double once = time_per_call(fn, 1);
  const double want = 2e-3;
  return once >= want ? 1 : static_cast<std::size_t>(want / std::max(once, 1e-8)) + 1;
}

std::vector<float> filled(std::size_t count, unsigned seed) {
  std::vector<float> v(count);
  unsigned s = seed;
  for (float& x : v) {
    s = s * 1664525u + 1013904223u;
    x = static_cast<float>((s >> 8) & 0xFFFF) / 32768.0f - 1.0f;
  }
  return v;
}

// Checks sampled entries of C against a float64 dot product (the full reference is too slow at
// 2048^3). Returns false and prints on mismatch.
bool verify(const Shape& s, const std::vector<float>& A, const std::vector<float>& B,
            const std::vector<float>& C) {
  for (std::size_t probe = 0; probe < 64; ++probe) {
    const std::size_t i = (probe * 7919) % s.m, j = (probe * 104729) % s.n;
    double acc = 0, mag = 0;
    for (std::size_t p = 0; p < s.k; ++p) {
      const double a = s.ta ? A[p * s.m + i] : A[i * s.k + p];
      const double b = s.tb ? B[j * s.k + p] : B[p * s.n + j];
      acc += a * b, mag += std::fabs(a * b);
    }
    if (std::fabs(C[i * s.n + j] - acc) > 4e-7 * (s.k + 2) * mag + 1e-30) {
      std::printf("MISMATCH %s at (%zu,%zu): %g vs %g\n", s.name, i, j, C[i * s.n + j], acc);
      return false;
    }
  }
  return true;
}

struct Engine {
  std::string name;
  std::function<void(const Shape&, const float*, const float*, float*)> gemm;
};

// Times every engine on one shape, interleaving them rep by rep so machine noise hits all.
// Returns the median over reps of engine 0's rate / engine 1's (0 with one engine).
double bench_shape(const Shape& s, std::vector<Engine>& engines, std::size_t reps, std::size_t threads) {
  const std::vector<float> A = filled(s.m * s.k, 1), B = filled(s.k * s.n, 2);
  std::vector<float> C(s.m * s.n);
  std::vector<std::function<void()>> calls;
  for (Engine& e : engines) {
    calls.push_back([&e, &s, &A, &B, &C] { e.gemm(s, A.data(), B.data(), C.data()); });
    std::fill(C.begin(), C.end(), std::nanf(""));
    calls.back()();
    if (!verify(s, A, B, C)) std::printf("  (%s failed verification)\n", e.name.c_str());
  }
  std::vector<std::size_t> n_calls;
  for (auto& c : calls) n_calls.push_back(calls_for(c));
  std::vector<std::vector<double>> gflops(engines.size());
  const double flops = 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k);
  for (std::size_t r = 0; r < reps; ++r) {
    for (std::size_t e = 0; e < engines.size(); ++e) {
      gflops[e].push_back(flops / time_per_call(calls[e], n_calls[e]) * 1e-9);
    }
  }
  std::printf("%-13s %5zu %5zu %5zu t=%zu%s", s.name, s.m, s.n, s.k, threads, g_cpu_clock ? "c" : "w");
  for (std::size_t e = 0; e < engines.size(); ++e) {
    const double best = *std::max_element(gflops[e].begin(), gflops[e].end());
    std::printf("  %s %6.1f (best %6.1f)", engines[e].name.c_str(), median(gflops[e]), best);
  }
  double result = 0.0;
  for (std::size_t e = 1; e < engines.size(); ++e) {
    // Ratio per rep (side by side in time), then its median; with more than two engines, engine
    // 0 against each of the others.
    std::vector<double> ratio;
    for (std::size_t r = 0; r < reps; ++r) ratio.push_back(gflops[0][r] / gflops[e][r]);
    if (e == 1) result = median(ratio);
    if (engines.size() == 2) {
      std::printf("  ratio %.2f", median(ratio));
    } else {
      std::printf("  %s/%s %.2f", engines[0].name.c_str(), engines[e].name.c_str(), median(ratio));
    }
  }
  std::printf("\n");
  std::fflush(stdout);
  return result;
}

// The sweep behind blocking.hpp's sup thresholds, for one kernel table: direct vs packed on one
// thread. Per column class n, volumes m n k = 2^6 .. 2^22 with m = k (op(A) = A, op(B) = B, the
// forward product); prints the largest volume still direct-faster before packing wins twice
// in a row. Then skinny rows: m = 1..8 on the 784-128-10 predict shapes.
void sweep(fastmlp::GemmKernel kernel, const char* kernel_name, std::size_t reps) {
  fastmlp::GemmContext ctx(nullptr);
  std::vector<Engine> engines;
  for (fastmlp::GemmPath path : {fastmlp::GemmPath::direct, fastmlp::GemmPath::packed}) {
    engines.push_back({path == fastmlp::GemmPath::direct ? "direct" : "packed",
                       [&ctx, path, kernel](const Shape& s, const float* A, const float* B, float* C) {
                         fastmlp::sgemm_with(ctx, {path, kernel, fastmlp::GemmThreads::single}, s.ta, s.tb, s.m,
                                             s.n, s.k, 1.0f, A, B, 0.0f, C);
                       }});
  }
  std::printf("-- sweep, %s kernels: direct / packed rate by volume (m = k)\n", kernel_name);
  for (std::size_t n : {1, 3, 8, 16, 64}) {
    std::size_t last_direct = 0, losses = 0;
    for (int e = 6; e <= 22 && losses < 2; ++e) {
      const double side = std::sqrt(static_cast<double>(std::size_t{1} << e) / static_cast<double>(n));
      const std::size_t mk = std::max<std::size_t>(1, static_cast<std::size_t>(side + 0.5));
      const double ratio = bench_shape({"sweep", false, false, mk, n, mk}, engines, reps, 1);
      if (ratio >= 1.0) {
        last_direct = mk * n * mk;
        losses = 0;
      } else {
        ++losses;
      }
    }
    std::printf("== %s n=%zu: direct up to volume ~%zu\n", kernel_name, n, last_direct);
  }
  for (const Shape& s : {Shape{"skinny", false, false, 1, 128, 784}, Shape{"skinny", false, false, 1, 10, 128}}) {
    std::size_t last_direct = 0;
    for (std::size_t m = 1; m <= 8; ++m) {
      Shape t = s;
      t.m = m;
      if (bench_shape(t, engines, reps, 1) >= 1.0 && last_direct + 1 == m) last_direct = m;
    }
    std::printf("== %s skinny n=%zu k=%zu: direct up to m=%zu\n", kernel_name, s.n, s.k, last_direct);
  }
}

// 512^3 and the products of our users (m x k x n in the names: op(A) is m x k).
std::vector<Shape> user_shapes() {
  return {{"512^3", false, false, 512, 512, 512},
          {"XW b1024", false, false, 1024, 128, 784},       // predict 784-128-10, layer 1
          {"XW2 b1024", false, false, 1024, 10, 128},       // layer 2
          {"XW b64", false, false, 64, 128, 784},           // training at batch 64
          {"X^T dZ b64", true, false, 784, 128, 64},
          {"dZ W^T b64", false, true, 64, 784, 128},
          {"wide 784", false, false, 256, 1024, 784},       // 784-1024-1024-10 at batch 256
          {"wide 1024", false, false, 256, 1024, 1024}};
}

#if defined(FASTMLP_BENCH_HAS_OPENBLAS)
// C = op(A) op(B) + beta C through the linked OpenBLAS (row-major, as our sgemm).
void openblas_sgemm(const Shape& s, const float* A, const float* B, float beta, float* C) {
#if defined(FASTMLP_BENCH_OPENBLAS)
  cblas_sgemm(CblasRowMajor, s.ta ? CblasTrans : CblasNoTrans, s.tb ? CblasTrans : CblasNoTrans, static_cast<int>(s.m),
              static_cast<int>(s.n), static_cast<int>(s.k), 1.0f, A, static_cast<int>(s.ta ? s.m : s.k), B,
              static_cast<int>(s.tb ? s.k : s.n), beta, C, static_cast<int>(s.n));
#else
  const long long m = static_cast<long long>(s.m), n = static_cast<long long>(s.n), k = static_cast<long long>(s.k);
  scipy_cblas_sgemm64_(101, s.ta ? 112 : 111, s.tb ? 112 : 111, m, n, k, 1.0f, A, s.ta ? m : k, B, s.tb ? k : n, beta,
                       C, n);
#endif
}

void openblas_threads(std::size_t threads) {
#if defined(FASTMLP_BENCH_OPENBLAS)
  openblas_set_num_threads(static_cast<int>(threads));
#else
  scipy_openblas_set_num_threads64_(static_cast<int>(threads));
#endif
}
#endif

// The OpenBLAS engine when the bench is linked with one (FASTMLP_BENCH_OPENBLAS[_NUMPY]).
void add_openblas(std::vector<Engine>& engines, std::size_t threads) {
#if defined(FASTMLP_BENCH_HAS_OPENBLAS)
  openblas_threads(threads);
  engines.push_back({"openblas", [](const Shape& s, const float* A, const float* B, float* C) {
                       openblas_sgemm(s, A, B, 0.0f, C);
                     }});
#else
  (void)engines, (void)threads;
#endif
}

// The direct (sup) path's shapes that users meet: predict of 1 and 16 rows (784-128-10), the
// tabular 30-64-64-1 net's training products at batch 32 (forward X W, weight gradient X^T dZ,
// input gradient dZ W^T) and 784-128-10's at batch 64. Each is timed on one thread through
// sgemm_with on the AVX-512 table's direct path, the AVX2 table's direct path, and the AVX-512
// table's packed path (and that path on a 2-thread pool, threaded where sgemm would thread it:
// the direct path never is), interleaved rep by rep; "auto" says which path the AVX-512 table's
// DirectLimits choose for the shape. The last shapes lie past those limits (the check on them).
std::vector<Shape> sup_shapes() {
  return {{"predict b1", false, false, 1, 128, 784},  {"predict b1", false, false, 1, 10, 128},
          {"predict b16", false, false, 16, 128, 784}, {"predict b16", false, false, 16, 10, 128},
          {"tab XW", false, false, 32, 64, 30},        {"tab XW", false, false, 32, 64, 64},
          {"tab XW", false, false, 32, 1, 64},         {"tab X^T dZ", true, false, 30, 64, 32},
          {"tab X^T dZ", true, false, 64, 64, 32},     {"tab X^T dZ", true, false, 64, 1, 32},
          {"tab dZ W^T", false, true, 32, 64, 64},     {"tab dZ W^T", false, true, 32, 64, 1},
          {"mnist XW", false, false, 64, 128, 784},    {"mnist XW", false, false, 64, 10, 128},
          {"mnist X^T dZ", true, false, 784, 128, 64}, {"mnist X^T dZ", true, false, 128, 10, 64},
          {"mnist dZ W^T", false, true, 64, 128, 10},   {"skinny b8", false, false, 8, 1024, 1024},
          // Past the AVX-512 table's direct limits: packing should pay from here on.
          {"mnist XW", false, false, 256, 128, 784},    {"square", false, false, 256, 256, 256},
          {"wide XW", false, false, 256, 1024, 784}};
}

void sup_compare(std::size_t reps) {
  fastmlp::GemmContext ctx(nullptr);
  fastmlp::ThreadPool pool(2);
  fastmlp::GemmContext ctx2(&pool);
  struct Way {
    const char* name;
    fastmlp::GemmPath path;
    fastmlp::GemmKernel kernel;
  };
  const Way ways[] = {{"avx512", fastmlp::GemmPath::direct, fastmlp::GemmKernel::avx512},
                      {"avx2", fastmlp::GemmPath::direct, fastmlp::GemmKernel::avx2},
                      {"packed512", fastmlp::GemmPath::packed, fastmlp::GemmKernel::avx512}};
  std::vector<Engine> engines;
  for (const Way& w : ways) {
    engines.push_back({w.name, [&ctx, w](const Shape& s, const float* A, const float* B, float* C) {
                         fastmlp::sgemm_with(ctx, {w.path, w.kernel, fastmlp::GemmThreads::single}, s.ta, s.tb, s.m,
                                             s.n, s.k, 1.0f, A, B, 0.0f, C);
                       }});
  }
  // The packed path split over 2 threads where it would be (the direct path runs on one).
  engines.push_back({"packed512x2", [&ctx2](const Shape& s, const float* A, const float* B, float* C) {
                       fastmlp::sgemm_with(ctx2, {fastmlp::GemmPath::packed, fastmlp::GemmKernel::avx512,
                                                  fastmlp::GemmThreads::automatic},
                                           s.ta, s.tb, s.m, s.n, s.k, 1.0f, A, B, 0.0f, C);
                     }});
  std::printf("-- sup: direct path on the AVX-512 vs the AVX2 table (1 thread), AVX-512 packed on 1 and 2\n");
  for (const Shape& s : sup_shapes()) {
    const bool direct = fastmlp::gemm_prefers_direct(s.tb, s.m, s.n, s.k);
    std::printf("[auto: %s] ", direct ? "direct" : "packed");
    bench_shape(s, engines, reps, 1);
  }
}

// The products of one training step (C = op(A) op(B), the forward ones with sgemm_bias's bias):
// forward X W + b per layer, then from the last layer down dW = X^T dZ and, above the first
// layer, dX = dZ W^T: the flops trainer_bench and the versus bench count for a step.
struct StepProduct {
  Shape shape;
  bool bias;
};
// A network of the versus bench (bench/versus/archs.ts), as sizes from inputs to outputs, and
// its batch.
struct StepArch {
  const char* name;
  std::vector<std::size_t> sizes;
  std::size_t batch;
};
std::vector<StepArch> step_archs() {
  std::vector<std::size_t> deep{64};
  for (int l = 0; l < 16; ++l) deep.push_back(64);
  deep.push_back(10);
  return {{"tabular", {30, 64, 64, 1}, 32},
          {"deep", deep, 64},
          {"mnist", {784, 128, 10}, 64},
          {"wide", {784, 1024, 1024, 10}, 256}};
}
std::vector<StepProduct> step_products(const StepArch& a) {
  static std::deque<std::string> names;  // Shape names are C strings: kept for the process
  const auto name = [](const std::string& n) { return names.emplace_back(n).c_str(); };
  std::vector<StepProduct> v;
  const std::size_t layers = a.sizes.size() - 1, b = a.batch;
  for (std::size_t l = 0; l < layers; ++l) {
    v.push_back({{name("fwd" + std::to_string(l + 1) + " XW+b"), false, false, b, a.sizes[l + 1], a.sizes[l]}, true});
  }
  for (std::size_t l = layers; l-- > 0;) {
    const std::size_t in = a.sizes[l], out = a.sizes[l + 1];
    v.push_back({{name("dW" + std::to_string(l + 1) + " X^TdZ"), true, false, in, out, b}, false});
    if (l > 0) v.push_back({{name("dX" + std::to_string(l + 1) + " dZW^T"), false, true, b, in, out}, false});
  }
  return v;
}

// One engine of --set wide: C = op(A) op(B) (+ 1 bias^T when bias is non-null).
struct BiasEngine {
  std::string name;
  std::function<void(const Shape&, const float*, const float*, const float*, float*)> gemm;
};

// --set wide and --set steps: every rep times, per engine, 512^3 and then each product of the
// arch's step (warmed, each over >= 2 ms), so a product's rate / 512^3's compares two things
// measured moments apart. The step line is all the products' flops over all their time: a
// ceiling on the whole training step's rate, whose other work (activations, loss, update) only
// adds time. detail: a line per product too.
void step_compare(const StepArch& arch, bool detail, const std::vector<BiasEngine>& engines, std::size_t reps,
                  std::size_t threads) {
  std::vector<StepProduct> items = {{{"512^3", false, false, 512, 512, 512}, false}};
  for (const StepProduct& p : step_products(arch)) items.push_back(p);
  const std::vector<float> bias = filled(*std::max_element(arch.sizes.begin(), arch.sizes.end()), 3);
  struct Item {
    std::vector<float> A, B, C;
    std::vector<std::function<void()>> calls;  // per engine
    std::vector<std::size_t> n_calls;
    std::vector<std::vector<double>> gflops;   // [engine][rep]
    double flops = 0.0;
  };
  std::vector<Item> state(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Shape& s = items[i].shape;
    Item& it = state[i];
    it.A = filled(s.m * s.k, 1), it.B = filled(s.k * s.n, 2), it.C.assign(s.m * s.n, std::nanf(""));
    it.flops = 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k);
    it.gflops.resize(engines.size());
    const float* b = items[i].bias ? bias.data() : nullptr;
    for (const BiasEngine& e : engines) {
      e.gemm(s, it.A.data(), it.B.data(), nullptr, it.C.data());  // checked without the bias
      if (!verify(s, it.A, it.B, it.C)) std::printf("  (%s failed verification on %s)\n", e.name.c_str(), s.name);
      it.calls.push_back([&e, &s, &it, b] { e.gemm(s, it.A.data(), it.B.data(), b, it.C.data()); });
      it.n_calls.push_back(calls_for(it.calls.back()));
    }
  }
  for (std::size_t r = 0; r < reps; ++r) {
    for (Item& it : state) {
      for (std::size_t e = 0; e < engines.size(); ++e) {
        it.gflops[e].push_back(it.flops / time_per_call(it.calls[e], it.n_calls[e]) * 1e-9);
      }
    }
  }
  std::string sizes;
  for (std::size_t size : arch.sizes) sizes += (sizes.empty() ? "" : "-") + std::to_string(size);
  std::printf("-- %s step products (%s, batch %zu), %zu thread(s), %s clock: GFLOP/s (median), and (median of "
              "the rep's rate / 512^3's)\n",
              arch.name, sizes.c_str(), arch.batch, threads, g_cpu_clock ? "cpu" : "wall");
  std::vector<std::vector<double>> step_seconds(engines.size(), std::vector<double>(reps, 0.0));
  double step_flops = 0.0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Shape& s = items[i].shape;
    const bool print = detail || i == 0;
    if (print) {
      std::printf("%-10s %s%s%s %5zu %5zu %5zu", s.name, s.ta ? "t" : "n", s.tb ? "t" : "n",
                  items[i].bias ? "+b" : "  ", s.m, s.n, s.k);
    }
    if (i > 0) step_flops += state[i].flops;
    for (std::size_t e = 0; e < engines.size(); ++e) {
      std::vector<double> frac;
      for (std::size_t r = 0; r < reps; ++r) {
        frac.push_back(state[i].gflops[e][r] / state[0].gflops[e][r]);
        if (i > 0) step_seconds[e][r] += state[i].flops / (state[i].gflops[e][r] * 1e9);
      }
      if (print) {
        std::printf("  %s %6.1f (%3.0f%%)", engines[e].name.c_str(), median(state[i].gflops[e]), 100.0 * median(frac));
      }
    }
    if (print) std::printf("\n");
  }
  std::printf("%-10s %22s", "step", "all products");
  for (std::size_t e = 0; e < engines.size(); ++e) {
    std::vector<double> rate, frac;
    for (std::size_t r = 0; r < reps; ++r) {
      rate.push_back(step_flops / step_seconds[e][r] * 1e-9);
      frac.push_back(rate.back() / state[0].gflops[e][r]);
    }
    std::printf("  %s %6.1f (%3.0f%%)", engines[e].name.c_str(), median(rate), 100.0 * median(frac));
  }
  std::printf("\n");
  std::fflush(stdout);
}

std::vector<Shape> squares() {
  std::vector<Shape> v;
  for (std::size_t n : {64, 128, 256, 512, 1024, 2048}) v.push_back({"square", false, false, n, n, n});
  return v;
}

std::vector<Shape> backprop() {
  std::vector<Shape> v;
  for (std::size_t b : {64, 1024}) {
    v.push_back({b == 64 ? "XW b64" : "XW b1024", false, false, b, 128, 784});
    v.push_back({b == 64 ? "X^T dZ b64" : "X^T dZ b1024", true, false, 784, 128, b});
    v.push_back({b == 64 ? "dZ W^T b64" : "dZ W^T b1024", false, true, b, 784, 128});
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t reps = 9;
  std::string set = "all";
  std::vector<std::size_t> thread_counts = {1, 2};
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--reps")) reps = std::strtoul(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--set")) set = argv[i + 1];
    if (!std::strcmp(argv[i], "--threads")) thread_counts = {std::strtoul(argv[i + 1], nullptr, 10)};
    if (!std::strcmp(argv[i], "--clock")) g_cpu_clock = !std::strcmp(argv[i + 1], "cpu");
  }
  const bool cpu_clock_requested = g_cpu_clock;
  std::printf("kernel %s, reps %zu, %s clock (GFLOP/s: median, best)\n", fastmlp::gemm_kernel_name(),
              reps, g_cpu_clock ? "thread-cpu" : "wall");

  if (set == "crossover" || set == "all") {
    // Direct vs packed on one thread for small shapes: where packing starts to pay.
    fastmlp::GemmContext ctx(nullptr);
    std::vector<Engine> engines;
    for (fastmlp::GemmPath path : {fastmlp::GemmPath::direct, fastmlp::GemmPath::packed}) {
      engines.push_back({path == fastmlp::GemmPath::direct ? "direct" : "packed",
                         [&ctx, path](const Shape& s, const float* A, const float* B, float* C) {
                           fastmlp::sgemm_with(ctx, {path, fastmlp::GemmKernel::automatic,
                                                     fastmlp::GemmThreads::single},
                                               s.ta, s.tb, s.m, s.n, s.k, 1.0f, A, B, 0.0f, C);
                         }});
    }
    for (std::size_t m : {2, 8, 16, 32, 64}) {
      for (std::size_t n : {1, 3, 16, 32, 64}) {
        for (std::size_t k : {2, 8, 16, 32, 64}) {
          for (int tr = 0; tr < 4; ++tr) {
            bench_shape({tr == 0 ? "nn" : tr == 1 ? "tn" : tr == 2 ? "nt" : "tt", (tr & 1) != 0,
                         (tr & 2) != 0, m, n, k},
                        engines, reps, 1);
          }
        }
      }
    }
  }

  if (set == "sweep") {
    sweep(fastmlp::GemmKernel::scalar, "scalar", reps);
    // The vector tables in use, if any: AVX2/FMA (and AVX-512) on x86-64, NEON on aarch64.
    const std::string vector = fastmlp::gemm_kernel_name();
    if (vector == "avx2-fma" || vector == "avx512") sweep(fastmlp::GemmKernel::avx2, "avx2-fma", reps);
    if (vector == "avx512") sweep(fastmlp::GemmKernel::avx512, "avx512", reps);
    if (vector == "neon") sweep(fastmlp::GemmKernel::neon, "neon", reps);
  }

  if (set == "kernels") {
#if defined(FASTMLP_BENCH_OPENBLAS_NUMPY)
    std::printf("openblas: numpy's, %s, core %s\n", scipy_openblas_get_config64_(), scipy_openblas_get_corename64_());
#endif
    for (std::size_t threads : thread_counts) {
      g_cpu_clock = cpu_clock_requested && threads == 1;
      std::unique_ptr<fastmlp::ThreadPool> pool(threads > 1 ? new fastmlp::ThreadPool(threads) : nullptr);
      fastmlp::GemmContext ctx(pool.get());
      std::vector<Engine> engines;
      for (fastmlp::GemmKernel kernel : {fastmlp::GemmKernel::avx512, fastmlp::GemmKernel::avx2}) {
        engines.push_back({kernel == fastmlp::GemmKernel::avx512 ? "avx512" : "avx2",
                           [&ctx, kernel](const Shape& s, const float* A, const float* B, float* C) {
                             fastmlp::sgemm_with(ctx, {fastmlp::GemmPath::automatic, kernel,
                                                       fastmlp::GemmThreads::automatic},
                                                 s.ta, s.tb, s.m, s.n, s.k, 1.0f, A, B, 0.0f, C);
                           }});
      }
      add_openblas(engines, threads);
      for (const Shape& s : user_shapes()) bench_shape(s, engines, reps, threads);
    }
  }

  if (set == "blocking") {
    // The table in use's packed kernel with its own KC / MC (first) against other KC and MC,
    // one thread, interleaved rep by rep: the sweep behind blocking.hpp's KC / MC choice.
    const fastmlp::MicroKernel own = fastmlp::cpu::kernels().gemm_micro;
    std::printf("-- blocking of the %s kernel (%zu x %zu): own KC %zu MC %zu first; ratio = own / variant\n",
                fastmlp::gemm_kernel_name(), own.shape.mr, own.shape.nr, own.shape.kc, own.shape.mc);
    fastmlp::GemmContext ctx(nullptr);
    std::vector<fastmlp::MicroKernel> variants = {own};
    for (std::size_t kc : {128, 192, 320, 384, 512}) variants.push_back({own.fn, {own.shape.mr, own.shape.nr, kc, own.shape.mc}});
    for (std::size_t mc_panels : {8, 16, 48}) {
      variants.push_back({own.fn, {own.shape.mr, own.shape.nr, own.shape.kc, mc_panels * own.shape.mr}});
    }
    std::vector<Engine> engines;
    for (const fastmlp::MicroKernel& v : variants) {
      engines.push_back({"kc" + std::to_string(v.shape.kc) + "/mc" + std::to_string(v.shape.mc),
                         [&ctx, v](const Shape& s, const float* A, const float* B, float* C) {
                           fastmlp::sgemm_packed(ctx, v, 1, s.ta, s.tb, s.m, s.n, s.k, 1.0f, A, B, 0.0f, C);
                         }});
    }
    for (const Shape& s : user_shapes()) bench_shape(s, engines, reps, 1);
  }

  if (set == "sup") {
    if (std::string(fastmlp::gemm_kernel_name()) != "avx512") {
      std::printf("--set sup compares the AVX-512 and AVX2 tables: this CPU/build runs %s\n",
                  fastmlp::gemm_kernel_name());
      return 1;
    }
    sup_compare(reps);
  }

  if (set == "wide" || set == "steps") {
    for (std::size_t threads : thread_counts) {
      g_cpu_clock = cpu_clock_requested && threads == 1;
      std::unique_ptr<fastmlp::ThreadPool> pool(threads > 1 ? new fastmlp::ThreadPool(threads) : nullptr);
      fastmlp::GemmContext ctx(pool.get());
      std::vector<BiasEngine> engines = {
          {"fastmlp", [&ctx](const Shape& s, const float* A, const float* B, const float* bias, float* C) {
             if (bias != nullptr) {
               fastmlp::sgemm_bias(ctx, s.ta, s.tb, s.m, s.n, s.k, A, B, bias, C);
             } else {
               fastmlp::sgemm(ctx, s.ta, s.tb, s.m, s.n, s.k, 1.0f, A, B, 0.0f, C);
             }
           }}};
#if defined(FASTMLP_BENCH_HAS_OPENBLAS)
      openblas_threads(threads);
      // The bias as PyTorch's addmm hands it to BLAS: C = the bias rows, then beta = 1.
      engines.push_back({"openblas", [](const Shape& s, const float* A, const float* B, const float* bias, float* C) {
                           if (bias != nullptr) {
                             for (std::size_t i = 0; i < s.m; ++i) std::memcpy(C + i * s.n, bias, s.n * sizeof(float));
                           }
                           openblas_sgemm(s, A, B, bias != nullptr ? 1.0f : 0.0f, C);
                         }});
#endif
      for (const StepArch& arch : step_archs()) {
        if (set == "steps" || std::string(arch.name) == "wide") step_compare(arch, set == "wide", engines, reps, threads);
      }
    }
  }

  if (set == "threads") {
    // 1 vs 2 threads for medium shapes: where splitting starts to pay.
    fastmlp::ThreadPool pool(2);
    fastmlp::GemmContext ctx(&pool);
    std::vector<Engine> engines;
    for (fastmlp::GemmThreads th : {fastmlp::GemmThreads::all, fastmlp::GemmThreads::single}) {
      engines.push_back({th == fastmlp::GemmThreads::all ? "2thr" : "1thr",
                         [&ctx, th](const Shape& s, const float* A, const float* B, float* C) {
                           fastmlp::sgemm_with(ctx, {fastmlp::GemmPath::packed, fastmlp::GemmKernel::automatic, th},
                                               s.ta, s.tb, s.m, s.n, s.k, 1.0f, A, B, 0.0f, C);
                         }});
    }
    for (std::size_t d : {16, 24, 32, 48, 64, 96, 128}) bench_shape({"square", false, false, d, d, d}, engines, reps, 2);
    for (std::size_t b : {8, 16, 32}) bench_shape({"XW", false, false, b, 128, 784}, engines, reps, 2);
    // The direct path on 1 vs 2 threads (kParallelDirectMinVolume): the products of the training
    // steps (tabular 30-64-64-1 at 32, deep 64x64 layers at 64, 784-128-10 at 64) and predict,
    // by volume (m n k). "2thr" splits every product; ratio = 2thr / 1thr.
    std::vector<Engine> direct;
    for (fastmlp::GemmThreads th : {fastmlp::GemmThreads::all, fastmlp::GemmThreads::single}) {
      direct.push_back({th == fastmlp::GemmThreads::all ? "2thr" : "1thr",
                        [&ctx, th](const Shape& s, const float* A, const float* B, float* C) {
                          fastmlp::sgemm_with(ctx, {fastmlp::GemmPath::direct, fastmlp::GemmKernel::automatic, th},
                                              s.ta, s.tb, s.m, s.n, s.k, 1.0f, A, B, 0.0f, C);
                        }});
    }
    // Inside a session, as a training step runs its products (workers spin between them).
    fastmlp::ThreadPool::Session session(pool);
    std::printf("-- direct path, 1 vs 2 threads (by volume m n k), in a session\n");
    const Shape direct_shapes[] = {
        {"tab XW", false, false, 32, 64, 64},        {"tab X^T dZ", true, false, 64, 64, 32},
        {"deep XW", false, false, 64, 64, 64},       {"deep X^T dZ", true, false, 64, 64, 64},
        {"deep dZ W^T", false, true, 64, 64, 64},    {"XW", false, false, 128, 128, 64},
        {"XW", false, false, 128, 128, 128},         {"XW", false, false, 64, 256, 128},
        {"predict b16", false, false, 16, 128, 784}, {"XW", false, false, 64, 256, 256},
        {"XW", false, false, 128, 256, 256},         {"mnist XW", false, false, 64, 128, 784},
        {"mnist X^T dZ", true, false, 784, 128, 64}, {"XW", false, false, 256, 256, 256},
    };
    for (const Shape& s : direct_shapes) bench_shape(s, direct, reps, 2);
  }

  if (set == "squares" || set == "backprop" || set == "all") {
    std::vector<Shape> shapes = set == "squares" ? squares() : set == "backprop" ? backprop() : squares();
    if (set == "all") {
      for (const Shape& s : backprop()) shapes.push_back(s);
    }
    for (std::size_t threads : thread_counts) {
      g_cpu_clock = cpu_clock_requested && threads == 1;  // CPU time of one thread != wall time of two
      std::unique_ptr<fastmlp::ThreadPool> pool(threads > 1 ? new fastmlp::ThreadPool(threads) : nullptr);
      fastmlp::GemmContext ctx(pool.get());
      std::vector<Engine> engines = {{"fastmlp", [&ctx](const Shape& s, const float* A, const float* B, float* C) {
                                        fastmlp::sgemm(ctx, s.ta, s.tb, s.m, s.n, s.k, 1.0f, A, B, 0.0f, C);
                                      }}};
      add_openblas(engines, threads);
      for (const Shape& s : shapes) bench_shape(s, engines, reps, threads);
    }
  }
  return 0;
}
