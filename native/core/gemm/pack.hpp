// Packing of op(A) blocks into MR-row micro-panels and op(B) blocks into NR-column micro-panels
// (layout: kernel.hpp). The transpose flags are absorbed here, by reading the source through a
// strided view, so no transposed copy of any matrix is ever made.
#pragma once

#include <cstddef>

namespace fastmlp {

// Element (r, c) of a row-major matrix seen possibly transposed: data[r * row_stride + c *
// col_stride]. op(A) of a row-major (m, k) A is {A, k, 1}; with transA, A is (k, m): {A, 1, m}.
struct StridedView {
  const float* data;
  std::size_t row_stride;
  std::size_t col_stride;
};

// Packs rows [row0, row0 + mc) x columns [col0, col0 + kc) of op(A) into ceil(mc / MR)
// micro-panels of MR * kc floats each, zero-padding the rows of the last one. MR = mr, the
// micro-kernel's (gemm_blocking::PanelShape; an MR no kernel uses throws std::logic_error).
void pack_a(std::size_t mr, const StridedView& a, std::size_t row0, std::size_t col0, std::size_t mc, std::size_t kc,
            float* dst);

// Packs rows [row0, row0 + kc) x columns [col0, col0 + nc) of op(B) into ceil(nc / NR)
// micro-panels of kc * NR floats each, zero-padding the columns of the last one. NR = nr, the
// micro-kernel's. first_panel / panel_count select a subset of those micro-panels.
void pack_b(std::size_t nr, const StridedView& b, std::size_t row0, std::size_t col0, std::size_t kc, std::size_t nc,
            std::size_t first_panel, std::size_t panel_count, float* dst);

}  // namespace fastmlp
