// Packing of A and B blocks for the packed sgemm (layout and contract: kernel.hpp, pack.hpp).
// Each function has a fast case for the contiguous direction of its source and a general
// strided case; edges are zero-padded so the micro-kernel never branches on the shape.
#include "gemm/pack.hpp"

#include <cstring>
#include <stdexcept>

#include "gemm/blocking.hpp"

#if defined(__SSE__) || defined(_M_X64)
#include <xmmintrin.h>  // SSE1: part of the x86-64 baseline, no extra flags
#define FASTMLP_PACK_SSE 1
#endif

namespace fastmlp {

namespace {

// One A micro-panel: mr (<= MR) rows starting at (row0, col0), kc columns.
template <std::size_t MR>
void pack_a_panel(const StridedView& a, std::size_t row0, std::size_t col0, std::size_t mr,
                  std::size_t kc, float* dst) {
  if (a.row_stride == 1 && mr == MR) {
    // transA: the MR values of one k step are contiguous in the source.
    const float* src = a.data + col0 * a.col_stride + row0;
    for (std::size_t p = 0; p < kc; ++p, src += a.col_stride, dst += MR) {
      for (std::size_t r = 0; r < MR; ++r) dst[r] = src[r];
    }
    return;
  }
#if defined(FASTMLP_PACK_SSE)
  if constexpr (MR % 4 == 0) {
  if (a.col_stride == 1 && mr == MR) {
    // Plain A, MR a multiple of 4 (the AVX-512 12-row panels): each group of 4 rows x 4 k steps
    // is one 4x4 transpose, stored as four 4-float pieces of four consecutive k steps.
    const float* src = a.data + row0 * a.row_stride + col0;
    const std::size_t rs = a.row_stride;
    std::size_t p = 0;
    for (; p + 4 <= kc; p += 4) {
      float* d = dst + p * MR;
      for (std::size_t g = 0; g < MR; g += 4) {
        const float* s0 = src + g * rs + p;
        __m128 t0 = _mm_loadu_ps(s0), t1 = _mm_loadu_ps(s0 + rs);
        __m128 t2 = _mm_loadu_ps(s0 + 2 * rs), t3 = _mm_loadu_ps(s0 + 3 * rs);
        _MM_TRANSPOSE4_PS(t0, t1, t2, t3);  // t_q = rows g..g+3 at step p + q
        _mm_storeu_ps(d + g, t0);
        _mm_storeu_ps(d + MR + g, t1);
        _mm_storeu_ps(d + 2 * MR + g, t2);
        _mm_storeu_ps(d + 3 * MR + g, t3);
      }
    }
    for (; p < kc; ++p) {
      for (std::size_t r = 0; r < MR; ++r) dst[p * MR + r] = src[r * rs + p];
    }
    return;
  }
  }
#endif
  if constexpr (MR == 6) {
  if (a.col_stride == 1 && mr == MR) {
    // Plain A: six row streams, each contiguous along k; the writes stay sequential.
    const float* r0 = a.data + row0 * a.row_stride + col0;
    const float* r1 = r0 + a.row_stride;
    const float* r2 = r1 + a.row_stride;
    const float* r3 = r2 + a.row_stride;
    const float* r4 = r3 + a.row_stride;
    const float* r5 = r4 + a.row_stride;
    std::size_t p = 0;
#if defined(FASTMLP_PACK_SSE)
    // 4 k steps at a time: transpose the 4x4 block of rows 0-3 and interleave rows 4-5, giving
    // the 24 packed floats [r0..r5 at p], [r0..r5 at p+1], ... as six 4-float stores. The
    // scalar loop below took ~1 cycle per element, 18% of a 64^3 product.
    for (; p + 4 <= kc; p += 4, dst += 4 * MR) {
      __m128 t0 = _mm_loadu_ps(r0 + p), t1 = _mm_loadu_ps(r1 + p);
      __m128 t2 = _mm_loadu_ps(r2 + p), t3 = _mm_loadu_ps(r3 + p);
      _MM_TRANSPOSE4_PS(t0, t1, t2, t3);  // t_q = rows 0-3 at step p + q
      const __m128 e = _mm_loadu_ps(r4 + p), f = _mm_loadu_ps(r5 + p);
      const __m128 ef01 = _mm_unpacklo_ps(e, f);  // e0 f0 e1 f1
      const __m128 ef23 = _mm_unpackhi_ps(e, f);  // e2 f2 e3 f3
      _mm_storeu_ps(dst + 0, t0);
      _mm_storeu_ps(dst + 4, _mm_movelh_ps(ef01, t1));                          // e0 f0 a1 b1
      _mm_storeu_ps(dst + 8, _mm_shuffle_ps(t1, ef01, _MM_SHUFFLE(3, 2, 3, 2)));  // c1 d1 e1 f1
      _mm_storeu_ps(dst + 12, t2);
      _mm_storeu_ps(dst + 16, _mm_movelh_ps(ef23, t3));                          // e2 f2 a3 b3
      _mm_storeu_ps(dst + 20, _mm_shuffle_ps(t3, ef23, _MM_SHUFFLE(3, 2, 3, 2)));  // c3 d3 e3 f3
    }
#endif
    for (; p < kc; ++p, dst += MR) {
      dst[0] = r0[p], dst[1] = r1[p], dst[2] = r2[p];
      dst[3] = r3[p], dst[4] = r4[p], dst[5] = r5[p];
    }
    return;
  }
  }
  // Edge panel (or any stride): general gather with zero padding.
  for (std::size_t p = 0; p < kc; ++p, dst += MR) {
    const float* src = a.data + row0 * a.row_stride + (col0 + p) * a.col_stride;
    std::size_t r = 0;
    for (; r < mr; ++r) dst[r] = src[r * a.row_stride];
    for (; r < MR; ++r) dst[r] = 0.0f;
  }
}

// One B micro-panel: kc rows starting at (row0, col0), nr (<= NR) columns.
template <std::size_t NR>
void pack_b_panel(const StridedView& b, std::size_t row0, std::size_t col0, std::size_t kc,
                  std::size_t nr, float* dst) {
  if (b.col_stride == 1) {
    // Plain B: each k step is NR contiguous floats of one source row.
    const float* src = b.data + row0 * b.row_stride + col0;
    if (nr == NR) {
      for (std::size_t p = 0; p < kc; ++p, src += b.row_stride, dst += NR) {
        std::memcpy(dst, src, NR * sizeof(float));
      }
    } else {
      for (std::size_t p = 0; p < kc; ++p, src += b.row_stride, dst += NR) {
        std::size_t c = 0;
        for (; c < nr; ++c) dst[c] = src[c];
        for (; c < NR; ++c) dst[c] = 0.0f;
      }
    }
    return;
  }
#if defined(FASTMLP_PACK_SSE)
  if (b.row_stride == 1 && nr == NR) {
    // transB: each panel column is a contiguous source row along k. 4x4 transposes turn four
    // source rows x four k steps into four 4-float stores (vs the scalar scatter below: dZ W^T at
    // batch 64 went from ~84 to ~94 GFLOP/s on one core).
    for (std::size_t c = 0; c < NR; c += 4) {
      const float* s0 = b.data + row0 + (col0 + c) * b.col_stride;
      const float* s1 = s0 + b.col_stride;
      const float* s2 = s1 + b.col_stride;
      const float* s3 = s2 + b.col_stride;
      std::size_t p = 0;
      for (; p + 4 <= kc; p += 4) {
        __m128 t0 = _mm_loadu_ps(s0 + p), t1 = _mm_loadu_ps(s1 + p);
        __m128 t2 = _mm_loadu_ps(s2 + p), t3 = _mm_loadu_ps(s3 + p);
        _MM_TRANSPOSE4_PS(t0, t1, t2, t3);  // t_q = columns c..c+3 at step p + q
        _mm_storeu_ps(dst + p * NR + c, t0);
        _mm_storeu_ps(dst + (p + 1) * NR + c, t1);
        _mm_storeu_ps(dst + (p + 2) * NR + c, t2);
        _mm_storeu_ps(dst + (p + 3) * NR + c, t3);
      }
      for (; p < kc; ++p) {
        float* d = dst + p * NR + c;
        d[0] = s0[p], d[1] = s1[p], d[2] = s2[p], d[3] = s3[p];
      }
    }
    return;
  }
#endif
  // transB edge panel (or any stride): column c of the panel is contiguous along k in the source
  // when row_stride == 1; walk the source sequentially and scatter into the (L1-resident) panel.
  for (std::size_t c = 0; c < nr; ++c) {
    const float* src = b.data + row0 * b.row_stride + (col0 + c) * b.col_stride;
    float* d = dst + c;
    for (std::size_t p = 0; p < kc; ++p) d[p * NR] = src[p * b.row_stride];
  }
  for (std::size_t c = nr; c < NR; ++c) {
    for (std::size_t p = 0; p < kc; ++p) dst[p * NR + c] = 0.0f;
  }
}

template <std::size_t MR>
void pack_a_block(const StridedView& a, std::size_t row0, std::size_t col0, std::size_t mc, std::size_t kc,
                  float* dst) {
  for (std::size_t ir = 0; ir < mc; ir += MR) {
    const std::size_t mr = mc - ir < MR ? mc - ir : MR;
    pack_a_panel<MR>(a, row0 + ir, col0, mr, kc, dst + ir * kc);
  }
}

template <std::size_t NR>
void pack_b_block(const StridedView& b, std::size_t row0, std::size_t col0, std::size_t kc, std::size_t nc,
                  std::size_t first_panel, std::size_t panel_count, float* dst) {
  for (std::size_t q = first_panel; q < first_panel + panel_count; ++q) {
    const std::size_t jr = q * NR;
    if (jr >= nc) break;
    const std::size_t nr = nc - jr < NR ? nc - jr : NR;
    pack_b_panel<NR>(b, row0, col0 + jr, kc, nr, dst + jr * kc);
  }
}

}  // namespace

// One instantiation per panel size the kernel tables use (gemm_blocking::kPanels*): the
// compile-time MR / NR keep the inner copies unrolled.
void pack_a(std::size_t mr, const StridedView& a, std::size_t row0, std::size_t col0, std::size_t mc,
            std::size_t kc, float* dst) {
  switch (mr) {
    case gemm_blocking::MR:
      return pack_a_block<gemm_blocking::MR>(a, row0, col0, mc, kc, dst);
    case gemm_blocking::MR_AVX512:
      return pack_a_block<gemm_blocking::MR_AVX512>(a, row0, col0, mc, kc, dst);
    default:
      throw std::logic_error("pack_a: no packing for this MR");
  }
}

void pack_b(std::size_t nr, const StridedView& b, std::size_t row0, std::size_t col0, std::size_t kc,
            std::size_t nc, std::size_t first_panel, std::size_t panel_count, float* dst) {
  switch (nr) {
    case gemm_blocking::NR:
      return pack_b_block<gemm_blocking::NR>(b, row0, col0, kc, nc, first_panel, panel_count, dst);
    case gemm_blocking::NR_AVX512:
      return pack_b_block<gemm_blocking::NR_AVX512>(b, row0, col0, kc, nc, first_panel, panel_count, dst);
    default:
      throw std::logic_error("pack_b: no packing for this NR");
  }
}

}  // namespace fastmlp
