// The NEON 6x16 sgemm micro-kernel: built only in aarch64 builds (FASTMLP_HAVE_NEON; NEON is
// the baseline there, so no flags and no run-time check) and called through the kernel table
// (cpu/dispatch.hpp), which FASTMLP_FORCE_SCALAR=1 turns to the scalar twin. Contract and
// packed layout: kernel.hpp (the same 6x16 panels as the AVX2 and scalar kernels).
// Registers in the k loop (32 128-bit v registers): 24 accumulators c[i][q] (row i, columns
// 4q..4q+3 of the tile), 4 for the packed B row (16 floats), 2 for the packed A column (rows
// 0-3 in one q register, rows 4-5 in one d register) = 30. Each A value is used in place with
// vfmaq_laneq_f32 (FMLA by element): no broadcasts, 6 loads feed 24 FMAs per k step, the same
// 24 accumulators and load-to-FMA ratio as BLIS's armv8a 8x12 sgemm kernel, so one packed
// layout serves every kernel table.
#include <arm_neon.h>

#include <cstddef>

#include "gemm/kernel.hpp"

namespace fastmlp {

namespace {

constexpr std::size_t kMR = 6;
constexpr std::size_t kNR = 16;

// C row segment (4 floats) = alpha * acc + beta * C. beta == 0 must not read C.
inline void store_row4(float* c, float32x4_t acc, float alpha, float beta) {
  if (beta == 0.0f) {
    vst1q_f32(c, vmulq_n_f32(acc, alpha));
  } else if (beta == 1.0f) {
    vst1q_f32(c, vfmaq_n_f32(vld1q_f32(c), acc, alpha));
  } else {
    vst1q_f32(c, vfmaq_n_f32(vmulq_n_f32(vld1q_f32(c), beta), acc, alpha));
  }
}

inline void prefetch(const void* p) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p, 0, 3);
#else
  (void)p;
#endif
}

}  // namespace

void kernel_neon_6x16(std::size_t k, const float* a, const float* b, float alpha, float beta,
                      const MicroTile& tile, const float* a_next, const float* b_next) {
  const std::size_t ldc = tile.ldc;
  for (std::size_t i = 0; i < tile.m_valid; ++i) prefetch(tile.c + i * ldc);

  float32x4_t c00 = vdupq_n_f32(0), c01 = vdupq_n_f32(0), c02 = vdupq_n_f32(0), c03 = vdupq_n_f32(0);
  float32x4_t c10 = vdupq_n_f32(0), c11 = vdupq_n_f32(0), c12 = vdupq_n_f32(0), c13 = vdupq_n_f32(0);
  float32x4_t c20 = vdupq_n_f32(0), c21 = vdupq_n_f32(0), c22 = vdupq_n_f32(0), c23 = vdupq_n_f32(0);
  float32x4_t c30 = vdupq_n_f32(0), c31 = vdupq_n_f32(0), c32 = vdupq_n_f32(0), c33 = vdupq_n_f32(0);
  float32x4_t c40 = vdupq_n_f32(0), c41 = vdupq_n_f32(0), c42 = vdupq_n_f32(0), c43 = vdupq_n_f32(0);
  float32x4_t c50 = vdupq_n_f32(0), c51 = vdupq_n_f32(0), c52 = vdupq_n_f32(0), c53 = vdupq_n_f32(0);

  // One k step. The A loads read exactly the 6 floats of the step (4 + 2): no read past the
  // end of the micro-panel on the last step.
  for (std::size_t p = 0; p < k; ++p, a += kMR, b += kNR) {
    prefetch(a + 64);
    const float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8), b3 = vld1q_f32(b + 12);
    const float32x4_t a03 = vld1q_f32(a);
    const float32x2_t a45 = vld1_f32(a + 4);
    c00 = vfmaq_laneq_f32(c00, b0, a03, 0), c01 = vfmaq_laneq_f32(c01, b1, a03, 0);
    c02 = vfmaq_laneq_f32(c02, b2, a03, 0), c03 = vfmaq_laneq_f32(c03, b3, a03, 0);
    c10 = vfmaq_laneq_f32(c10, b0, a03, 1), c11 = vfmaq_laneq_f32(c11, b1, a03, 1);
    c12 = vfmaq_laneq_f32(c12, b2, a03, 1), c13 = vfmaq_laneq_f32(c13, b3, a03, 1);
    c20 = vfmaq_laneq_f32(c20, b0, a03, 2), c21 = vfmaq_laneq_f32(c21, b1, a03, 2);
    c22 = vfmaq_laneq_f32(c22, b2, a03, 2), c23 = vfmaq_laneq_f32(c23, b3, a03, 2);
    c30 = vfmaq_laneq_f32(c30, b0, a03, 3), c31 = vfmaq_laneq_f32(c31, b1, a03, 3);
    c32 = vfmaq_laneq_f32(c32, b2, a03, 3), c33 = vfmaq_laneq_f32(c33, b3, a03, 3);
    c40 = vfmaq_lane_f32(c40, b0, a45, 0), c41 = vfmaq_lane_f32(c41, b1, a45, 0);
    c42 = vfmaq_lane_f32(c42, b2, a45, 0), c43 = vfmaq_lane_f32(c43, b3, a45, 0);
    c50 = vfmaq_lane_f32(c50, b0, a45, 1), c51 = vfmaq_lane_f32(c51, b1, a45, 1);
    c52 = vfmaq_lane_f32(c52, b2, a45, 1), c53 = vfmaq_lane_f32(c53, b3, a45, 1);
  }
  prefetch(a_next);
  prefetch(b_next);

  if (tile.m_valid == kMR && tile.n_valid == kNR) {
    float* c = tile.c;
    store_row4(c, c00, alpha, beta), store_row4(c + 4, c01, alpha, beta);
    store_row4(c + 8, c02, alpha, beta), store_row4(c + 12, c03, alpha, beta), c += ldc;
    store_row4(c, c10, alpha, beta), store_row4(c + 4, c11, alpha, beta);
    store_row4(c + 8, c12, alpha, beta), store_row4(c + 12, c13, alpha, beta), c += ldc;
    store_row4(c, c20, alpha, beta), store_row4(c + 4, c21, alpha, beta);
    store_row4(c + 8, c22, alpha, beta), store_row4(c + 12, c23, alpha, beta), c += ldc;
    store_row4(c, c30, alpha, beta), store_row4(c + 4, c31, alpha, beta);
    store_row4(c + 8, c32, alpha, beta), store_row4(c + 12, c33, alpha, beta), c += ldc;
    store_row4(c, c40, alpha, beta), store_row4(c + 4, c41, alpha, beta);
    store_row4(c + 8, c42, alpha, beta), store_row4(c + 12, c43, alpha, beta), c += ldc;
    store_row4(c, c50, alpha, beta), store_row4(c + 4, c51, alpha, beta);
    store_row4(c + 8, c52, alpha, beta), store_row4(c + 12, c53, alpha, beta);
    return;
  }

  // Edge tile: spill alpha * acc to a stack tile, then update only the valid part of C.
  alignas(16) float t[kMR * kNR];
  const float32x4_t rows[kMR][4] = {{c00, c01, c02, c03}, {c10, c11, c12, c13}, {c20, c21, c22, c23},
                                    {c30, c31, c32, c33}, {c40, c41, c42, c43}, {c50, c51, c52, c53}};
  for (std::size_t i = 0; i < kMR; ++i)
    for (std::size_t q = 0; q < 4; ++q) vst1q_f32(t + i * kNR + 4 * q, vmulq_n_f32(rows[i][q], alpha));
  for (std::size_t i = 0; i < tile.m_valid; ++i) {
    float* c = tile.c + i * ldc;
    const float* ti = t + i * kNR;
    if (beta == 0.0f) {
      for (std::size_t j = 0; j < tile.n_valid; ++j) c[j] = ti[j];
    } else {
      for (std::size_t j = 0; j < tile.n_valid; ++j) c[j] = ti[j] + beta * c[j];
    }
  }
}

}  // namespace fastmlp
