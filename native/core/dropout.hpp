// Inverted dropout while training (the order of draws is specified in lib/engine/engine.ts and
// implemented the same way by lib/engine/ts/dropout.ts): per element one xoshiro128** word,
// kept when word >= threshold, a kept element scaled by float32(1 / (1 - p)).
#pragma once

#include <cstddef>
#include <cstdint>

namespace fastmlp {

// floor(p * 2^32) for p in [0, 1): words below it are dropped.
std::uint32_t dropout_threshold(double p);
// 1 / (1 - p), computed in double and rounded once to float.
float dropout_scale(double p);
// mask[0, n) = scale (kept) or 0 (dropped), drawing n words from the state rng[0..4).
void draw_mask(std::uint32_t* rng, float* mask, std::size_t n, std::uint32_t threshold, float scale);
// out[i] = a[i] * mask[i] for i in [0, n); out may be a.
void apply_mask(float* out, const float* a, const float* mask, std::size_t n);

}  // namespace fastmlp
