// sup variant "wide row", AVX2/FMA: one row of C wider than one column block (m == 1, e.g. a
// one-row predict). Contract: sup_kernel.hpp; portable twin: sup_rows_scalar.cpp (one row).
// Built with -mavx2 -mfma in x86-64 builds only. ODR: see kernel_avx2_6x16.cpp.
#include <immintrin.h>

#include <cstddef>
#include <utility>

#include "gemm/sup/sup_avx2_lanes.hpp"
#include "gemm/sup/sup_kernel.hpp"

namespace fastmlp {

namespace {

// The column blocks of the rows variant would stream op(B) once per 64 columns, each pass reading part of
// every row (strided). Here k goes in chunks of kRowChunk rows and every column block of the
// chunk runs before the next chunk, so op(B) streams in address order (L2 -> L1 bandwidth is the
// limit for a 784 x 128 W); partial sums wait in a stack buffer. Per column the order of the
// sum over p is the same as one accumulator over all k (and the epilogue is the rows variant's
// alpha * acc, then + bias or + beta C).
constexpr std::size_t kRowChunk = 64;
constexpr std::size_t kRowCols = 512;  // columns per pass (partial sums on the stack)

// Columns [j0, j0 + 8V) of the row over p in [p0, p1); the last vector is masked when Masked.
template <int V, bool Masked>
inline __attribute__((always_inline)) void row_block(const float* a, const float* b, std::size_t bs_p, std::size_t p0, std::size_t p1, float* part,
               __m256i mask, bool first) {
  __m256 acc[V];
#pragma GCC unroll 8
  for (int v = 0; v < V; ++v) acc[v] = first ? _mm256_setzero_ps() : _mm256_load_ps(part + 8 * v);
  const float* bp = b + p0 * bs_p;
  for (std::size_t p = p0; p < p1; ++p, bp += bs_p) {
    const __m256 av = _mm256_broadcast_ss(a + p);
#pragma GCC unroll 8
    for (int v = 0; v < V - 1; ++v) acc[v] = _mm256_fmadd_ps(av, _mm256_loadu_ps(bp + 8 * v), acc[v]);
    const __m256 last = Masked ? _mm256_maskload_ps(bp + 8 * (V - 1), mask) : _mm256_loadu_ps(bp + 8 * (V - 1));
    acc[V - 1] = _mm256_fmadd_ps(av, last, acc[V - 1]);
  }
#pragma GCC unroll 8
  for (int v = 0; v < V; ++v) _mm256_store_ps(part + 8 * v, acc[v]);
}


using RowBlockFn = void (*)(const float*, const float*, std::size_t, std::size_t, std::size_t, float*, __m256i, bool);

template <int V, bool Masked>
void row_block_fn(const float* a, const float* b, std::size_t bs_p, std::size_t p0, std::size_t p1, float* part,
                  __m256i mask, bool first) {
  row_block<V, Masked>(a, b, bs_p, p0, p1, part, mask, first);
}


// row_block_fn<V, Masked> for V in 1..8: kRowBlocks.fn[V - 1][Masked], generated.
struct RowBlockTable {
  RowBlockFn fn[8][2];
};

template <std::size_t... V>
constexpr RowBlockTable make_row_block_table(std::index_sequence<V...>) {
  RowBlockTable t{};
  ((t.fn[V][0] = &row_block_fn<static_cast<int>(V) + 1, false>, t.fn[V][1] = &row_block_fn<static_cast<int>(V) + 1, true>),
   ...);
  return t;
}

constexpr RowBlockTable kRowBlocks = make_row_block_table(std::make_index_sequence<8>());

RowBlockFn pick_row(std::size_t v, bool masked) { return kRowBlocks.fn[v - 1][masked ? 1 : 0]; }

void run_row(const SupProblem& d) {
  alignas(32) float part[kRowCols];
  const __m256 va = _mm256_set1_ps(d.alpha);
  const __m256 vbeta = _mm256_set1_ps(d.beta);
  for (std::size_t j0 = 0; j0 < d.n; j0 += kRowCols) {
    const std::size_t cols = d.n - j0 < kRowCols ? d.n - j0 : kRowCols;
    const std::size_t vectors = (cols + 7) / 8;
    const std::size_t tail = cols - (vectors - 1) * 8;  // 1..8
    const __m256i mask = lane_mask(tail);
    // Whole blocks of 8 full vectors inline; the rest (1..8 vectors, the last maybe masked) as
    // one call per chunk.
    const std::size_t whole = tail == 8 ? vectors / 8 : (vectors - 1) / 8;
    const std::size_t rest = vectors - 8 * whole;
    const RowBlockFn rest_fn = rest > 0 ? pick_row(rest, tail < 8) : nullptr;
    const float* b = d.b + j0;
    for (std::size_t p0 = 0; p0 < d.k; p0 += kRowChunk) {
      const std::size_t p1 = d.k - p0 < kRowChunk ? d.k : p0 + kRowChunk;
      for (std::size_t w = 0; w < whole; ++w) {
        row_block<8, false>(d.a, b + 64 * w, d.bs_p, p0, p1, part + 64 * w, mask, p0 == 0);
      }
      if (rest_fn != nullptr) rest_fn(d.a, b + 64 * whole, d.bs_p, p0, p1, part + 64 * whole, mask, p0 == 0);
    }
    float* c = d.c + j0;
    const float* bias = d.bias != nullptr ? d.bias + j0 : nullptr;
    for (std::size_t v = 0; v < vectors; ++v) {
      const bool full = v + 1 < vectors || tail == 8;
      const __m256i mv = full ? _mm256_set1_epi32(-1) : mask;
      __m256 x = _mm256_mul_ps(va, _mm256_load_ps(part + 8 * v));
      if (bias != nullptr) {
        x = _mm256_add_ps(x, _mm256_maskload_ps(bias + 8 * v, mv));
      } else if (d.beta != 0.0f) {
        x = _mm256_fmadd_ps(vbeta, _mm256_maskload_ps(c + 8 * v, mv), x);
      }
      if (full) {
        _mm256_storeu_ps(c + 8 * v, x);
      } else {
        _mm256_maskstore_ps(c + 8 * v, mask, x);
      }
    }
  }
}

}  // namespace

void sup_wide_row_avx2(const SupProblem& problem) { run_row(problem); }

}  // namespace fastmlp
