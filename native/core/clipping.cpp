// Gradient clipping (see clipping.hpp): the summation order is part of the contract, so the loops
// keep it exactly (no -ffast-math anywhere in the core: the compiler may not reassociate them).
#include "clipping.hpp"

#include <algorithm>
#include <cmath>

namespace fastmlp {

void clip_values_and_sum_squares(float* g, std::size_t n, std::size_t first, std::size_t last, float clip_value,
                                 double* sums) {
  for (std::size_t block = first; block < last; ++block) {
    const std::size_t begin = block * contract::kClipNormBlock;
    const std::size_t end = std::min(n, begin + contract::kClipNormBlock);
    if (clip_value > 0.0f) {
      for (std::size_t i = begin; i < end; ++i) {
        // NaN compares false both ways and stays NaN (as torch.clamp)
        if (g[i] > clip_value) {
          g[i] = clip_value;
        } else if (g[i] < -clip_value) {
          g[i] = -clip_value;
        }
      }
    }
    if (sums == nullptr) continue;
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    std::size_t i = begin;
    for (; i + 4 <= end; i += 4) {
      const double a = g[i], b = g[i + 1], c = g[i + 2], d = g[i + 3];
      s0 += a * a;
      s1 += b * b;
      s2 += c * c;
      s3 += d * d;
    }
    if (i < end) s0 += static_cast<double>(g[i]) * g[i];
    if (i + 1 < end) s1 += static_cast<double>(g[i + 1]) * g[i + 1];
    if (i + 2 < end) s2 += static_cast<double>(g[i + 2]) * g[i + 2];
    sums[block] = s0 + s1 + (s2 + s3);
  }
}

float clip_norm_scale(const double* sums, std::size_t blocks, double clip_norm) {
  double total = 0.0;
  for (std::size_t b = 0; b < blocks; ++b) total += sums[b];
  const double norm = std::sqrt(total);
  if (!(norm > clip_norm)) return 1.0f;
  return static_cast<float>(clip_norm / (norm + contract::kClipNormEpsilon));
}

void scale_gradients(float* g, std::size_t begin, std::size_t end, float scale) {
  for (std::size_t i = begin; i < end; ++i) g[i] *= scale;
}

float clip_gradients(float* g, std::size_t n, double clip_value, double clip_norm, double* sums) {
  const std::size_t blocks = clip_norm_blocks(n);
  const bool norm = clip_norm > 0.0;
  clip_values_and_sum_squares(g, n, 0, blocks, static_cast<float>(clip_value), norm ? sums : nullptr);
  if (!norm) return 1.0f;
  const float scale = clip_norm_scale(sums, blocks, clip_norm);
  if (scale != 1.0f) scale_gradients(g, 0, n, scale);
  return scale;
}

}  // namespace fastmlp
