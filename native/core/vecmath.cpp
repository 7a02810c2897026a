// The front doors of vecmath.hpp (each asks the kernel table of cpu/dispatch.hpp) and the plain
// versions of the kernels (vecmath_scalar). The plain exp / tanh follow the same Cephes steps as
// the AVX2 and NEON code (without FMA), so the paths agree to about an ulp.
#include "vecmath.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "cpu/dispatch.hpp"
#include "vecmath_constants.hpp"
#include "vecmath_kernels.hpp"

namespace fastmlp {

// ---- front doors ---------------------------------------------------------------------------

void vec_exp_nonpositive(float* y, const float* x, std::size_t n) { cpu::kernels().exp_nonpositive(y, x, n); }

void vec_sigmoid(float* a, const float* z, std::size_t n) { cpu::kernels().sigmoid(a, z, n); }

void vec_tanh(float* a, const float* z, std::size_t n) { cpu::kernels().tanh(a, z, n); }

void vec_column_sums(float* db, const float* dZ, std::size_t rows, std::size_t units) {
  cpu::kernels().column_sums(db, dZ, rows, units);
}

double vec_squared_error_sum(const float* P, const float* Y, std::size_t n) {
  return cpu::kernels().squared_error_sum(P, Y, n);
}

bool vec_any_not_finite(const float* x, std::size_t n) { return cpu::kernels().any_not_finite(x, n); }

double vec_weighted_squared_error_sum(const float* P, const float* Y, const float* W, std::size_t rows,
                                      std::size_t cols) {
  return cpu::kernels().weighted_squared_error_sum(P, Y, W, rows, cols);
}

// ---- plain kernels -------------------------------------------------------------------------

namespace vecmath_scalar {

namespace {

float exp_one(float x) {
  using namespace cephes;
  if (std::isnan(x)) return x;
  if (x < kExpMin) return 0.0f;
  if (x > 0.0f) x = 0.0f;
  const float fx = std::floor(x * kLog2e + 0.5f);  // n, in [-126, 0]
  float r = x - fx * kLn2Hi;
  r = r - fx * kLn2Lo;
  float p = kExpP0;
  p = p * r + kExpP1;
  p = p * r + kExpP2;
  p = p * r + kExpP3;
  p = p * r + kExpP4;
  p = p * r + kExpP5;
  const float y = p * (r * r) + r + 1.0f;
  const std::uint32_t bits = static_cast<std::uint32_t>(static_cast<int>(fx) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return y * scale;
}

}  // namespace

void exp_nonpositive(float* y, const float* x, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = exp_one(x[i]);
}

void sigmoid(float* a, const float* z, std::size_t n) {
  // 1 / (1 + e^-z) for z >= 0, e^z / (1 + e^z) otherwise: e = exp(-|z|) <= 1 never overflows.
  for (std::size_t i = 0; i < n; ++i) {
    const float e = exp_one(-std::fabs(z[i]));
    a[i] = (z[i] < 0.0f ? e : 1.0f) / (1.0f + e);
  }
}

void tanh(float* a, const float* z, std::size_t n) {
  using namespace cephes;
  for (std::size_t i = 0; i < n; ++i) {
    const float x = z[i], ax = std::fabs(x);
    if (ax >= kTanhSmall) {
      const float e = exp_one(-2.0f * ax);
      a[i] = std::copysign((1.0f - e) / (1.0f + e), x);
    } else {
      const float s = x * x;
      float p = kTanhT0;
      p = p * s + kTanhT1;
      p = p * s + kTanhT2;
      p = p * s + kTanhT3;
      p = p * s + kTanhT4;
      a[i] = p * s * x + x;
    }
  }
}

void column_sums(float* db, const float* dZ, std::size_t rows, std::size_t units) {
  for (std::size_t j = 0; j < units; ++j) db[j] = 0.0f;
  for (std::size_t r = 0; r < rows; ++r) {
    const float* row = dZ + r * units;
    for (std::size_t j = 0; j < units; ++j) db[j] += row[j];
  }
}

double squared_error_sum(const float* P, const float* Y, std::size_t n) {
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(P[i]) - Y[i];
    sum += d * d;
  }
  return sum;
}

double weighted_squared_error_sum(const float* P, const float* Y, const float* W, std::size_t rows,
                                  std::size_t cols) {
  double sum = 0.0;
  for (std::size_t r = 0, i = 0; r < rows; ++r) {
    const double w = W[r];
    for (std::size_t end = i + cols; i < end; ++i) {
      const double d = static_cast<double>(P[i]) - Y[i];
      sum += (w * d) * d;
    }
  }
  return sum;
}

// The exponent bits all ones, OR-ed over the array with no branch: the compiler vectorizes it.
bool any_not_finite(const float* x, std::size_t n) {
  constexpr std::uint32_t kExponent = 0x7f800000u;
  std::uint32_t any = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t u;
    std::memcpy(&u, x + i, sizeof u);
    any |= static_cast<std::uint32_t>((u & kExponent) == kExponent);
  }
  return any != 0;
}

}  // namespace vecmath_scalar

}  // namespace fastmlp
