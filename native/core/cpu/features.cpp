// CPU feature detection for the kernel choice (dispatch.cpp). Checking CPUID alone is not
// enough: a VM or an old OS may hide YMM state (XCR0), and AVX instructions then fault (the
// llama.cpp crash), so XGETBV is checked too. Each answer is computed once per process.
#include "cpu/features.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(_M_IX86)
#if defined(_MSC_VER)
#include <intrin.h>
#include <immintrin.h>
#else
#include <cpuid.h>
#endif
#define FASTMLP_X86 1
#endif

namespace fastmlp {
namespace cpu {

namespace {

#if defined(FASTMLP_X86)
struct CpuidRegs {
  std::uint32_t eax, ebx, ecx, edx;
};

CpuidRegs cpuid(std::uint32_t leaf, std::uint32_t subleaf) {
  CpuidRegs r{0, 0, 0, 0};
#if defined(_MSC_VER)
  int out[4];
  __cpuidex(out, static_cast<int>(leaf), static_cast<int>(subleaf));
  r = {static_cast<std::uint32_t>(out[0]), static_cast<std::uint32_t>(out[1]),
       static_cast<std::uint32_t>(out[2]), static_cast<std::uint32_t>(out[3])};
#else
  __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
#endif
  return r;
}

// XGETBV(0) = XCR0. Inline asm so this file needs no -mxsave flag.
std::uint64_t xgetbv0() {
#if defined(_MSC_VER)
  return _xgetbv(0);
#else
  std::uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<std::uint64_t>(hi) << 32) | lo;
#endif
}
#endif

bool env_forces_scalar() {
  const char* v = std::getenv("FASTMLP_FORCE_SCALAR");
  return v != nullptr && std::strcmp(v, "1") == 0;
}

bool detect_avx2_fma() {
#if defined(FASTMLP_X86)
  const std::uint32_t max_leaf = cpuid(0, 0).eax;
  if (max_leaf < 7) return false;
  const CpuidRegs l1 = cpuid(1, 0);
  const bool fma = (l1.ecx >> 12) & 1u;
  const bool osxsave = (l1.ecx >> 27) & 1u;  // OS enabled XSAVE/XGETBV
  const bool avx = (l1.ecx >> 28) & 1u;
  if (!fma || !osxsave || !avx) return false;
  // XCR0 bit 1 = SSE (XMM) state, bit 2 = AVX (upper YMM) state: both must be OS-managed.
  if ((xgetbv0() & 0x6u) != 0x6u) return false;
  const bool avx2 = (cpuid(7, 0).ebx >> 5) & 1u;
  return avx2;
#else
  return false;
#endif
}

bool detect_avx512() {
#if defined(FASTMLP_X86)
  if (!detect_avx2_fma()) return false;
  // XCR0 bits 5-7: opmask, upper halves of ZMM0-15, ZMM16-31 (with bits 1-2, checked above).
  if ((xgetbv0() & 0xE0u) != 0xE0u) return false;
  const std::uint32_t ebx = cpuid(7, 0).ebx;
  const bool f = (ebx >> 16) & 1u, dq = (ebx >> 17) & 1u, bw = (ebx >> 30) & 1u, vl = (ebx >> 31) & 1u;
  return f && dq && bw && vl;
#else
  return false;
#endif
}

bool env_caps_avx512() {
  const char* v = std::getenv("FASTMLP_MAX_ISA");
  return v != nullptr && std::strcmp(v, "avx2") == 0;
}

}  // namespace

bool has_avx512() {
  static const bool has = detect_avx512();
  return has;
}

bool avx512_capped() {
  static const bool capped = env_caps_avx512();
  return capped;
}

bool has_avx2_fma() {
  // CPUID traps to the hypervisor in a VM (microseconds): ask once per process. A function-local
  // static is initialized thread-safely once (C++11) and never written again.
  static const bool has = detect_avx2_fma();
  return has;
}

bool scalar_forced() {
  static const bool forced = env_forces_scalar();
  return forced;
}

}  // namespace cpu
}  // namespace fastmlp
