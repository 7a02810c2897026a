// The kernel tables (one per instruction set) and the once-per-process choice between them.
#include "cpu/dispatch.hpp"

#include "cpu/features.hpp"
#include "gemm/gemm_internal.hpp"
#include "vecmath_kernels.hpp"

namespace fastmlp {
namespace cpu {

namespace {

constexpr KernelTable kScalar = {
    "scalar",
    kernel_scalar_6x16,
    {sup_rows_scalar, sup_rows_scalar, sup_rows_scalar, false},
    gemm_blocking::kDirectLimitsScalar,
    vecmath_scalar::exp_nonpositive,
    vecmath_scalar::sigmoid,
    vecmath_scalar::tanh,
    vecmath_scalar::column_sums,
    vecmath_scalar::squared_error_sum,
    nullptr,
    vecmath_scalar::weighted_squared_error_sum,
};

#if defined(FASTMLP_HAVE_AVX2)
constexpr KernelTable kAvx2 = {
    "avx2-fma",
    kernel_avx2_6x16,
    {sup_rows_avx2, sup_wide_row_avx2, sup_tall_tiny_avx2, true},
    gemm_blocking::kDirectLimitsAvx2,
    vecmath_avx2::exp_nonpositive,
    vecmath_avx2::sigmoid,
    vecmath_avx2::tanh,
    vecmath_avx2::column_sums,
    vecmath_avx2::squared_error_sum,
    vecmath_avx2::activation_backward,
    vecmath_avx2::weighted_squared_error_sum,
};
#endif

const KernelTable& choose() {
  const KernelTable* avx2 = avx2_kernels();
  return avx2 != nullptr && !scalar_forced() ? *avx2 : kScalar;
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

const KernelTable& kernels() {
  // Initialized thread-safely on first call (C++11 magic static), never written again.
  static const KernelTable& chosen = choose();
  return chosen;
}

}  // namespace cpu
}  // namespace fastmlp
