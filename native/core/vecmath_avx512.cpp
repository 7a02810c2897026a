// The AVX-512 versions of the vecmath kernels (contract in vecmath.hpp): 16 floats per step, the
// last partial vector under a lane mask (masked loads read zeros, as the AVX2 file's zero-padded
// stack copy does, and masked stores leave the floats past n alone), so every element takes the
// same arithmetic. exp, sigmoid and tanh repeat vecmath_avx2.cpp's steps lane for lane (same
// Cephes constants from vecmath_constants.hpp, same FMAs); column sums and the squared-error
// sums keep its order, so they return its values bit for bit. Built with the AVX-512 F/VL/BW/DQ flags
// only in FASTMLP_HAVE_AVX512 builds; called only through the kernel table of cpu/dispatch.hpp
// when the CPU and OS support AVX-512. ODR: no inline functions or templates from shared headers.
#include <immintrin.h>

#include "vecmath_constants.hpp"
#include "vecmath_kernels.hpp"

namespace fastmlp {
namespace vecmath_avx512 {

namespace {

using namespace cephes;

constexpr int kFloor = _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC;
// Every lane. The zero-masking forms with it stand in for min, max, roundscale, cvtt and slli:
// GCC 12's unmasked ones warn of an uninitialized pass-through operand.
constexpr __mmask16 kAll = 0xFFFF;

// The lanes of a block of 16 that lie below n - i (all of them for a whole block).
__mmask16 tail_mask(std::size_t left) {
  return left >= 16 ? kAll : static_cast<__mmask16>((1u << left) - 1u);
}

// Cephes expf for x <= 0, 16 lanes (vecmath_avx2.cpp's exp_np). min/max take x as the second
// operand so a NaN lane passes through.
__m512 exp_np(__m512 x) {
  const __m512 lo = _mm512_set1_ps(kExpMin);
  const __mmask16 under = _mm512_cmp_ps_mask(x, lo, _CMP_LT_OQ);
  x = _mm512_maskz_min_ps(kAll, _mm512_setzero_ps(), x);
  x = _mm512_maskz_max_ps(kAll, lo, x);
  const __m512 fx =
      _mm512_maskz_roundscale_ps(kAll, _mm512_fmadd_ps(x, _mm512_set1_ps(kLog2e), _mm512_set1_ps(0.5f)), kFloor);
  __m512 r = _mm512_fnmadd_ps(fx, _mm512_set1_ps(kLn2Hi), x);
  r = _mm512_fnmadd_ps(fx, _mm512_set1_ps(kLn2Lo), r);
  __m512 p = _mm512_set1_ps(kExpP0);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kExpP1));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kExpP2));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kExpP3));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kExpP4));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kExpP5));
  const __m512 y = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.0f));
  const __m512i n = _mm512_add_epi32(_mm512_maskz_cvttps_epi32(kAll, fx), _mm512_set1_epi32(127));
  const __m512 scale = _mm512_castsi512_ps(_mm512_maskz_slli_epi32(kAll, n, 23));
  return _mm512_maskz_mov_ps(static_cast<__mmask16>(~under), _mm512_mul_ps(y, scale));
}

__m512 sigmoid16(__m512 z) {
  const __m512 kSign = _mm512_set1_ps(-0.0f);
  const __m512 e = exp_np(_mm512_or_ps(z, kSign));  // exp(-|z|)
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 num = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(z, _mm512_setzero_ps(), _CMP_LT_OQ), one, e);
  return _mm512_div_ps(num, _mm512_add_ps(one, e));
}

__m512 tanh16(__m512 z) {
  const __m512 kSign = _mm512_set1_ps(-0.0f);
  const __m512 az = _mm512_andnot_ps(kSign, z);
  const __m512 s = _mm512_mul_ps(z, z);
  __m512 p = _mm512_set1_ps(kTanhT0);
  p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(kTanhT1));
  p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(kTanhT2));
  p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(kTanhT3));
  p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(kTanhT4));
  const __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(p, s), z, z);
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 e = exp_np(_mm512_mul_ps(_mm512_set1_ps(-2.0f), az));
  const __m512 big = _mm512_div_ps(_mm512_sub_ps(one, e), _mm512_add_ps(one, e));
  const __m512 signed_big = _mm512_or_ps(big, _mm512_and_ps(kSign, z));
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(az, _mm512_set1_ps(kTanhSmall), _CMP_GE_OQ), small, signed_big);
}

// 8 floats to 8 doubles (the zero-masking form, every lane: see kAll).
__m512d widen(__m256 x) { return _mm512_maskz_cvtps_pd(static_cast<__mmask8>(0xFF), x); }

// out[i] = f(in[i]) for i < n, 16 at a time, the last partial vector masked.
template <__m512 (*F)(__m512)>
void map(float* out, const float* in, std::size_t n) {
  for (std::size_t i = 0; i < n; i += 16) {
    const __mmask16 k = tail_mask(n - i);
    _mm512_mask_storeu_ps(out + i, k, F(_mm512_maskz_loadu_ps(k, in + i)));
  }
}

// Column sums of rows of 16P floats (units = 16P, P <= 8): P accumulators of 16 lanes, lane l of
// accumulator v always column 16v + l, each summing its column's rows in order.
template <int P>
void column_sums_rows(float* db, const float* dZ, std::size_t rows) {
  __m512 acc[P];
  for (int v = 0; v < P; ++v) acc[v] = _mm512_setzero_ps();
  for (std::size_t r = 0; r < rows; ++r, dZ += 16 * P)
    for (int v = 0; v < P; ++v) acc[v] = _mm512_add_ps(acc[v], _mm512_loadu_ps(dZ + 16 * v));
  for (int v = 0; v < P; ++v) _mm512_storeu_ps(db + 16 * v, acc[v]);
}

}  // namespace

void activation_backward(int kind, float* dZ, const float* dA, const float* A, std::size_t n) {
  const __m512 one = _mm512_set1_ps(1.0f), zero = _mm512_setzero_ps();
  for (std::size_t i = 0; i < n; i += 16) {
    const __mmask16 k = tail_mask(n - i);
    const __m512 a = _mm512_maskz_loadu_ps(k, A + i), da = _mm512_maskz_loadu_ps(k, dA + i);
    __m512 dz;
    if (kind == 0) {  // sigmoid: dA * A * (1 - A), in the scalar code's order
      dz = _mm512_mul_ps(_mm512_mul_ps(da, a), _mm512_sub_ps(one, a));
    } else if (kind == 1) {  // tanh: dA * (1 - A^2)
      dz = _mm512_mul_ps(da, _mm512_sub_ps(one, _mm512_mul_ps(a, a)));
    } else {  // relu: A > 0 ? dA : 0
      dz = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(a, zero, _CMP_GT_OQ), da);
    }
    _mm512_mask_storeu_ps(dZ + i, k, dz);
  }
}

void exp_nonpositive(float* y, const float* x, std::size_t n) { map<exp_np>(y, x, n); }
void sigmoid(float* a, const float* z, std::size_t n) { map<sigmoid16>(a, z, n); }
void tanh(float* a, const float* z, std::size_t n) { map<tanh16>(a, z, n); }

// When 16 divides units, each column is summed over the rows in order, as the AVX2 kernel sums it
// then (its period is one row too): the same bits, 16 columns a step. Other widths take the
// AVX2 kernel itself (its 8-lane periods, whose partial sums a 16-lane period would regroup).
void column_sums(float* db, const float* dZ, std::size_t rows, std::size_t units) {
  if (units % 16 != 0) return vecmath_avx2::column_sums(db, dZ, rows, units);
  switch (units / 16) {
    case 1: return column_sums_rows<1>(db, dZ, rows);
    case 2: return column_sums_rows<2>(db, dZ, rows);
    case 3: return column_sums_rows<3>(db, dZ, rows);
    case 4: return column_sums_rows<4>(db, dZ, rows);
    case 5: return column_sums_rows<5>(db, dZ, rows);
    case 6: return column_sums_rows<6>(db, dZ, rows);
    case 7: return column_sums_rows<7>(db, dZ, rows);
    case 8: return column_sums_rows<8>(db, dZ, rows);
    default: break;
  }
  // Wide rows: accumulate row by row into db, 16 columns a step.
  for (std::size_t j = 0; j < units; ++j) db[j] = 0.0f;
  for (std::size_t r = 0; r < rows; ++r) {
    const float* row = dZ + r * units;
    for (std::size_t j = 0; j < units; j += 16) {
      _mm512_storeu_ps(db + j, _mm512_add_ps(_mm512_loadu_ps(db + j), _mm512_loadu_ps(row + j)));
    }
  }
}

// vecmath_avx2.cpp's lanes and order: 8 floats a step, each widened to double, one 8-lane
// accumulator (its lane j is the AVX2 file's acc0[j] + acc1[j - 4] pairing, summed the same way at
// the end), the elements past the last whole 8 added one by one.
double squared_error_sum(const float* P, const float* Y, std::size_t n) {
  __m512d acc = _mm512_setzero_pd();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m512d d = _mm512_sub_pd(widen(_mm256_loadu_ps(P + i)), widen(_mm256_loadu_ps(Y + i)));
    acc = _mm512_fmadd_pd(d, d, acc);
  }
  alignas(64) double lanes[8];
  _mm512_store_pd(lanes, acc);
  double sum = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
  for (; i < n; ++i) {
    const double d = static_cast<double>(P[i]) - static_cast<double>(Y[i]);
    sum += d * d;
  }
  return sum;
}

// squared_error_sum's lanes and order, each square taken as (w d) d with w its row's weight.
double weighted_squared_error_sum(const float* P, const float* Y, const float* W, std::size_t rows,
                                  std::size_t cols) {
  const std::size_t n = rows * cols;
  __m512d acc = _mm512_setzero_pd();
  std::size_t i = 0;
  std::size_t r = 0;  // the row and column of element i
  std::size_t c = 0;
  alignas(32) float w8[8];
  for (; i + 8 <= n; i += 8) {
    for (int k = 0; k < 8; ++k) {
      w8[k] = W[r];
      if (++c == cols) {
        c = 0;
        ++r;
      }
    }
    const __m512d d = _mm512_sub_pd(widen(_mm256_loadu_ps(P + i)), widen(_mm256_loadu_ps(Y + i)));
    const __m512d w = widen(_mm256_load_ps(w8));
    acc = _mm512_fmadd_pd(_mm512_mul_pd(w, d), d, acc);
  }
  alignas(64) double lanes[8];
  _mm512_store_pd(lanes, acc);
  double sum = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
  for (; i < n; ++i) {
    const double d = static_cast<double>(P[i]) - static_cast<double>(Y[i]);
    sum += (static_cast<double>(W[r]) * d) * d;
    if (++c == cols) {
      c = 0;
      ++r;
    }
  }
  return sum;
}

// Sixteen floats a vector, four vectors a step, each classified as NaN or +-Infinity in one
// instruction (VFPCLASSPS: AVX-512 DQ); the tail under a lane mask.
bool any_not_finite(const float* x, std::size_t n) {
  constexpr int kNanOrInfinity = 0x01 | 0x08 | 0x10 | 0x80;  // QNaN, +Inf, -Inf, SNaN
  __mmask16 any = 0;
  std::size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    any |= _mm512_fpclass_ps_mask(_mm512_loadu_ps(x + i), kNanOrInfinity) |
           _mm512_fpclass_ps_mask(_mm512_loadu_ps(x + i + 16), kNanOrInfinity) |
           _mm512_fpclass_ps_mask(_mm512_loadu_ps(x + i + 32), kNanOrInfinity) |
           _mm512_fpclass_ps_mask(_mm512_loadu_ps(x + i + 48), kNanOrInfinity);
  }
  for (; i < n; i += 16) {
    const __mmask16 lanes = tail_mask(n - i);
    any |= _mm512_mask_fpclass_ps_mask(lanes, _mm512_maskz_loadu_ps(lanes, x + i), kNanOrInfinity);
  }
  return any != 0;
}

}  // namespace vecmath_avx512
}  // namespace fastmlp
