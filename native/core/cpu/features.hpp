// What the CPU and the OS let the kernels use (CPUID + XGETBV), and the environment overrides
// FASTMLP_FORCE_SCALAR=1 and FASTMLP_MAX_ISA=avx2. Raw facts only: the choice made from them is dispatch.hpp's.
#pragma once

namespace fastmlp {
namespace cpu {

// True when the CPU reports AVX2 and FMA (CPUID leaves 1 and 7) AND the OS saves YMM state
// (OSXSAVE set and XCR0 bits 1-2 on). Always false off x86. Hardware answer (ignores the
// environment), computed once per process.
bool has_avx2_fma();

// True when the CPU reports AVX-512 F, VL, BW and DQ (CPUID leaf 7) on top of has_avx2_fma(),
// AND the OS saves opmask and ZMM state (XCR0 bits 5-7). Hardware answer, computed once.
bool has_avx512();

// True when FASTMLP_MAX_ISA is "avx2" in the environment (read once per process): the AVX-512
// table is then not chosen, so the AVX2 one can be run and compared on an AVX-512 machine.
bool avx512_capped();

// True when FASTMLP_FORCE_SCALAR is "1" in the environment (read once per process).
bool scalar_forced();

}  // namespace cpu
}  // namespace fastmlp
