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

// Each kernel is a set of independent FMA chains, kept in memory between steps: a step runs
// kRepsPerCheck rounds with the chains in registers, so the load and store around it cost
// nothing next to its 4096 x chains FMAs. The vector steps carry target attributes (no -m flags
// for this file); the timing loop below is shared by all kernels.
#if defined(FMA_PEAK_X86)
// 16 independent 16-lane chains: latency 4 cycles on two 512-bit FMA pipes needs >= 8 in
// flight; 32 ZMM registers leave room for 16 plus the constants.
struct Avx512Chains {
  static constexpr int kChains = 16, kLanes = 16;
  alignas(64) float acc[kChains][kLanes];
  __attribute__((target("avx512f"))) void step() {
    __m512 r[kChains];
    for (int i = 0; i < kChains; i++) r[i] = _mm512_load_ps(acc[i]);
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (long rep = 0; rep < kRepsPerCheck; rep++) {
#pragma GCC unroll 16
      for (int i = 0; i < kChains; i++) r[i] = _mm512_fmadd_ps(r[i], a, b);
    }
    for (int i = 0; i < kChains; i++) _mm512_store_ps(acc[i], r[i]);
  }
};

// 10 independent 8-lane chains: enough to cover FMA latency (4-5 cycles) on two ports, in
// the 16 YMM registers.
struct Avx2Chains {
  static constexpr int kChains = 10, kLanes = 8;
  alignas(32) float acc[kChains][kLanes];
  __attribute__((target("avx2,fma"))) void step() {
    __m256 r[kChains];
    for (int i = 0; i < kChains; i++) r[i] = _mm256_load_ps(acc[i]);
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (long rep = 0; rep < kRepsPerCheck; rep++) {
#pragma GCC unroll 10
      for (int i = 0; i < kChains; i++) r[i] = _mm256_fmadd_ps(r[i], a, b);
    }
    for (int i = 0; i < kChains; i++) _mm256_store_ps(acc[i], r[i]);
  }
};
#endif

// The scalar twin for a CPU without AVX2/FMA: 10 independent chains the compiler may vectorize.
struct ScalarChains {
  static constexpr int kChains = 10, kLanes = 1;
  float acc[kChains][kLanes];
  void step() {
    float r[kChains];
    for (int i = 0; i < kChains; i++) r[i] = acc[i][0];
    for (long rep = 0; rep < kRepsPerCheck; rep++) {
#pragma GCC unroll 10
      for (int i = 0; i < kChains; i++) r[i] = r[i] * 0.999999f + 1e-7f;
    }
    for (int i = 0; i < kChains; i++) acc[i][0] = r[i];
  }
};

// GFLOP/s of `Chains` run for `seconds`; the sum of the chains goes to *sink so that the
// compiler cannot drop the work.
template <class Chains>
double timed(double seconds, float* sink) {
  Chains c;
  for (int i = 0; i < Chains::kChains; i++)
    for (int l = 0; l < Chains::kLanes; l++) c.acc[i][l] = 0.001f * static_cast<float>(i);
  long reps = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  do {
    c.step();
    reps += kRepsPerCheck;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  float sum = 0;
  for (int i = 0; i < Chains::kChains; i++) sum += c.acc[i][0];
  *sink = sum;
  return static_cast<double>(reps) * Chains::kChains * Chains::kLanes * 2 / elapsed / 1e9;
}

double probe(Kernel k, double seconds, float* sink) {
#if defined(FMA_PEAK_X86)
  if (k == Kernel::kAvx512f) return timed<Avx512Chains>(seconds, sink);
  if (k == Kernel::kAvx2Fma) return timed<Avx2Chains>(seconds, sink);
#endif
  return timed<ScalarChains>(seconds, sink);
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
