// The optimizer's element loop in AVX-512 (contract in optimizer_kernels.hpp): 16 lanes, the
// tail under a lane mask (masked loads read zeros, masked stores leave the rest alone), so no
// scalar code. Every operation is an explicitly rounded intrinsic (*_round_ps, round to
// nearest): the compiler cannot fuse a multiply into an add, so each lane computes what the
// plain loop computes, bit for bit. Built with the AVX-512 flags, only in FASTMLP_HAVE_AVX512
// builds; called only through the kernel table when the CPU and OS support AVX-512.
#include <immintrin.h>

#include "optimizer_kernels.hpp"

namespace fastmlp {
namespace optimizer_avx512 {

namespace {

constexpr int kNearest = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
// The zero-masking forms with every lane on: GCC 12's unmasked *_round_ps warn of an
// uninitialized pass-through operand.
constexpr __mmask16 kAll = 0xFFFF;

__m512 add(__m512 a, __m512 b) { return _mm512_maskz_add_round_ps(kAll, a, b, kNearest); }
__m512 sub(__m512 a, __m512 b) { return _mm512_maskz_sub_round_ps(kAll, a, b, kNearest); }
__m512 mul(__m512 a, __m512 b) { return _mm512_maskz_mul_round_ps(kAll, a, b, kNearest); }
__m512 div(__m512 a, __m512 b) { return _mm512_maskz_div_round_ps(kAll, a, b, kNearest); }
__m512 sqrt(__m512 a) { return _mm512_maskz_sqrt_round_ps(kAll, a, kNearest); }
__m512 set(float x) { return _mm512_set1_ps(x); }

// step(i, k) for each block of 16 lanes starting at i, k the lanes inside [0, n).
template <class Step>
void blocks(std::size_t n, Step step) {
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) step(i, kAll);
  if (i < n) step(i, static_cast<__mmask16>((1u << (n - i)) - 1u));
}

__m512 load(const float* p, __mmask16 k) { return _mm512_maskz_loadu_ps(k, p); }
void store(float* p, __mmask16 k, __m512 x) { _mm512_mask_storeu_ps(p, k, x); }

}  // namespace

void update(int kind, const StepCoefficients& c, float decay, float* w, const float* g, float* m, float* v,
            std::size_t n) {
  const __m512 lr = set(c.lr), mu = set(c.mu), dec = set(decay), eps = set(c.eps);
  switch (kind) {
    case kUpdateSgd:  // w -= lr (g + decay w)
      blocks(n, [&](std::size_t i, __mmask16 k) {
        const __m512 wi = load(w + i, k);
        store(w + i, k, sub(wi, mul(lr, add(load(g + i, k), mul(dec, wi)))));
      });
      return;
    case kUpdateMomentum:  // m = mu m + g'; w -= lr m
      blocks(n, [&](std::size_t i, __mmask16 k) {
        const __m512 wi = load(w + i, k);
        const __m512 gi = add(load(g + i, k), mul(dec, wi));
        const __m512 mi = add(mul(mu, load(m + i, k)), gi);
        store(m + i, k, mi);
        store(w + i, k, sub(wi, mul(lr, mi)));
      });
      return;
    case kUpdateNesterov:  // m = mu m + g'; w -= lr (g' + mu m)
      blocks(n, [&](std::size_t i, __mmask16 k) {
        const __m512 wi = load(w + i, k);
        const __m512 gi = add(load(g + i, k), mul(dec, wi));
        const __m512 mi = add(mul(mu, load(m + i, k)), gi);
        store(m + i, k, mi);
        store(w + i, k, sub(wi, mul(lr, add(gi, mul(mu, mi)))));
      });
      return;
    case kUpdateAdam:
    case kUpdateAdamw: {
      // adam: w -= step m / (sqrt(v) inv + eps) on g' = g + decay w; adamw: w = w keep - ... on g.
      const bool decoupled = kind == kUpdateAdamw;
      const __m512 b1 = set(c.b1), omb1 = set(c.one_minus_b1), b2 = set(c.b2), omb2 = set(c.one_minus_b2);
      const __m512 step = set(c.step_size), inv = set(c.inv_sqrt_bc2);
      const __m512 keep = set(decay != 0.0f ? c.weight_keep : 1.0f);
      blocks(n, [&](std::size_t i, __mmask16 k) {
        const __m512 wi = load(w + i, k);
        const __m512 gi = decoupled ? load(g + i, k) : add(load(g + i, k), mul(dec, wi));
        const __m512 mi = add(mul(b1, load(m + i, k)), mul(omb1, gi));
        const __m512 vi = add(mul(b2, load(v + i, k)), mul(mul(omb2, gi), gi));
        store(m + i, k, mi);
        store(v + i, k, vi);
        const __m512 delta = div(mul(step, mi), add(mul(sqrt(vi), inv), eps));
        store(w + i, k, sub(decoupled ? mul(wi, keep) : wi, delta));
      });
      return;
    }
    case kUpdateRmsprop: {
      // s = rho s + (1 - rho) g'^2; with momentum b = mu b + g' / (sqrt(s) + eps), w -= lr b;
      // without, w -= lr (g' / (sqrt(s) + eps)).
      const __m512 rho = set(c.rho), omr = set(c.one_minus_rho);
      const bool with_momentum = c.mu > 0.0f;
      blocks(n, [&](std::size_t i, __mmask16 k) {
        const __m512 wi = load(w + i, k);
        const __m512 gi = add(load(g + i, k), mul(dec, wi));
        const __m512 si = add(mul(rho, load(m + i, k)), mul(omr, mul(gi, gi)));
        store(m + i, k, si);
        const __m512 a = add(sqrt(si), eps);
        if (with_momentum) {
          const __m512 bi = add(mul(mu, load(v + i, k)), div(gi, a));
          store(v + i, k, bi);
          store(w + i, k, sub(wi, mul(lr, bi)));
        } else {
          store(w + i, k, sub(wi, mul(lr, div(gi, a))));
        }
      });
      return;
    }
    default:
      return;
  }
}

}  // namespace optimizer_avx512
}  // namespace fastmlp
