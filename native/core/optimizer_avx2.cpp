// The optimizer's element loop in AVX2 (contract in optimizer_kernels.hpp): 8 lanes, the tail
// under a lane mask (maskload reads zeros, maskstore leaves the rest alone), so no scalar code.
// GCC may fuse a multiply and an add written as intrinsics into an FMA (-ffp-contract=fast is
// its C++ default): fp-contract=off for this file keeps one rounding per operation, so each
// lane computes what the plain loop computes, bit for bit (native/test checks it). Built with
// -mavx2 -mfma, only in FASTMLP_HAVE_AVX2 builds; called only through the kernel table.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif
#include <immintrin.h>

#include "optimizer_kernels.hpp"

namespace fastmlp {
namespace optimizer_avx2 {

namespace {

__m256 add(__m256 a, __m256 b) { return _mm256_add_ps(a, b); }
__m256 sub(__m256 a, __m256 b) { return _mm256_sub_ps(a, b); }
__m256 mul(__m256 a, __m256 b) { return _mm256_mul_ps(a, b); }
__m256 div(__m256 a, __m256 b) { return _mm256_div_ps(a, b); }
__m256 sqrt(__m256 a) { return _mm256_sqrt_ps(a); }
__m256 set(float x) { return _mm256_set1_ps(x); }

// Whole blocks: plain loads and stores (a masked store costs more on AMD cores).
struct Whole {
  __m256 load(const float* p) const { return _mm256_loadu_ps(p); }
  void store(float* p, __m256 x) const { _mm256_storeu_ps(p, x); }
};
// The last partial block: the lanes of `mask` (all ones below n).
struct Part {
  __m256i mask;
  __m256 load(const float* p) const { return _mm256_maskload_ps(p, mask); }
  void store(float* p, __m256 x) const { _mm256_maskstore_ps(p, mask, x); }
};

// step(i, k) for each block of 8 lanes starting at i, k its loads and stores.
template <class Step>
void blocks(std::size_t n, Step step) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) step(i, Whole{});
  if (i < n) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    step(i, Part{_mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n - i)), lane)});
  }
}

}  // namespace

void update(int kind, const StepCoefficients& c, float decay, float* w, const float* g, float* m, float* v,
            std::size_t n) {
  const __m256 lr = set(c.lr), mu = set(c.mu), dec = set(decay), eps = set(c.eps);
  switch (kind) {
    case kUpdateSgd:  // w -= lr (g + decay w)
      blocks(n, [&](std::size_t i, auto k) {
        const __m256 wi = k.load(w + i);
        k.store(w + i, sub(wi, mul(lr, add(k.load(g + i), mul(dec, wi)))));
      });
      return;
    case kUpdateMomentum:  // m = mu m + g'; w -= lr m
      blocks(n, [&](std::size_t i, auto k) {
        const __m256 wi = k.load(w + i);
        const __m256 gi = add(k.load(g + i), mul(dec, wi));
        const __m256 mi = add(mul(mu, k.load(m + i)), gi);
        k.store(m + i, mi);
        k.store(w + i, sub(wi, mul(lr, mi)));
      });
      return;
    case kUpdateNesterov:  // m = mu m + g'; w -= lr (g' + mu m)
      blocks(n, [&](std::size_t i, auto k) {
        const __m256 wi = k.load(w + i);
        const __m256 gi = add(k.load(g + i), mul(dec, wi));
        const __m256 mi = add(mul(mu, k.load(m + i)), gi);
        k.store(m + i, mi);
        k.store(w + i, sub(wi, mul(lr, add(gi, mul(mu, mi)))));
      });
      return;
    case kUpdateAdam:
    case kUpdateAdamw: {
      // adam: w -= step m / (sqrt(v) inv + eps) on g' = g + decay w; adamw: w = w keep - ... on g.
      const bool decoupled = kind == kUpdateAdamw;
      const __m256 b1 = set(c.b1), omb1 = set(c.one_minus_b1), b2 = set(c.b2), omb2 = set(c.one_minus_b2);
      const __m256 step = set(c.step_size), inv = set(c.inv_sqrt_bc2);
      const __m256 keep = set(decay != 0.0f ? c.weight_keep : 1.0f);
      blocks(n, [&](std::size_t i, auto k) {
        const __m256 wi = k.load(w + i);
        const __m256 gi = decoupled ? k.load(g + i) : add(k.load(g + i), mul(dec, wi));
        const __m256 mi = add(mul(b1, k.load(m + i)), mul(omb1, gi));
        const __m256 vi = add(mul(b2, k.load(v + i)), mul(mul(omb2, gi), gi));
        k.store(m + i, mi);
        k.store(v + i, vi);
        const __m256 delta = div(mul(step, mi), add(mul(sqrt(vi), inv), eps));
        k.store(w + i, sub(decoupled ? mul(wi, keep) : wi, delta));
      });
      return;
    }
    case kUpdateRmsprop: {
      // s = rho s + (1 - rho) g'^2; with momentum b = mu b + g' / (sqrt(s) + eps), w -= lr b;
      // without, w -= lr (g' / (sqrt(s) + eps)).
      const __m256 rho = set(c.rho), omr = set(c.one_minus_rho);
      const bool with_momentum = c.mu > 0.0f;
      blocks(n, [&](std::size_t i, auto k) {
        const __m256 wi = k.load(w + i);
        const __m256 gi = add(k.load(g + i), mul(dec, wi));
        const __m256 si = add(mul(rho, k.load(m + i)), mul(omr, mul(gi, gi)));
        k.store(m + i, si);
        const __m256 a = add(sqrt(si), eps);
        if (with_momentum) {
          const __m256 bi = add(mul(mu, k.load(v + i)), div(gi, a));
          k.store(v + i, bi);
          k.store(w + i, sub(wi, mul(lr, bi)));
        } else {
          k.store(w + i, sub(wi, mul(lr, div(gi, a))));
        }
      });
      return;
    }
    default:
      return;
  }
}

}  // namespace optimizer_avx2
}  // namespace fastmlp
