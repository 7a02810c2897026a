// The kernel tables (one per instruction set) and the once-per-process choice between them.
#include "cpu/dispatch.hpp"

#include "cpu/features.hpp"
#include "gemm/gemm_internal.hpp"
#include "optimizer_kernels.hpp"
#include "vecmath_kernels.hpp"

namespace fastmlp {
namespace cpu {

namespace {

constexpr KernelTable kScalar = {
    "scalar",
    {kernel_scalar_6x16, gemm_blocking::kPanels6x16},
    {sup_rows_scalar, sup_rows_scalar, sup_rows_scalar, false, sup_rows_scalar_part},
    gemm_blocking::kDirectLimitsScalar,
    vecmath_scalar::exp_nonpositive,
    vecmath_scalar::sigmoid,
    vecmath_scalar::tanh,
    vecmath_scalar::column_sums,
    vecmath_scalar::squared_error_sum,
    nullptr,
    vecmath_scalar::weighted_squared_error_sum,
    vecmath_scalar::any_not_finite,
    optimizer_scalar::update,
};

#if defined(FASTMLP_HAVE_AVX2)
constexpr KernelTable kAvx2 = {
    "avx2-fma",
    {kernel_avx2_6x16, gemm_blocking::kPanels6x16},
    {sup_rows_avx2, sup_wide_row_avx2, sup_tall_tiny_avx2, true, sup_rows_avx2_part},
    gemm_blocking::kDirectLimitsAvx2,
    vecmath_avx2::exp_nonpositive,
    vecmath_avx2::sigmoid,
    vecmath_avx2::tanh,
    vecmath_avx2::column_sums,
    vecmath_avx2::squared_error_sum,
    vecmath_avx2::activation_backward,
    vecmath_avx2::weighted_squared_error_sum,
    vecmath_avx2::any_not_finite,
    optimizer_avx2::update,
};
#endif

#if defined(FASTMLP_HAVE_AVX512)
// Started as the AVX2 table under its own name: each job moves to an AVX-512 kernel when one is
// measured faster than the AVX2 one on an AVX-512 CPU.
constexpr KernelTable kAvx512 = {
    "avx512",
    {kernel_avx512_12x32, gemm_blocking::kPanels12x32},
    {sup_rows_avx512, sup_wide_row_avx512, sup_tall_tiny_avx2, true, sup_rows_avx512_part},
    gemm_blocking::kDirectLimitsAvx512,
    vecmath_avx512::exp_nonpositive,
    vecmath_avx512::sigmoid,
    vecmath_avx512::tanh,
    vecmath_avx512::column_sums,
    vecmath_avx512::squared_error_sum,
    vecmath_avx512::activation_backward,
    vecmath_avx512::weighted_squared_error_sum,
    vecmath_avx512::any_not_finite,
    optimizer_avx512::update,
};
#endif

#if defined(FASTMLP_HAVE_NEON)
// The direct path keeps the portable sup kernel (vectorized by the compiler for baseline NEON)
// and the scalar table's limits (blocking.hpp: kDirectLimitsNeon).
constexpr KernelTable kNeon = {
    "neon",
    {kernel_neon_6x16, gemm_blocking::kPanels6x16},
    {sup_rows_scalar, sup_rows_scalar, sup_rows_scalar, false, sup_rows_scalar_part},
    gemm_blocking::kDirectLimitsNeon,
    vecmath_neon::exp_nonpositive,
    vecmath_neon::sigmoid,
    vecmath_neon::tanh,
    vecmath_neon::column_sums,
    vecmath_neon::squared_error_sum,
    vecmath_neon::activation_backward,
    vecmath_neon::weighted_squared_error_sum,
    vecmath_scalar::any_not_finite,  // the plain loop, vectorized by the compiler for baseline NEON
    optimizer_scalar::update,  // the plain loop: no NEON twin yet (none measured on Arm hardware)
};
#endif

const KernelTable& choose() {
  const KernelTable* vector = vector_kernels();
  return vector != nullptr && !scalar_forced() ? *vector : kScalar;
}

}  // namespace

const KernelTable& scalar_kernels() { return kScalar; }

const KernelTable* avx2_kernels() {
#if defined(FASTMLP_HAVE_AVX2)
  return has_avx2_fma() ? &kAvx2 : nullptr;
#else
  return nullptr;
#endif
}

const KernelTable* avx512_kernels() {
#if defined(FASTMLP_HAVE_AVX512)
  return has_avx512() ? &kAvx512 : nullptr;
#else
  return nullptr;
#endif
}

const KernelTable* neon_kernels() {
#if defined(FASTMLP_HAVE_NEON)
  return &kNeon;
#else
  return nullptr;
#endif
}

const KernelTable* vector_kernels() {
  const KernelTable* avx512 = avx512_capped() ? nullptr : avx512_kernels();
  if (avx512 != nullptr) return avx512;
  const KernelTable* avx2 = avx2_kernels();
  return avx2 != nullptr ? avx2 : neon_kernels();
}

const KernelTable& kernels() {
  // Initialized thread-safely on first call (C++11 magic static), never written again.
  static const KernelTable& chosen = choose();
  return chosen;
}

}  // namespace cpu
}  // namespace fastmlp
