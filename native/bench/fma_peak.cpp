// The machine's capacity at this moment: peak fused multiply-add rate on 1 thread and on all
// threads, measured for a fixed short time on the WIDEST FMA unit this CPU and OS offer:
// AVX-512F (512-bit), else AVX2+FMA (256-bit), else scalar. On a CPU with full-width AVX-512
// FMA units (AMD Zen 5, Intel server cores) the 512-bit peak is about twice the AVX2 one, so a
// probe that stopped at AVX2 would report half of what BLAS libraries using AVX-512 can reach.
// bench/versus/capacity.ts compiles and runs it before each round of the benchmark, so ratios
// measured on a shared machine come with the capacity the machine had when they were taken.
// Prints one JSON line:
//   {"kernel":"avx512f","threads":N,"one":GFLOP/s,"all":GFLOP/s}
// Build: c++ -O2 -std=c++17 -pthread fma_peak.cpp -o fma_peak
// Usage: fma_peak [milliseconds] [avx512f|avx2-fma|scalar]  (the second argument asks for a
// narrower kernel than the widest, e.g. to compare AVX-512 with AVX2; a wider one than the CPU
// runs is refused). The vector kernels are compiled with target attributes, so this file needs
// no -m flags and runs (scalar) on any x86-64 or other CPU.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define FMA_PEAK_X86 1
#endif

namespace {

using Clock = std::chrono::steady_clock;
constexpr long kRepsPerCheck = 4096;

enum class Kernel { kScalar, kAvx2Fma, kAvx512f };

const char* name(Kernel k) {
  switch (k) {
    case Kernel::kAvx512f:
      return "avx512f";
    case Kernel::kAvx2Fma:
      return "avx2-fma";
    default:
      return "scalar";
  }
}

#if defined(FMA_PEAK_X86)
std::uint64_t xgetbv0() {
  std::uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<std::uint64_t>(hi) << 32) | lo;
}
#endif

// CPUID says what the CPU has; XGETBV says what state the OS saves (a VM or an old kernel may
// hide YMM/ZMM state, and the instructions then fault). Same checks as native/core/cpu/.
Kernel widest() {
#if defined(FMA_PEAK_X86)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid_max(0, nullptr) < 7) return Kernel::kScalar;
  __cpuid_count(1, 0, a, b, c, d);
  const bool fma = (c >> 12) & 1u, osxsave = (c >> 27) & 1u, avx = (c >> 28) & 1u;
  if (!fma || !osxsave || !avx) return Kernel::kScalar;
  const std::uint64_t xcr0 = xgetbv0();
  if ((xcr0 & 0x6u) != 0x6u) return Kernel::kScalar;  // XMM and YMM state
  __cpuid_count(7, 0, a, b, c, d);
  const bool avx2 = (b >> 5) & 1u, avx512f = (b >> 16) & 1u;
  // XCR0 bits 5-7: opmask, upper halves of ZMM0-15, ZMM16-31
  if (avx512f && (xcr0 & 0xE6u) == 0xE6u) return Kernel::kAvx512f;
  return avx2 ? Kernel::kAvx2Fma : Kernel::kScalar;
#else
  return Kernel::kScalar;
#endif
}

#if defined(FMA_PEAK_X86)
// 16 independent 16-lane FMA chains: latency 4 cycles on two 512-bit FMA pipes needs >= 8 in
// flight; 32 ZMM registers leave room for 16 plus the constants.
__attribute__((target("avx512f"))) double fma_avx512(double seconds, float* sink) {
  __m512 acc[16];
  for (int i = 0; i < 16; i++) acc[i] = _mm512_set1_ps(0.001f * static_cast<float>(i));
  const __m512 a = _mm512_set1_ps(0.999999f);
  const __m512 b = _mm512_set1_ps(1e-7f);
  long reps = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  do {
    for (long r = 0; r < kRepsPerCheck; r++) {
#pragma GCC unroll 16
      for (int i = 0; i < 16; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);  // unrolled: acc in registers
    }
    reps += kRepsPerCheck;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  __m512 sum = acc[0];
  for (int i = 1; i < 16; i++) sum = _mm512_add_ps(sum, acc[i]);
  float lanes[16];
  _mm512_storeu_ps(lanes, sum);
  *sink = lanes[0];
  return static_cast<double>(reps) * 16 * 16 * 2 / elapsed / 1e9;
}

// 10 independent 8-lane FMA chains: enough to cover FMA latency (4-5 cycles) on two ports, in
// the 16 YMM registers.
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
#endif

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

double probe(Kernel k, double seconds, float* sink) {
#if defined(FMA_PEAK_X86)
  if (k == Kernel::kAvx512f) return fma_avx512(seconds, sink);
  if (k == Kernel::kAvx2Fma) return fma_avx2(seconds, sink);
#endif
  return fma_scalar(seconds, sink);
}

double run(Kernel k, unsigned threads, double seconds) {
  std::vector<double> rates(threads);
  std::vector<float> sinks(threads);
  std::vector<std::thread> pool;
  std::atomic<unsigned> ready{0};
  for (unsigned t = 0; t < threads; t++) {
    pool.emplace_back([&, t] {
      ready++;
      while (ready.load() < threads) {
      }  // start together: the all-threads figure is threads running at once
      rates[t] = probe(k, seconds, &sinks[t]);
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
  Kernel kernel = widest();
  if (argc > 2) {
    Kernel asked = Kernel::kScalar;
    bool known = false;
    for (Kernel k : {Kernel::kScalar, Kernel::kAvx2Fma, Kernel::kAvx512f})
      if (std::strcmp(argv[2], name(k)) == 0) asked = k, known = true;
    if (!known || asked > kernel) {
      std::fprintf(stderr, "fma_peak: kernel '%s' is not one this CPU runs (widest: %s; also: avx2-fma, scalar)\n",
                   argv[2], name(kernel));
      return 2;
    }
    kernel = asked;
  }
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  const double one = run(kernel, 1, seconds);
  const double all = run(kernel, threads, seconds);
  std::printf("{\"kernel\":\"%s\",\"threads\":%u,\"one\":%.2f,\"all\":%.2f}\n", name(kernel), threads, one, all);
  return 0;
}
