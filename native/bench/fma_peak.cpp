// The machine's capacity at this moment: peak fused multiply-add rate on 1 thread and on all
// threads, measured for a fixed short time. bench/versus/capacity.ts compiles and runs it before
// each round of the benchmark, so ratios measured on a shared machine come with the capacity
// the machine had when they were taken. Prints one JSON line:
//   {"kernel":"avx2-fma","threads":N,"one":GFLOP/s,"all":GFLOP/s}
// Build: c++ -O2 -std=c++17 -pthread fma_peak.cpp -o fma_peak   Usage: fma_peak [milliseconds]
#include <immintrin.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr long kRepsPerCheck = 4096;

// 10 independent 8-lane FMA chains: enough to cover FMA latency (4-5 cycles) on two ports.
__attribute__((target("avx2,fma"))) double fma_avx2(double seconds, float* sink) {
  __m256 acc[10];
  for (int i = 0; i < 10; i++) acc[i] = _mm256_set1_ps(0.001f * static_cast<float>(i));
  const __m256 a = _mm256_set1_ps(0.999999f);
  const __m256 b = _mm256_set1_ps(1e-7f);
  long reps = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  do {
    for (long r = 0; r < kRepsPerCheck; r++) {
#pragma GCC unroll 10
      for (int i = 0; i < 10; i++) acc[i] = _mm256_fmadd_ps(acc[i], a, b);  // unrolled: acc in registers
    }
    reps += kRepsPerCheck;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  __m256 sum = acc[0];
  for (int i = 1; i < 10; i++) sum = _mm256_add_ps(sum, acc[i]);
  float lanes[8];
  _mm256_storeu_ps(lanes, sum);
  *sink = lanes[0];
  return static_cast<double>(reps) * 10 * 8 * 2 / elapsed / 1e9;
}

// The scalar twin for a CPU without AVX2/FMA: 10 independent chains the compiler may vectorize.
double fma_scalar(double seconds, float* sink) {
  float acc[10];
  for (int i = 0; i < 10; i++) acc[i] = 0.001f * static_cast<float>(i);
  long reps = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  do {
    for (long r = 0; r < kRepsPerCheck; r++) {
#pragma GCC unroll 10
      for (int i = 0; i < 10; i++) acc[i] = acc[i] * 0.999999f + 1e-7f;
    }
    reps += kRepsPerCheck;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  *sink = acc[0] + acc[9];
  return static_cast<double>(reps) * 10 * 2 / elapsed / 1e9;
}

double run(bool avx2, unsigned threads, double seconds) {
  std::vector<double> rates(threads);
  std::vector<float> sinks(threads);
  std::vector<std::thread> pool;
  std::atomic<unsigned> ready{0};
  for (unsigned t = 0; t < threads; t++) {
    pool.emplace_back([&, t] {
      ready++;
      while (ready.load() < threads) {
      }  // start together: the all-threads figure is threads running at once
      rates[t] = avx2 ? fma_avx2(seconds, &sinks[t]) : fma_scalar(seconds, &sinks[t]);
    });
  }
  for (auto& th : pool) th.join();
  double total = 0;
  for (double r : rates) total += r;
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = (argc > 1 ? std::atof(argv[1]) : 50.0) / 1000.0;
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  const double one = run(avx2, 1, seconds);
  const double all = run(avx2, threads, seconds);
  std::printf("{\"kernel\":\"%s\",\"threads\":%u,\"one\":%.2f,\"all\":%.2f}\n", avx2 ? "avx2-fma" : "scalar",
              threads, one, all);
  return 0;
}
