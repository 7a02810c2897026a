// What the CPU and the OS let the kernels use (CPUID + XGETBV), and the environment override
// FASTMLP_FORCE_SCALAR=1. Raw facts only: the choice made from them is dispatch.hpp's.
#pragma once

namespace fastmlp {
namespace cpu {

// True when the CPU reports AVX2 and FMA (CPUID leaves 1 and 7) AND the OS saves YMM state
// (OSXSAVE set and XCR0 bits 1-2 on). Always false off x86. Hardware answer (ignores the
// environment), computed once per process.
bool has_avx2_fma();

// True when FASTMLP_FORCE_SCALAR is "1" in the environment (read once per process).
bool scalar_forced();

}  // namespace cpu
}  // namespace fastmlp
