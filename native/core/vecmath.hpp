// Elementwise kernels of the activations, losses and layer backward: exp-based activations on a
// Cephes-style exp, column sums and a squared-error sum. Each has a plain version (vecmath.cpp),
// an AVX2/FMA one (vecmath_avx2.cpp, in x86-64 builds) and a NEON one (vecmath_neon.cpp, in
// aarch64 builds); which one serves is the kernel table's choice (cpu/dispatch.hpp: CPUID +
// XGETBV on x86-64, NEON always on aarch64; FASTMLP_FORCE_SCALAR=1 forces the plain one).
#pragma once

#include <cstddef>

namespace fastmlp {

// y[i] = exp(x[i]) for x[i] <= 0 (what softmax, sigmoid and tanh need: arguments are shifted or
// negated so they never overflow). Cephes expf: range reduction x = n ln2 + r with ln2 split in
// two (C1 + C2, exact n * C1), a degree-6 polynomial for e^r, then scaling by 2^n: ~1 ulp over
// [-87.3, 0]; below -87.33 (where 2^n leaves the normal range) it returns 0 where std::exp would
// give a denormal (< 1.2e-38). NaN propagates. y may alias x.
void vec_exp_nonpositive(float* y, const float* x, std::size_t n);

// a = 1 / (1 + e^-z) in the stable form (the exponent never positive). a may alias z.
void vec_sigmoid(float* a, const float* z, std::size_t n);

// a = tanh(z), Cephes tanhf: an odd polynomial for |z| < 0.625, (1 - e) / (1 + e) with
// e = exp(-2|z|) above. a may alias z.
void vec_tanh(float* a, const float* z, std::size_t n);

// db[j] = sum over rows of dZ[r * units + j] (float accumulation, any order).
void vec_column_sums(float* db, const float* dZ, std::size_t rows, std::size_t units);

// sum (P[i] - Y[i])^2 in double.
double vec_squared_error_sum(const float* P, const float* Y, std::size_t n);

// sum over rows r and columns j of W[r] (P[i] - Y[i])^2 in double, i = r * cols + j: the sample
// weighted sum of the losses. Summed in vec_squared_error_sum's order with each square taken as
// (W[r] d) d, so unit weights give vec_squared_error_sum's value bit for bit.
double vec_weighted_squared_error_sum(const float* P, const float* Y, const float* W, std::size_t rows,
                                      std::size_t cols);

// Whether any of x[0..n) is NaN or +-Infinity (predict's check of X in its first product: the
// blocks it packs, while they are in cache; gemm.cpp check_packed_a). No index: scan_finite
// (finite.hpp) finds the first one when this says there is one.
bool vec_any_not_finite(const float* x, std::size_t n);

}  // namespace fastmlp
