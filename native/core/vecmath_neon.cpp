// The NEON versions of the vecmath kernels (contract in vecmath.hpp): 4 floats per step, the
// last partial vector through a zero-padded stack copy so it takes the same arithmetic. The
// steps and constants (vecmath_constants.hpp) are those of the plain and AVX2 versions, with
// FMA. Built only in aarch64 builds (FASTMLP_HAVE_NEON: NEON is the baseline there), called
// through the kernel table of cpu/dispatch.hpp (FASTMLP_FORCE_SCALAR=1 selects the plain ones).
#include <arm_neon.h>

#include <cstddef>

#include "vecmath_constants.hpp"
#include "vecmath_kernels.hpp"

namespace fastmlp {
namespace vecmath_neon {

namespace {

using namespace cephes;

// Cephes expf for x <= 0, 4 lanes (the steps of exp_nonpositive in vecmath.cpp, with FMA).
// FMIN / FMAX return NaN when either input is NaN, so a NaN lane passes through (as in AVX2).
float32x4_t exp_np(float32x4_t x) {
  const float32x4_t lo = vdupq_n_f32(kExpMin);
  const uint32x4_t under = vcltq_f32(x, lo);
  x = vminq_f32(vdupq_n_f32(0.0f), x);
  x = vmaxq_f32(lo, x);
  const float32x4_t fx = vrndmq_f32(vfmaq_n_f32(vdupq_n_f32(0.5f), x, kLog2e));  // floor
  float32x4_t r = vfmsq_n_f32(x, fx, kLn2Hi);
  r = vfmsq_n_f32(r, fx, kLn2Lo);
  float32x4_t p = vdupq_n_f32(kExpP0);
  p = vfmaq_f32(vdupq_n_f32(kExpP1), p, r);
  p = vfmaq_f32(vdupq_n_f32(kExpP2), p, r);
  p = vfmaq_f32(vdupq_n_f32(kExpP3), p, r);
  p = vfmaq_f32(vdupq_n_f32(kExpP4), p, r);
  p = vfmaq_f32(vdupq_n_f32(kExpP5), p, r);
  const float32x4_t y = vaddq_f32(vfmaq_f32(r, p, vmulq_f32(r, r)), vdupq_n_f32(1.0f));
  const int32x4_t n = vaddq_s32(vcvtq_s32_f32(fx), vdupq_n_s32(127));
  const float32x4_t scale = vreinterpretq_f32_s32(vshlq_n_s32(n, 23));
  return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(vmulq_f32(y, scale)), under));
}

float32x4_t sigmoid4(float32x4_t z) {
  const float32x4_t e = exp_np(vnegq_f32(vabsq_f32(z)));  // exp(-|z|)
  const float32x4_t one = vdupq_n_f32(1.0f);
  const float32x4_t num = vbslq_f32(vcltq_f32(z, vdupq_n_f32(0.0f)), e, one);
  return vdivq_f32(num, vaddq_f32(one, e));
}

float32x4_t tanh4(float32x4_t z) {
  const float32x4_t az = vabsq_f32(z);
  const float32x4_t s = vmulq_f32(z, z);
  float32x4_t p = vdupq_n_f32(kTanhT0);
  p = vfmaq_f32(vdupq_n_f32(kTanhT1), p, s);
  p = vfmaq_f32(vdupq_n_f32(kTanhT2), p, s);
  p = vfmaq_f32(vdupq_n_f32(kTanhT3), p, s);
  p = vfmaq_f32(vdupq_n_f32(kTanhT4), p, s);
  const float32x4_t small = vfmaq_f32(z, vmulq_f32(p, s), z);
  const float32x4_t one = vdupq_n_f32(1.0f);
  const float32x4_t e = exp_np(vmulq_n_f32(az, -2.0f));
  const float32x4_t big = vdivq_f32(vsubq_f32(one, e), vaddq_f32(one, e));
  // copysign(big, z): the sign bit from z, the rest from big (big >= 0).
  const uint32x4_t sign = vdupq_n_u32(0x80000000u);
  const float32x4_t signed_big = vbslq_f32(sign, z, big);
  return vbslq_f32(vcgeq_f32(az, vdupq_n_f32(kTanhSmall)), signed_big, small);
}

// out[i] = f(in[i]) for i < n, 4 at a time; the partial tail via a zero-padded stack vector.
template <float32x4_t (*F)(float32x4_t)>
void map(float* out, const float* in, std::size_t n) {
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(out + i, F(vld1q_f32(in + i)));
  if (i < n) {
    alignas(16) float t[4] = {0, 0, 0, 0};
    for (std::size_t j = 0; i + j < n; ++j) t[j] = in[i + j];
    vst1q_f32(t, F(vld1q_f32(t)));
    for (std::size_t j = 0; i + j < n; ++j) out[i + j] = t[j];
  }
}

// Column sums with P vectors per period: 4P = lcm(units, 4) floats hold whole rows, so lane l of
// period vector v always belongs to column (4v + l) % units. Flat loads, no per-row masks.
template <int P>
void column_sums_period(float* db, const float* dZ, std::size_t rows, std::size_t units) {
  float32x4_t acc[P];
  for (int v = 0; v < P; ++v) acc[v] = vdupq_n_f32(0.0f);
  const std::size_t total = rows * units;
  std::size_t q = 0;
  for (; q + 4 * P <= total; q += 4 * P)
    for (int v = 0; v < P; ++v) acc[v] = vaddq_f32(acc[v], vld1q_f32(dZ + q + 4 * v));
  alignas(16) float lanes[4 * P];
  for (int v = 0; v < P; ++v) vst1q_f32(lanes + 4 * v, acc[v]);
  for (std::size_t j = 0; j < units; ++j) db[j] = 0.0f;
  for (std::size_t l = 0, j = 0; l < 4 * static_cast<std::size_t>(P); ++l) {  // j = l % units
    db[j] += lanes[l];
    if (++j == units) j = 0;
  }
  for (std::size_t j = 0; q < total; ++q) {  // rows after the last whole period (q % units == 0 here)
    db[j] += dZ[q];
    if (++j == units) j = 0;
  }
}

// (P - Y)^2 summed in float64 over 4 lanes, two float64x2 accumulators (lanes 0-1, 2-3), each
// square taken as (w d) d: the one loop of squared_error_sum (w = 1 exactly) and the weighted sum.
// W null: unit weights.
double squared_error_lanes(const float* P, const float* Y, const float* W, std::size_t rows, std::size_t cols) {
  const std::size_t n = rows * cols;
  float64x2_t acc0 = vdupq_n_f64(0.0), acc1 = vdupq_n_f64(0.0);
  std::size_t i = 0;
  std::size_t r = 0;  // the row and column of element i
  std::size_t c = 0;
  alignas(16) float w4[4] = {1.0f, 1.0f, 1.0f, 1.0f};
  for (; i + 4 <= n; i += 4) {
    if (W != nullptr) {
      for (int k = 0; k < 4; ++k) {
        w4[k] = W[r];
        if (++c == cols) {
          c = 0;
          ++r;
        }
      }
    }
    const float32x4_t p = vld1q_f32(P + i), y = vld1q_f32(Y + i), w = vld1q_f32(w4);
    const float64x2_t d0 = vsubq_f64(vcvt_f64_f32(vget_low_f32(p)), vcvt_f64_f32(vget_low_f32(y)));
    const float64x2_t d1 = vsubq_f64(vcvt_high_f64_f32(p), vcvt_high_f64_f32(y));
    const float64x2_t w0 = vcvt_f64_f32(vget_low_f32(w)), w1 = vcvt_high_f64_f32(w);
    acc0 = vfmaq_f64(acc0, vmulq_f64(w0, d0), d0);
    acc1 = vfmaq_f64(acc1, vmulq_f64(w1, d1), d1);
  }
  const float64x2_t acc = vaddq_f64(acc0, acc1);
  double sum = vgetq_lane_f64(acc, 0) + vgetq_lane_f64(acc, 1);
  for (; i < n; ++i) {
    const double d = static_cast<double>(P[i]) - static_cast<double>(Y[i]);
    const double w = W != nullptr ? static_cast<double>(W[r]) : 1.0;
    sum += (w * d) * d;
    if (++c == cols) {
      c = 0;
      ++r;
    }
  }
  return sum;
}

}  // namespace

void activation_backward(int kind, float* dZ, const float* dA, const float* A, std::size_t n) {
  const float32x4_t one = vdupq_n_f32(1.0f), zero = vdupq_n_f32(0.0f);
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float32x4_t a = vld1q_f32(A + i), da = vld1q_f32(dA + i);
    float32x4_t dz;
    if (kind == 0) {  // sigmoid: dA * A * (1 - A), in the scalar code's order
      dz = vmulq_f32(vmulq_f32(da, a), vsubq_f32(one, a));
    } else if (kind == 1) {  // tanh: dA * (1 - A^2)
      dz = vmulq_f32(da, vsubq_f32(one, vmulq_f32(a, a)));
    } else {  // relu: A > 0 ? dA : 0
      dz = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(da), vcgtq_f32(a, zero)));
    }
    vst1q_f32(dZ + i, dz);
  }
  for (; i < n; ++i) {
    const float a = A[i], da = dA[i];
    dZ[i] = kind == 0 ? da * a * (1.0f - a) : kind == 1 ? da * (1.0f - a * a) : (a > 0.0f ? da : 0.0f);
  }
}

void exp_nonpositive(float* y, const float* x, std::size_t n) { map<exp_np>(y, x, n); }
void sigmoid(float* a, const float* z, std::size_t n) { map<sigmoid4>(a, z, n); }
void tanh(float* a, const float* z, std::size_t n) { map<tanh4>(a, z, n); }

void column_sums(float* db, const float* dZ, std::size_t rows, std::size_t units) {
  std::size_t g = 4;  // gcd(units, 4)
  while (units % g != 0) g /= 2;
  switch (units / g) {  // P = lcm(units, 4) / 4
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
  // Wide rows: accumulate row by row into db (4 columns a step, the tail columns scalar).
  for (std::size_t j = 0; j < units; ++j) db[j] = 0.0f;
  for (std::size_t r = 0; r < rows; ++r) {
    const float* row = dZ + r * units;
    std::size_t j = 0;
    for (; j + 4 <= units; j += 4) vst1q_f32(db + j, vaddq_f32(vld1q_f32(db + j), vld1q_f32(row + j)));
    for (; j < units; ++j) db[j] += row[j];
  }
}

double squared_error_sum(const float* P, const float* Y, std::size_t n) {
  return squared_error_lanes(P, Y, nullptr, 1, n);
}

// squared_error_sum's lanes and order, each square taken as (w d) d with w its row's weight:
// with unit weights w d is d exactly, so the result is squared_error_sum's bit for bit.
double weighted_squared_error_sum(const float* P, const float* Y, const float* W, std::size_t rows,
                                  std::size_t cols) {
  return squared_error_lanes(P, Y, W, rows, cols);
}

}  // namespace vecmath_neon
}  // namespace fastmlp
