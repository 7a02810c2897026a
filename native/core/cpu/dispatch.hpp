// Run-time dispatch for the whole core: one table says which kernel serves each job (gemm's
// micro-kernel, its direct small-shape path and the rule choosing it, the vecmath kernels), one
// table per instruction set, and kernels() picks one ONCE per process from the CPU
// (features.hpp) and FASTMLP_FORCE_SCALAR. gemm and vecmath ask here; nothing else decides.
// The tables are constants; the only process-wide state is the thread-safe, once-initialized
// choice (a function-local static), so any number of addon instances (worker_threads) share it.
#pragma once

#include <cstddef>

#include "gemm/blocking.hpp"
#include "gemm/kernel.hpp"
#include "gemm/sup/sup_kernel.hpp"

namespace fastmlp {

struct StepCoefficients;  // optimizer_kernels.hpp

namespace cpu {

using VecMap = void (*)(float* y, const float* x, std::size_t n);
using VecColumnSums = void (*)(float* db, const float* dZ, std::size_t rows, std::size_t units);
using VecSquaredErrorSum = double (*)(const float* P, const float* Y, std::size_t n);
using VecWeightedSquaredErrorSum = double (*)(const float* P, const float* Y, const float* W, std::size_t rows,
                                              std::size_t cols);
// kind 0: sigmoid, 1: tanh, 2: relu (see vecmath_kernels.hpp).
using VecActivationBackward = void (*)(int kind, float* dZ, const float* dA, const float* A, std::size_t n);
using VecAnyNotFinite = bool (*)(const float* x, std::size_t n);
// The optimizer's element loop (optimizer_kernels.hpp): the same bits from every table.
using VecOptimizerUpdate = void (*)(int kind, const StepCoefficients& c, float decay, float* w, const float* g,
                                    float* m, float* v, std::size_t n);

struct KernelTable {
  const char* name;  // "scalar" | "avx2-fma" | "avx512" | "neon": what info() and the benches report
  // gemm
  MicroKernel gemm_micro;           // the packed path's MR x NR micro-kernel
  SupVariants gemm_sup;             // the direct (unpacked) path's kernels
  gemm_blocking::DirectLimits gemm_direct_limits;  // when the direct path beats packing
  // vecmath
  VecMap exp_nonpositive;
  VecMap sigmoid;
  VecMap tanh;
  VecColumnSums column_sums;
  VecSquaredErrorSum squared_error_sum;
  // null: activations.cpp's plain loops serve (the compiler vectorizes them for the baseline ISA)
  VecActivationBackward activation_backward;
  VecWeightedSquaredErrorSum weighted_squared_error_sum;
  VecAnyNotFinite any_not_finite;
  // optimizers
  VecOptimizerUpdate optimizer_update;
};

// The table in use: the widest vector one (vector_kernels()) when there is one and
// FASTMLP_FORCE_SCALAR is not "1"; otherwise the scalar one. Chosen on first call.
const KernelTable& kernels();

// The portable table (every build, every CPU).
const KernelTable& scalar_kernels();

// The AVX2/FMA table, or null when this build has no AVX2 kernels (non-x86-64 target, compiler
// without the flags) or this CPU/OS cannot run them. Ignores FASTMLP_FORCE_SCALAR (tests use it
// to cover both tables on one machine).
const KernelTable* avx2_kernels();

// The AVX-512 table (F/VL/BW/DQ, with AVX2 and FMA), or null when this build has no AVX-512
// kernels or this CPU/OS cannot run them. Entries without an AVX-512 kernel yet are the AVX2
// table's. Ignores FASTMLP_FORCE_SCALAR and FASTMLP_MAX_ISA.
const KernelTable* avx512_kernels();

// The NEON table, or null when this build has none (any target but aarch64). NEON (Advanced
// SIMD) is part of the aarch64 baseline that Linux, macOS and Windows require, so no run-time
// check. Ignores FASTMLP_FORCE_SCALAR.
const KernelTable* neon_kernels();

// This build's widest vector table that this CPU runs: avx512_kernels() (unless
// FASTMLP_MAX_ISA=avx2), else avx2_kernels() on x86-64; neon_kernels() on aarch64; else null.
// Ignores FASTMLP_FORCE_SCALAR.
const KernelTable* vector_kernels();

}  // namespace cpu
}  // namespace fastmlp
