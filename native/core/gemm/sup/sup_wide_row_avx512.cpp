// sup variant "wide row", AVX-512: one row of C wider than one column block (m == 1, e.g. a
// one-row predict). The AVX2 twin's scheme (sup_wide_row_avx2.cpp) on vectors of 16: blocks of
// 8 vectors (128 columns, a whole 784-128 layer's row of W), mask registers for the last partial
// vector. Contract: sup_kernel.hpp; portable twin: sup_rows_scalar.cpp (one row). Built with the
// AVX-512 flags in x86-64 builds only. ODR: see kernel_avx2_6x16.cpp.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <utility>

#include "gemm/sup/sup_avx512_lanes.hpp"
#include "gemm/sup/sup_kernel.hpp"

namespace fastmlp {

namespace {

// k goes in chunks of kRowChunk rows and every column block of the chunk runs before the next
// chunk, so op(B) streams in address order (L2 -> L1 bandwidth is the limit for a 784 x 128 W);
// partial sums wait in a stack buffer. Per column the order of the sum over p is one
// accumulator over all k, p ascending, then alpha * acc + bias (or + beta C).
constexpr std::size_t kRowChunk = 64;
constexpr std::size_t kRowCols = 512;  // columns per pass (partial sums on the stack)
// Each k step asks L1 for the row of op(B) this many steps ahead (32 x 8 lines = 16 KiB in flight
// for a 128-column block, a third of Zen 5's 48 KiB L1d): the hardware prefetcher alone left the
// FMAs waiting on L2. `trainer_bench --set predict --clock cpu` (one-row 784-128-10, W read from
// L2), interleaved builds: 4.2-5.3 us per call without, 3.3-3.6 with 32; 4, 8 and 16 steps gained
// less, 48 and 64 lost (lines evicted before use).
constexpr std::size_t kPrefetchRows = 32;

// Columns [j0, j0 + 16V) of the row over p in [p0, p1); the last vector's lanes are `last`.
template <int V>
inline __attribute__((always_inline)) void row_block(const float* a, const float* b, std::size_t bs_p,
                                                     std::size_t p0, std::size_t p1, float* part, __mmask16 last,
                                                     bool first) {
  __m512 acc[V];
#pragma GCC unroll 8
  for (int v = 0; v < V; ++v) acc[v] = first ? _mm512_setzero_ps() : _mm512_load_ps(part + 16 * v);
  const float* bp = b + p0 * bs_p;
  // the prefetch address as an integer: it may lie past op(B)'s end (a prefetch never faults)
  const std::uintptr_t ahead = kPrefetchRows * bs_p * sizeof(float);
  for (std::size_t p = p0; p < p1; ++p, bp += bs_p) {
    const __m512 av = _mm512_set1_ps(a[p]);
    const std::uintptr_t line = reinterpret_cast<std::uintptr_t>(bp) + ahead;
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) _mm_prefetch(reinterpret_cast<const char*>(line + 64 * v), _MM_HINT_T0);
#pragma GCC unroll 8
    for (int v = 0; v < V - 1; ++v) acc[v] = _mm512_fmadd_ps(av, _mm512_loadu_ps(bp + 16 * v), acc[v]);
    acc[V - 1] = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(last, bp + 16 * (V - 1)), acc[V - 1]);
  }
#pragma GCC unroll 8
  for (int v = 0; v < V; ++v) _mm512_store_ps(part + 16 * v, acc[v]);
}

using RowBlockFn = void (*)(const float*, const float*, std::size_t, std::size_t, std::size_t, float*, __mmask16,
                            bool);

template <int V>
void row_block_fn(const float* a, const float* b, std::size_t bs_p, std::size_t p0, std::size_t p1, float* part,
                  __mmask16 last, bool first) {
  row_block<V>(a, b, bs_p, p0, p1, part, last, first);
}

// row_block_fn<V> for V in 1..8: kRowBlocks.fn[V - 1], generated.
struct RowBlockTable {
  RowBlockFn fn[8];
};

template <std::size_t... V>
constexpr RowBlockTable make_row_block_table(std::index_sequence<V...>) {
  RowBlockTable t{};
  ((t.fn[V] = &row_block_fn<static_cast<int>(V) + 1>), ...);
  return t;
}

constexpr RowBlockTable kRowBlocks = make_row_block_table(std::make_index_sequence<8>());

void run_row(const SupProblem& d) {
  alignas(64) float part[kRowCols];
  const __m512 va = _mm512_set1_ps(d.alpha);
  const __m512 vbeta = _mm512_set1_ps(d.beta);
  for (std::size_t j0 = 0; j0 < d.n; j0 += kRowCols) {
    const std::size_t cols = d.n - j0 < kRowCols ? d.n - j0 : kRowCols;
    const std::size_t vectors = (cols + 15) / 16;
    const __mmask16 tail = lane_mask16(cols - (vectors - 1) * 16);  // 1..16 lanes
    // Whole blocks of 8 full vectors inline; the rest (1..8 vectors, the last maybe partial) as
    // one call per chunk.
    const bool full_tail = tail == 0xFFFF;
    const std::size_t whole = full_tail ? vectors / 8 : (vectors - 1) / 8;
    const std::size_t rest = vectors - 8 * whole;
    const RowBlockFn rest_fn = rest > 0 ? kRowBlocks.fn[rest - 1] : nullptr;
    const float* b = d.b + j0;
    for (std::size_t p0 = 0; p0 < d.k; p0 += kRowChunk) {
      const std::size_t p1 = d.k - p0 < kRowChunk ? d.k : p0 + kRowChunk;
      for (std::size_t w = 0; w < whole; ++w) {
        row_block<8>(d.a, b + 128 * w, d.bs_p, p0, p1, part + 128 * w, 0xFFFF, p0 == 0);
      }
      if (rest_fn != nullptr) rest_fn(d.a, b + 128 * whole, d.bs_p, p0, p1, part + 128 * whole, tail, p0 == 0);
    }
    float* c = d.c + j0;
    const float* bias = d.bias != nullptr ? d.bias + j0 : nullptr;
    for (std::size_t v = 0; v < vectors; ++v) {
      const __mmask16 mv = v + 1 < vectors ? __mmask16{0xFFFF} : tail;
      const __m512 acc = _mm512_load_ps(part + 16 * v);
      __m512 x;
      if (bias != nullptr) {
        x = _mm512_fmadd_ps(va, acc, _mm512_maskz_loadu_ps(mv, bias + 16 * v));
      } else if (d.beta != 0.0f) {
        x = _mm512_fmadd_ps(vbeta, _mm512_maskz_loadu_ps(mv, c + 16 * v), _mm512_mul_ps(va, acc));
      } else {
        x = _mm512_mul_ps(va, acc);
      }
      _mm512_mask_storeu_ps(c + 16 * v, mv, x);
    }
  }
}

}  // namespace

void sup_wide_row_avx512(const SupProblem& problem) { run_row(problem); }

}  // namespace fastmlp
