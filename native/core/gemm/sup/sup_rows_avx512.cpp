// sup variant "rows", AVX-512: any block of C, R rows x V vectors of 16 columns in registers
// (R * V <= 24 of the 32 zmm accumulators; 12 x 1 and 12 x 2 for narrow C), op(B) rows streamed.
// The AVX2 twin's scheme (sup_rows_avx2.cpp) on vectors twice as wide, with twice the
// accumulators, and mask registers for the last partial vector of a row (no overlapping stores).
// Contract: sup_kernel.hpp; portable twin: sup_rows_scalar.cpp. Built with the AVX-512 flags in
// x86-64 builds only. ODR: no inline functions or templates from shared headers here (see
// kernel_avx2_6x16.cpp); the block table below is built from this file's own templates.
#include <immintrin.h>

#include <cstddef>
#include <utility>

#include "gemm/sup/sup_avx512_lanes.hpp"
#include "gemm/sup/sup_kernel.hpp"
#include "gemm/sup/sup_tiles.hpp"

namespace fastmlp {

namespace {

// One block: R rows of C from i0, V vectors of 16 columns from j0; `tail` masks the valid
// columns of the last vector. Registers: R*V accumulators (<= 24) + V for the B row; the A value
// is a broadcast memory operand of each FMA. Per p: V loads of op(B) row p feed R*V FMAs.
template <int R, int V>
inline __attribute__((always_inline)) void block(const SupProblem& d, std::size_t i0, std::size_t j0,
                                                 __mmask16 tail) {
  // Every loop over R or V is unrolled (pragma) so acc[][] stays in registers. With few
  // accumulators (dW = X^T dZ of a narrow layer: 1-2 rows, k = batch) the FMA latency (4 cycles,
  // 2 pipes) would serialize the k loop, so U copies of them take alternate p and are added at
  // the end.
  constexpr int U = R * V <= 2 ? 4 : (R * V <= 4 ? 2 : 1);
  __m512 acc[U][R][V];
#pragma GCC unroll 16
  for (int u = 0; u < U; ++u)
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
      for (int v = 0; v < V; ++v) acc[u][r][v] = _mm512_setzero_ps();
  const float* ap = d.a + i0 * d.as_i;
  const float* bp = d.b + j0;
  const std::size_t as_i = d.as_i, as_p = d.as_p, bs_p = d.bs_p;
  const auto step = [&](int u) {
    __m512 bv[V];
#pragma GCC unroll 16
    for (int v = 0; v < V - 1; ++v) bv[v] = _mm512_loadu_ps(bp + 16 * v);
    bv[V - 1] = _mm512_maskz_loadu_ps(tail, bp + 16 * (V - 1));  // never reads past the row
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(ap[r * as_i]);
#pragma GCC unroll 16
      for (int v = 0; v < V; ++v) acc[u][r][v] = _mm512_fmadd_ps(av, bv[v], acc[u][r][v]);
    }
    ap += as_p;
    bp += bs_p;
  };
  std::size_t p = 0;
  for (; p + U <= d.k; p += U) {
#pragma GCC unroll 4
    for (int u = 0; u < U; ++u) step(u);
  }
  for (; p < d.k; ++p) step(0);
#pragma GCC unroll 4
  for (int u = 1; u < U; ++u)
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
      for (int v = 0; v < V; ++v) acc[0][r][v] = _mm512_add_ps(acc[0][r][v], acc[u][r][v]);
  // Epilogue, per element: alpha * acc + bias (one FMA), or alpha * acc + beta * C (beta == 0
  // never reads C). Only the valid lanes of the last vector are read or written.
  const __m512 va = _mm512_set1_ps(d.alpha);
  if (d.bias != nullptr || d.beta == 0.0f) {
    __m512 add[V];
#pragma GCC unroll 16
    for (int v = 0; v < V; ++v) {
      add[v] = d.bias != nullptr ? _mm512_maskz_loadu_ps(v < V - 1 ? __mmask16{0xFFFF} : tail, d.bias + j0 + 16 * v)
                                 : _mm512_setzero_ps();
    }
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      float* c = d.c + (i0 + r) * d.n + j0;
#pragma GCC unroll 16
      for (int v = 0; v < V - 1; ++v) _mm512_storeu_ps(c + 16 * v, _mm512_fmadd_ps(va, acc[0][r][v], add[v]));
      _mm512_mask_storeu_ps(c + 16 * (V - 1), tail, _mm512_fmadd_ps(va, acc[0][r][V - 1], add[V - 1]));
    }
    return;
  }
  const __m512 vbeta = _mm512_set1_ps(d.beta);
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    float* c = d.c + (i0 + r) * d.n + j0;
#pragma GCC unroll 16
    for (int v = 0; v < V; ++v) {
      const __mmask16 mv = v < V - 1 ? __mmask16{0xFFFF} : tail;
      const __m512 x = _mm512_mul_ps(va, acc[0][r][v]);
      _mm512_mask_storeu_ps(c + 16 * v, mv, _mm512_fmadd_ps(vbeta, _mm512_maskz_loadu_ps(mv, c + 16 * v), x));
    }
  }
}

// Blocks of R rows from i0 while whole blocks fit below i1: one call per column block, so the
// per-call setup is paid once, not per block of rows.
template <int R, int V>
void blocks(const SupProblem& dref, std::size_t i0, std::size_t i1, std::size_t j0, __mmask16 tail) {
  const SupProblem d = dref;  // a local copy: stores to C cannot alias it, so fields stay in registers
  for (; i0 + R <= i1; i0 += R) block<R, V>(d, i0, j0, tail);
}

using BlockFn = void (*)(const SupProblem&, std::size_t, std::size_t, std::size_t, __mmask16);

// Accumulators a block may hold: 24 of the 32 zmm, leaving V for the B row and spare registers
// (a wider budget would leave no room for V = 8's B row).
constexpr std::size_t kMaxAcc = 24;
// Rows per block for a block of V vectors: as many as kMaxAcc allows, at most 12 (one and two
// vectors: 12 rows are 12-24 independent FMA chains, past the 8 that hide the latency).
constexpr std::size_t rows_for(std::size_t v) { return kMaxAcc / v < 12 ? kMaxAcc / v : 12; }

// The instantiated (R, V) pairs: R <= rows_for(V), V <= 8; kBlocks.fn[V - 1][R - 1] (null
// outside), generated from the rule instead of listed.
constexpr std::size_t kMaxV = 8, kMaxR = 12;

template <std::size_t R, std::size_t V>
constexpr BlockFn block_fn() {
  if constexpr (R <= rows_for(V)) {
    return &blocks<static_cast<int>(R), static_cast<int>(V)>;
  } else {
    return nullptr;
  }
}

struct BlockTable {
  BlockFn fn[kMaxV][kMaxR];
};

template <std::size_t V, std::size_t... R>
constexpr void fill_column(BlockTable& t, std::index_sequence<R...>) {
  ((t.fn[V - 1][R] = block_fn<R + 1, V>()), ...);
}

template <std::size_t... V>
constexpr BlockTable make_block_table(std::index_sequence<V...>) {
  BlockTable t{};
  (fill_column<V + 1>(t, std::make_index_sequence<kMaxR>()), ...);
  return t;
}

constexpr BlockTable kBlocks = make_block_table(std::make_index_sequence<kMaxV>());

BlockFn pick(std::size_t r, std::size_t v) { return kBlocks.fn[v - 1][r - 1]; }

// Vectors per column block. Up to 4 vectors (64 columns) with enough rows: all columns in one
// block (op(B) streamed once per block of rows). Otherwise as wide as the accumulators allow for
// min(m, 8) rows: m = 1..3 -> 8 vectors (128 columns: a skinny predict), m >= 8 -> 3 (8 x 3).
std::size_t vectors_per_block(std::size_t m, std::size_t vectors) {
  if (vectors <= 4 && m >= rows_for(vectors)) return vectors;
  const std::size_t rows = m < 8 ? m : 8;
  const std::size_t v = kMaxAcc / rows;
  return v < kMaxV ? v : kMaxV;
}

// Part `part` of `parts` of the tiles of C (gemm/sup/sup_tiles.hpp), each exactly as the whole
// run would.
void run(const SupProblem& d, std::size_t part, std::size_t parts) {
  const std::size_t vectors = (d.n + 15) / 16;
  const std::size_t v_max = vectors_per_block(d.m, vectors);
  for_each_tile_run(
      d.m, vectors, v_max, part, parts, [](std::size_t v) { return rows_for(v); },
      [&](std::size_t v0, std::size_t v, std::size_t r, std::size_t i0, std::size_t i1) {
        const std::size_t j0 = v0 * 16;
        const std::size_t left = d.n - j0 - (v - 1) * 16;  // columns in the block's last vector
        pick(r, v)(d, i0, i1, j0, lane_mask16(left < 16 ? left : 16));
      });
}

}  // namespace

void sup_rows_avx512(const SupProblem& problem) { run(problem, 0, 1); }

void sup_rows_avx512_part(const SupProblem& problem, std::size_t part, std::size_t parts) {
  run(problem, part, parts);
}

}  // namespace fastmlp
