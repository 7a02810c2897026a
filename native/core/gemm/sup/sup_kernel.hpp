// The "sup" (small / unpacked) kernels of sgemm, after BLIS's sup: for products too small or
// too skinny for packing to pay (thresholds in blocking.hpp), kernels that keep C in registers
// like the packed micro-kernel (kernel.hpp) but read A and B where they lie. One contract
// (SupProblem -> a block of C), three variants chosen by shape (sgemm_sup, sup.cpp), one file
// per variant and instruction set; each kernel table (cpu/dispatch.hpp) names one set.
#pragma once

#include <cstddef>

namespace fastmlp {

class AlignedFloats;
class ThreadPool;

// Contract: for i < m, j < n (m, n, k >= 1),
//   C[i * n + j] = alpha * sum_{p < k} op(A)(i, p) op(B)(p, j)
//                  + bias[j]              when bias is non-null (beta unused),
//                  + beta * C[i * n + j]  otherwise; beta == 0 writes C without reading it.
// op(A)(i, p) = a[i * as_i + p * as_p], op(B)(p, j) = b[p * bs_p + j * bs_j]. Only the m x n
// block at c is written (its row stride is n).
struct SupProblem {
  std::size_t m, n, k;
  const float* a;
  std::size_t as_i, as_p;
  const float* b;
  std::size_t bs_p, bs_j;
  float alpha, beta;
  const float* bias;
  float* c;
};

using SupKernel = void (*)(const SupProblem& problem);
// Part `part` of `parts` (0 <= part < parts) of what SupKernel does for the whole problem: the
// kernel tiles C exactly as for the whole (same blocks, so every element gets the same
// arithmetic, bit for bit) and the parts take consecutive runs of those tiles. Parts write
// disjoint elements of C, so threads may run them concurrently; part 0 of 1 is the whole.
using SupPartKernel = void (*)(const SupProblem& problem, std::size_t part, std::size_t parts);

// One instruction set's variants. Every variant meets the contract for the shapes it is given:
struct SupVariants {
  SupKernel rows;       // any shape: blocks of C rows in registers, op(B) rows streamed
  SupKernel wide_row;   // m == 1, n > kSupWideRowMinCols: op(B) streamed in address order
  SupKernel tall_tiny;  // m a multiple of 8, n <= kSupTallTinyMaxCols, k <= kSupTallTinyMaxDepth,
                        // op(A) = A: 8 rows per step in their natural layout
  // true: the variants read rows of op(B) as contiguous floats (bs_j == 1), so sgemm_sup copies
  // op(B) when transB (n > 1), and runs an n == 1, op(A) = A^T product as its transpose (one
  // row: C^T = B^T A).
  bool contiguous_b;
  SupPartKernel rows_part;  // `rows` split into parts, for threads (sgemm_sup's split)
};

// C = alpha op(A) op(B) + (bias row, or beta C) for m, n, k >= 1, on `variants`, choosing one by
// shape. scratch: grow-only buffer for the op(B) copy (contiguous_b only). split: null, or the
// pool whose threads share a product that goes to the `rows` variant (rows_part; the same bits
// as one thread); the other variants' shapes (one row, tall and tiny) run on the caller.
void sgemm_sup(const SupVariants& variants, bool transA, bool transB, std::size_t m, std::size_t n, std::size_t k,
               float alpha, const float* A, const float* B, float beta, const float* bias, float* C,
               AlignedFloats& scratch, ThreadPool* split = nullptr);

// ---- the variants --------------------------------------------------------------------------

// Portable (sup_rows_scalar.cpp): every row of C on its own, plain loops. The scalar kernel
// table uses it for all three variants: without vector registers there is no lane layout for
// the wide-row and tall-tiny shapes to exploit, and one kernel keeps the portable results
// independent of how sgemm_sup splits the rows.
void sup_rows_scalar(const SupProblem& problem);
void sup_rows_scalar_part(const SupProblem& problem, std::size_t part, std::size_t parts);

// AVX2/FMA (x86-64 builds only; need contiguous op(B) rows): sup_rows_avx2.cpp,
// sup_wide_row_avx2.cpp, sup_tall_tiny_avx2.cpp.
void sup_rows_avx2(const SupProblem& problem);
void sup_rows_avx2_part(const SupProblem& problem, std::size_t part, std::size_t parts);
void sup_wide_row_avx2(const SupProblem& problem);
void sup_tall_tiny_avx2(const SupProblem& problem);

// AVX-512 F (x86-64 builds with the AVX-512 flags only; contiguous op(B) rows): the rows and
// wide-row variants on 16-float vectors, sup_rows_avx512.cpp, sup_wide_row_avx512.cpp. The
// AVX-512 table keeps sup_tall_tiny_avx2 (n, k <= 4: one 8-lane vector already holds a row
// group's C, so wider vectors have nothing to add).
void sup_rows_avx512(const SupProblem& problem);
void sup_rows_avx512_part(const SupProblem& problem, std::size_t part, std::size_t parts);
void sup_wide_row_avx512(const SupProblem& problem);

}  // namespace fastmlp
