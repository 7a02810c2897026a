// Gradient clipping before the optimizer step (the rule in lib/engine/engine.ts, OptimizerPlan):
// each element to [-clip_value, clip_value], then the whole gradient by its global norm, as
// torch.nn.utils.clip_grad_norm_. The norm is summed in float64 in fixed blocks of
// contract::kClipNormBlock floats (4 interleaved partial sums per block, blocks added in order),
// so it is the same number for any split of the work across threads, and the TS engine's
// (lib/engine/ts/optimizers.ts, sumOfSquares) sums in the same order.
#pragma once

#include <cstddef>

#include "contract.hpp"

namespace fastmlp {

// Blocks of the norm's sum over n floats.
inline std::size_t clip_norm_blocks(std::size_t n) {
  return n / contract::kClipNormBlock + (n % contract::kClipNormBlock != 0 ? 1 : 0);
}

// Over the blocks [first, last) of g[0, n): clamps each element to [-clip_value, clip_value] when
// clip_value > 0, then, when sums is not null, writes each block's sum of squares to sums[block].
void clip_values_and_sum_squares(float* g, std::size_t n, std::size_t first, std::size_t last, float clip_value,
                                 double* sums);

// The factor clip_grad_norm_ scales by: float32(clip_norm / (norm + 1e-6)) when norm > clip_norm,
// else 1 (also for a NaN norm: left alone). norm = sqrt of the blocks' sums added in order.
float clip_norm_scale(const double* sums, std::size_t blocks, double clip_norm);

// g[begin, end) *= scale.
void scale_gradients(float* g, std::size_t begin, std::size_t end, float scale);

// All of it on the calling thread: clamp, norm, scale. sums has clip_norm_blocks(n) doubles
// (unused when clip_norm is 0). Returns the scale applied (1: none).
float clip_gradients(float* g, std::size_t n, double clip_value, double clip_norm, double* sums);

}  // namespace fastmlp
