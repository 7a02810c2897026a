// Packing of A and B blocks for the packed sgemm (layout and contract: kernel.hpp, pack.hpp).
// Each function has a fast case for the contiguous direction of its source and a general
// strided case; edges are zero-padded so the micro-kernel never branches on the shape.
#include "gemm/pack.hpp"

#include <cstring>

#include "gemm/blocking.hpp"

namespace fastmlp {

namespace {

constexpr std::size_t MR = gemm_blocking::MR;
constexpr std::size_t NR = gemm_blocking::NR;

// One A micro-panel: mr (<= MR) rows starting at (row0, col0), kc columns.
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
  if (a.col_stride == 1 && mr == MR) {
    // Plain A: six row streams, each contiguous along k; the writes stay sequential.
    const float* r0 = a.data + row0 * a.row_stride + col0;
    const float* r1 = r0 + a.row_stride;
    const float* r2 = r1 + a.row_stride;
    const float* r3 = r2 + a.row_stride;
    const float* r4 = r3 + a.row_stride;
    const float* r5 = r4 + a.row_stride;
    for (std::size_t p = 0; p < kc; ++p, dst += MR) {
      dst[0] = r0[p], dst[1] = r1[p], dst[2] = r2[p];
      dst[3] = r3[p], dst[4] = r4[p], dst[5] = r5[p];
    }
    return;
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
  // transB (or any stride): column c of the panel is contiguous along k in the source when
  // row_stride == 1; walk the source sequentially and scatter into the (L1-resident) panel.
  for (std::size_t c = 0; c < nr; ++c) {
    const float* src = b.data + row0 * b.row_stride + (col0 + c) * b.col_stride;
    float* d = dst + c;
    for (std::size_t p = 0; p < kc; ++p) d[p * NR] = src[p * b.row_stride];
  }
  for (std::size_t c = nr; c < NR; ++c) {
    for (std::size_t p = 0; p < kc; ++p) dst[p * NR + c] = 0.0f;
  }
}

}  // namespace

void pack_a(const StridedView& a, std::size_t row0, std::size_t col0, std::size_t mc, std::size_t kc,
            float* dst) {
  for (std::size_t ir = 0; ir < mc; ir += MR) {
    const std::size_t mr = mc - ir < MR ? mc - ir : MR;
    pack_a_panel(a, row0 + ir, col0, mr, kc, dst + ir * kc);
  }
}

void pack_b(const StridedView& b, std::size_t row0, std::size_t col0, std::size_t kc, std::size_t nc,
            std::size_t first_panel, std::size_t panel_count, float* dst) {
  for (std::size_t q = first_panel; q < first_panel + panel_count; ++q) {
    const std::size_t jr = q * NR;
    if (jr >= nc) break;
    const std::size_t nr = nc - jr < NR ? nc - jr : NR;
    pack_b_panel(b, row0, col0 + jr, kc, nr, dst + jr * kc);
  }
}

}  // namespace fastmlp
