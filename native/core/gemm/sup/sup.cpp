// sgemm_sup: the driver of the sup variants (sup_kernel.hpp). Sets the problem up once (strides,
// the op(B) copy for variants that need contiguous rows) and hands each block of C to the
// variant its shape calls for; the thresholds are blocking.hpp's.
#include <cstddef>

#include "gemm/blocking.hpp"
#include "gemm/gemm_internal.hpp"
#include "gemm/sup/sup_kernel.hpp"
#include "thread_pool.hpp"

namespace fastmlp {

namespace {

// The rows variant over `pool`'s threads: parts handed out one at a time (ThreadPool::run_chunks),
// several per thread so a late or descheduled thread leaves its share to the others.
void rows_split(const SupVariants& variants, const SupProblem& p, ThreadPool& pool) {
  struct Job {
    SupPartKernel kernel;
    const SupProblem* problem;
    std::size_t parts;
  } job{variants.rows_part, &p, gemm_blocking::kParallelDirectPartsPerThread * pool.size()};
  // One captured pointer: fits std::function's inline storage, no allocation per product.
  pool.run_chunks(job.parts, [&job](std::size_t, std::size_t part) { job.kernel(*job.problem, part, job.parts); });
}

}  // namespace

void sgemm_sup(const SupVariants& variants, bool transA, bool transB, std::size_t m, std::size_t n, std::size_t k,
               float alpha, const float* A, const float* B, float beta, const float* bias, float* C,
               AlignedFloats& scratch, ThreadPool* split) {
  using namespace gemm_blocking;
  SupProblem p{m,     n,    k,    A,    transA ? 1 : k, transA ? m : 1, B, transB ? 1 : n, transB ? k : 1,
               alpha, beta, bias, C};
  if (variants.contiguous_b) {
    if (n == 1 && transA && bias == nullptr) {
      // C (m x 1) is also C^T (1 x m) = b^T op(A)^T, whose "B" rows (A rows, m floats) are
      // contiguous: one row of C^T, vectorized along m, instead of m one-lane rows.
      variants.rows(SupProblem{1, m, k, B, 0, 1, A, m, 1, alpha, beta, nullptr, C});
      return;
    }
    if (transB && n > 1) {
      // op(B)(p, j) = B[j * k + p]: copy op(B) (k x n) row by row so its rows are contiguous.
      float* copy = scratch.ensure(k * n);
      for (std::size_t q = 0; q < k; ++q)
        for (std::size_t j = 0; j < n; ++j) copy[q * n + j] = B[j * k + q];
      p.b = copy;
      p.bs_p = n;
      p.bs_j = 1;
    }
  }
  // n == 1: op(B) is the vector B either way (stride 1 between its "rows").
  if (n == 1) p.bs_p = 1;
  if (m == 1 && n > kSupWideRowMinCols) {
    variants.wide_row(p);
    return;
  }
  if (!transA && m >= kSupTallTinyMinRows && n <= kSupTallTinyMaxCols && k <= kSupTallTinyMaxDepth) {
    // Whole groups of 8 rows on tall_tiny, the last m % 8 rows on rows (no copies of the
    // problem when m is a multiple of 8: this path runs in ~50 ns).
    const std::size_t whole = m - m % 8;
    if (whole == m) {
      variants.tall_tiny(p);
      return;
    }
    p.m = whole;
    variants.tall_tiny(p);
    p.m = m - whole;
    p.a = A + whole * k;
    p.c = C + whole * n;
    variants.rows(p);
    return;
  }
  if (split != nullptr && split->size() > 1) {
    rows_split(variants, p, *split);
    return;
  }
  variants.rows(p);
}

}  // namespace fastmlp
