// sup variant "rows", portable: each row of C straight from the sources with plain loops, the
// twin of sup_rows_avx2.cpp (contract: sup_kernel.hpp). The scalar kernel table serves all three
// sup variants with it (see sup_kernel.hpp). Any strides; the loops are the compiler's to
// vectorize for the baseline ISA.
#include <cstddef>

#include "gemm/sup/sup_kernel.hpp"

namespace fastmlp {

void sup_rows_scalar(const SupProblem& problem) { sup_rows_scalar_part(problem, 0, 1); }

// Every row of C is computed on its own, the same way whatever the other rows: a part is a run
// of whole rows.
void sup_rows_scalar_part(const SupProblem& problem, std::size_t part, std::size_t parts) {
  const SupProblem d = problem;  // a local copy: stores to C cannot alias it, so fields stay in registers
  const std::size_t n = d.n, k = d.k;
  const std::size_t i_end = d.m * (part + 1) / parts;
  for (std::size_t i = d.m * part / parts; i < i_end; ++i) {
    float* c = d.c + i * n;
    const float* a = d.a + i * d.as_i;
    if (d.bs_j == 1 && d.bs_p == n && n >= 8) {
      // C row += op(A)(i, p) * B row p: contiguous in j, so it vectorizes.
      if (d.bias != nullptr) {
        for (std::size_t j = 0; j < n; ++j) c[j] = d.bias[j];
      } else if (d.beta == 0.0f) {
        for (std::size_t j = 0; j < n; ++j) c[j] = 0.0f;
      } else if (d.beta != 1.0f) {
        for (std::size_t j = 0; j < n; ++j) c[j] *= d.beta;
      }
      for (std::size_t p = 0; p < k; ++p) {
        const float ap = d.alpha * a[p * d.as_p];
        const float* b = d.b + p * n;
        for (std::size_t j = 0; j < n; ++j) c[j] += ap * b[j];
      }
      continue;
    }
    // Narrow C (the seeds' 1-3 unit layers) or strided op(B) rows: one dot product per element,
    // with four partial sums so the additions do not wait on each other (and C is not re-read
    // per p).
    for (std::size_t j = 0; j < n; ++j) {
      const float* b = d.b + j * d.bs_j;
      float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
      std::size_t p = 0;
      for (; p + 4 <= k; p += 4) {
        s0 += a[p * d.as_p] * b[p * d.bs_p];
        s1 += a[(p + 1) * d.as_p] * b[(p + 1) * d.bs_p];
        s2 += a[(p + 2) * d.as_p] * b[(p + 2) * d.bs_p];
        s3 += a[(p + 3) * d.as_p] * b[(p + 3) * d.bs_p];
      }
      for (; p < k; ++p) s0 += a[p * d.as_p] * b[p * d.bs_p];
      const float acc = (s0 + s1) + (s2 + s3);
      if (d.bias != nullptr) {
        c[j] = d.alpha * acc + d.bias[j];
      } else {
        c[j] = d.beta == 0.0f ? d.alpha * acc : d.alpha * acc + d.beta * c[j];
      }
    }
  }
}

}  // namespace fastmlp
