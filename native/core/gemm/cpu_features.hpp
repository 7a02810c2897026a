// What the CPU and the OS let sgemm use, decided once per process (CPUID + XGETBV), and the
// environment override FASTMLP_FORCE_SCALAR=1.
#pragma once

namespace fastmlp {

// True when the CPU reports AVX2 and FMA (CPUID leaves 1 and 7) AND the OS saves YMM state
// (OSXSAVE set and XCR0 bits 1-2 on). Hardware answer (ignores the environment), computed once.
bool cpu_has_avx2_fma();

// The decision sgemm uses: cpu_has_avx2_fma() and the AVX2 kernel was compiled in and
// FASTMLP_FORCE_SCALAR is not "1". Computed on first call, then constant for the process.
bool gemm_use_avx2();

}  // namespace fastmlp
