// Dropout masks (see dropout.hpp).
#include "dropout.hpp"

#include <cmath>

#include "random.hpp"

namespace fastmlp {

std::uint32_t dropout_threshold(double p) { return static_cast<std::uint32_t>(std::floor(p * 4294967296.0)); }

float dropout_scale(double p) { return static_cast<float>(1.0 / (1.0 - p)); }

void draw_mask(std::uint32_t* rng, float* mask, std::size_t n, std::uint32_t threshold, float scale) {
  std::uint32_t s[4] = {rng[0], rng[1], rng[2], rng[3]};
  for (std::size_t i = 0; i < n; ++i) mask[i] = xoshiro128ss_next(s) >= threshold ? scale : 0.0f;
  for (int k = 0; k < 4; ++k) rng[k] = s[k];
}

void apply_mask(float* out, const float* a, const float* mask, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = a[i] * mask[i];
}

}  // namespace fastmlp
