// The AVX2/FMA versions of the vecmath kernels (contract in vecmath.hpp): 8 floats per step,
// the last partial vector through a zero-padded stack copy so it takes the same arithmetic.
// Built with -mavx2 -mfma, only in x86-64 builds (FASTMLP_HAVE_AVX2); called only through the
// kernel table of cpu/dispatch.hpp when the CPU and OS support AVX2 + FMA.
// ODR: no inline functions or templates from shared headers here (see kernel_avx2_6x16.cpp).
#include <immintrin.h>

#include "vecmath_constants.hpp"
#include "vecmath_kernels.hpp"

namespace fastmlp {
namespace vecmath_avx2 {

namespace {

using namespace cephes;

// Cephes expf for x <= 0, 8 lanes (the steps of exp_nonpositive in vecmath.cpp, with FMA).
// min/max take x as the second operand so a NaN lane passes through.
__m256 exp_np(__m256 x) {
  const __m256 lo = _mm256_set1_ps(kExpMin);
  const __m256 under = _mm256_cmp_ps(x, lo, _CMP_LT_OQ);
  x = _mm256_min_ps(_mm256_setzero_ps(), x);
  x = _mm256_max_ps(lo, x);
  const __m256 fx = _mm256_floor_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(kLog2e), _mm256_set1_ps(0.5f)));
  __m256 r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(kLn2Hi), x);
  r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(kLn2Lo), r);
  __m256 p = _mm256_set1_ps(kExpP0);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpP1));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpP2));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpP3));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpP4));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpP5));
  const __m256 y = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0f));
  const __m256i n = _mm256_add_epi32(_mm256_cvttps_epi32(fx), _mm256_set1_epi32(127));
  const __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(n, 23));
  return _mm256_andnot_ps(under, _mm256_mul_ps(y, scale));
}

__m256 sigmoid8(__m256 z) {
  const __m256 kSign = _mm256_set1_ps(-0.0f);
  const __m256 e = exp_np(_mm256_or_ps(z, kSign));  // exp(-|z|)
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 num = _mm256_blendv_ps(one, e, _mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_LT_OQ));
  return _mm256_div_ps(num, _mm256_add_ps(one, e));
}

__m256 tanh8(__m256 z) {
  const __m256 kSign = _mm256_set1_ps(-0.0f);
  const __m256 az = _mm256_andnot_ps(kSign, z);
  const __m256 s = _mm256_mul_ps(z, z);
  __m256 p = _mm256_set1_ps(kTanhT0);
  p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(kTanhT1));
  p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(kTanhT2));
  p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(kTanhT3));
  p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(kTanhT4));
  const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, s), z, z);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = exp_np(_mm256_mul_ps(_mm256_set1_ps(-2.0f), az));
  const __m256 big = _mm256_div_ps(_mm256_sub_ps(one, e), _mm256_add_ps(one, e));
  const __m256 signed_big = _mm256_or_ps(big, _mm256_and_ps(kSign, z));
  return _mm256_blendv_ps(small, signed_big, _mm256_cmp_ps(az, _mm256_set1_ps(kTanhSmall), _CMP_GE_OQ));
}

// out[i] = f(in[i]) for i < n, 8 at a time; the partial tail via a zero-padded stack vector.
template <__m256 (*F)(__m256)>
void map(float* out, const float* in, std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, F(_mm256_loadu_ps(in + i)));
  if (i < n) {
    alignas(32) float t[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (std::size_t j = 0; i + j < n; ++j) t[j] = in[i + j];
    _mm256_store_ps(t, F(_mm256_load_ps(t)));
    for (std::size_t j = 0; i + j < n; ++j) out[i + j] = t[j];
  }
}

// Column sums with P vectors per period: 8P = lcm(units, 8) floats hold whole rows, so lane l of
// period vector v always belongs to column (8v + l) % units. Flat loads, no per-row masks.
template <int P>
void column_sums_period(float* db, const float* dZ, std::size_t rows, std::size_t units) {
  __m256 acc[P];
  for (int v = 0; v < P; ++v) acc[v] = _mm256_setzero_ps();
  const std::size_t total = rows * units;
  std::size_t q = 0;
  for (; q + 8 * P <= total; q += 8 * P)
    for (int v = 0; v < P; ++v) acc[v] = _mm256_add_ps(acc[v], _mm256_loadu_ps(dZ + q + 8 * v));
  alignas(32) float lanes[8 * P];
  for (int v = 0; v < P; ++v) _mm256_store_ps(lanes + 8 * v, acc[v]);
  for (std::size_t j = 0; j < units; ++j) db[j] = 0.0f;
  for (std::size_t l = 0, j = 0; l < 8 * static_cast<std::size_t>(P); ++l) {  // j = l % units
    db[j] += lanes[l];
    if (++j == units) j = 0;
  }
  for (std::size_t j = 0; q < total; ++q) {  // rows after the last whole period (q % units == 0 here)
    db[j] += dZ[q];
    if (++j == units) j = 0;
  }
}

}  // namespace

void activation_backward(int kind, float* dZ, const float* dA, const float* A, std::size_t n) {
  const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 a = _mm256_loadu_ps(A + i), da = _mm256_loadu_ps(dA + i);
    __m256 dz;
    if (kind == 0) {  // sigmoid: dA * A * (1 - A), in the scalar code's order
      dz = _mm256_mul_ps(_mm256_mul_ps(da, a), _mm256_sub_ps(one, a));
    } else if (kind == 1) {  // tanh: dA * (1 - A^2)
      dz = _mm256_mul_ps(da, _mm256_sub_ps(one, _mm256_mul_ps(a, a)));
    } else {  // relu: A > 0 ? dA : 0
      dz = _mm256_and_ps(da, _mm256_cmp_ps(a, zero, _CMP_GT_OQ));
    }
    _mm256_storeu_ps(dZ + i, dz);
  }
  for (; i < n; ++i) {
    const float a = A[i], da = dA[i];
    dZ[i] = kind == 0 ? da * a * (1.0f - a) : kind == 1 ? da * (1.0f - a * a) : (a > 0.0f ? da : 0.0f);
  }
}

void exp_nonpositive(float* y, const float* x, std::size_t n) { map<exp_np>(y, x, n); }
void sigmoid(float* a, const float* z, std::size_t n) { map<sigmoid8>(a, z, n); }
void tanh(float* a, const float* z, std::size_t n) { map<tanh8>(a, z, n); }

void column_sums(float* db, const float* dZ, std::size_t rows, std::size_t units) {
  std::size_t g = 8;  // gcd(units, 8)
  while (units % g != 0) g /= 2;
  switch (units / g) {  // P = lcm(units, 8) / 8
    case 1: return column_sums_period<1>(db, dZ, rows, units);
    case 2: return column_sums_period<2>(db, dZ, rows, units);
    case 3: return column_sums_period<3>(db, dZ, rows, units);
    case 4: return column_sums_period<4>(db, dZ, rows, units);
    case 5: return column_sums_period<5>(db, dZ, rows, units);
    case 6: return column_sums_period<6>(db, dZ, rows, units);
    case 7: return column_sums_period<7>(db, dZ, rows, units);
    case 8: return column_sums_period<8>(db, dZ, rows, units);
    default: break;
  }
  // Wide rows: accumulate row by row into db (8 columns a step, the tail columns scalar).
  for (std::size_t j = 0; j < units; ++j) db[j] = 0.0f;
  for (std::size_t r = 0; r < rows; ++r) {
    const float* row = dZ + r * units;
    std::size_t j = 0;
    for (; j + 8 <= units; j += 8) {
      _mm256_storeu_ps(db + j, _mm256_add_ps(_mm256_loadu_ps(db + j), _mm256_loadu_ps(row + j)));
    }
    for (; j < units; ++j) db[j] += row[j];
  }
}

double squared_error_sum(const float* P, const float* Y, std::size_t n) {
  __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 p = _mm256_loadu_ps(P + i), y = _mm256_loadu_ps(Y + i);
    const __m256d d0 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(p)),
                                     _mm256_cvtps_pd(_mm256_castps256_ps128(y)));
    const __m256d d1 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(p, 1)),
                                     _mm256_cvtps_pd(_mm256_extractf128_ps(y, 1)));
    acc0 = _mm256_fmadd_pd(d0, d0, acc0);
    acc1 = _mm256_fmadd_pd(d1, d1, acc1);
  }
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, _mm256_add_pd(acc0, acc1));
  double sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  for (; i < n; ++i) {
    const double d = static_cast<double>(P[i]) - static_cast<double>(Y[i]);
    sum += d * d;
  }
  return sum;
}

// squared_error_sum's lanes and order, each square taken as (w d) d with w its row's weight:
// with unit weights w d is d exactly, so the result is squared_error_sum's bit for bit.
double weighted_squared_error_sum(const float* P, const float* Y, const float* W, std::size_t rows,
                                  std::size_t cols) {
  const std::size_t n = rows * cols;
  __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
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
    const __m256 p = _mm256_loadu_ps(P + i), y = _mm256_loadu_ps(Y + i), w = _mm256_load_ps(w8);
    const __m256d d0 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(p)),
                                     _mm256_cvtps_pd(_mm256_castps256_ps128(y)));
    const __m256d d1 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(p, 1)),
                                     _mm256_cvtps_pd(_mm256_extractf128_ps(y, 1)));
    const __m256d w0 = _mm256_cvtps_pd(_mm256_castps256_ps128(w));
    const __m256d w1 = _mm256_cvtps_pd(_mm256_extractf128_ps(w, 1));
    acc0 = _mm256_fmadd_pd(_mm256_mul_pd(w0, d0), d0, acc0);
    acc1 = _mm256_fmadd_pd(_mm256_mul_pd(w1, d1), d1, acc1);
  }
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, _mm256_add_pd(acc0, acc1));
  double sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
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

// Eight floats a vector, four vectors a step: exponent bits masked and compared with all ones,
// OR-ed, tested once at the end.
bool any_not_finite(const float* x, std::size_t n) {
  const __m256i exponent = _mm256_set1_epi32(0x7f800000);
  __m256i any = _mm256_setzero_si256();
  const auto bad = [&](const float* p) {
    const __m256i bits = _mm256_castps_si256(_mm256_loadu_ps(p));
    return _mm256_cmpeq_epi32(_mm256_and_si256(bits, exponent), exponent);
  };
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    any = _mm256_or_si256(any, _mm256_or_si256(_mm256_or_si256(bad(x + i), bad(x + i + 8)),
                                               _mm256_or_si256(bad(x + i + 16), bad(x + i + 24))));
  }
  for (; i + 8 <= n; i += 8) any = _mm256_or_si256(any, bad(x + i));
  if (!_mm256_testz_si256(any, any)) return true;
  return vecmath_scalar::any_not_finite(x + i, n - i);
}

}  // namespace vecmath_avx2
}  // namespace fastmlp
