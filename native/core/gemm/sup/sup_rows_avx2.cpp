// sup variant "rows", AVX2/FMA: any block of C, R rows x V vectors of 8 columns in registers
// (R * V <= 12 accumulators, 8 x 1 for narrow C), op(B) rows streamed. Contract: sup_kernel.hpp;
// portable twin: sup_rows_scalar.cpp. Built with -mavx2 -mfma in x86-64 builds only.
// ODR: no inline functions or templates from shared headers here (see kernel_avx2_6x16.cpp);
// the kernel tables below are built from this file's own templates.
#include <immintrin.h>

#include <cstddef>
#include <utility>

#include "gemm/sup/sup_avx2_lanes.hpp"
#include "gemm/sup/sup_kernel.hpp"
#include "gemm/sup/sup_tiles.hpp"

namespace fastmlp {

namespace {

// The problem plus one fact about its column block:
// stores of a row's last vector may run past the row (8 lanes) into the next row, which a
// later store overwrites: set when C is one column block written in row order and never read
// (beta == 0 or bias), so only the last rows of C need a masked store.
struct Direct : SupProblem {
  bool overlap;
};

// One block: R rows of C from i0, V vectors of 8 columns from j0; the last vector holds
// `tail` (1..8) valid columns. Registers: R*V accumulators (<= 12) + V for the B row + 1 for the
// broadcast A value. Per p: V loads of op(B) row p feed R*V FMAs.
template <int R, int V>
inline __attribute__((always_inline)) void block(const Direct& d, std::size_t i0, std::size_t j0,
                                                 std::size_t tail) {
  // Every loop over R or V is unrolled (pragma) so acc[][] stays in registers. With few
  // accumulators (the seeds' dW = X^T dZ: 1-2 rows, k = batch) the FMA latency (4 cycles) would
  // serialize the k loop, so U copies of them take alternate p and are added at the end.
  constexpr int U = R * V <= 2 ? 4 : (R * V <= 4 ? 2 : 1);
  __m256 acc[U][R][V];
#pragma GCC unroll 16
  for (int u = 0; u < U; ++u)
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
      for (int v = 0; v < V; ++v) acc[u][r][v] = _mm256_setzero_ps();
  const __m256i mask = lane_mask(tail);
  const float* ap = d.a + i0 * d.as_i;
  const float* bp = d.b + j0;
  const auto step = [&](int u) {
    __m256 bv[V];
#pragma GCC unroll 16
    for (int v = 0; v < V - 1; ++v) bv[v] = _mm256_loadu_ps(bp + 8 * v);
    bv[V - 1] = _mm256_maskload_ps(bp + 8 * (V - 1), mask);  // never reads past the row
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m256 av = _mm256_broadcast_ss(ap + r * d.as_i);
#pragma GCC unroll 16
      for (int v = 0; v < V; ++v) acc[u][r][v] = _mm256_fmadd_ps(av, bv[v], acc[u][r][v]);
    }
    ap += d.as_p;
    bp += d.bs_p;
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
      for (int v = 0; v < V; ++v) acc[0][r][v] = _mm256_add_ps(acc[0][r][v], acc[u][r][v]);
  // Epilogue, per element as in the scalar twin: alpha * acc + bias, or + beta * C (beta == 0
  // never reads C).
  const __m256 va = _mm256_set1_ps(d.alpha);
  const std::size_t c_end = d.m * d.n;
  if (d.overlap && (i0 + R - 1) * d.n + j0 + 8 * V <= c_end) {
    // Fast path: every row of the block stores whole vectors (see Direct::overlap).
    __m256 add[V];
#pragma GCC unroll 16
    for (int v = 0; v < V; ++v) {
      add[v] = d.bias != nullptr ? _mm256_maskload_ps(d.bias + j0 + 8 * v, v < V - 1 ? _mm256_set1_epi32(-1) : mask)
                                 : _mm256_setzero_ps();
    }
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      float* c = d.c + (i0 + r) * d.n + j0;
#pragma GCC unroll 16
      for (int v = 0; v < V; ++v) _mm256_storeu_ps(c + 8 * v, _mm256_fmadd_ps(va, acc[0][r][v], add[v]));
    }
    return;
  }
  const __m256 vbeta = _mm256_set1_ps(d.beta);
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    float* c = d.c + (i0 + r) * d.n + j0;
    const bool spill_ok = d.overlap && (i0 + r) * d.n + j0 + 8 * V <= c_end;
#pragma GCC unroll 16
    for (int v = 0; v < V; ++v) {
      const bool full = v < V - 1 || tail == 8;
      const __m256i mv = full ? _mm256_set1_epi32(-1) : mask;
      __m256 x = _mm256_mul_ps(va, acc[0][r][v]);
      if (d.bias != nullptr) {
        x = _mm256_add_ps(x, _mm256_maskload_ps(d.bias + j0 + 8 * v, mv));
      } else if (d.beta != 0.0f) {
        x = _mm256_fmadd_ps(vbeta, _mm256_maskload_ps(c + 8 * v, mv), x);
      }
      if (full || spill_ok) {
        _mm256_storeu_ps(c + 8 * v, x);
      } else {
        _mm256_maskstore_ps(c + 8 * v, mask, x);
      }
    }
  }
}

// Blocks of R rows from i0 while whole blocks fit below i1: one call per column block, so the
// per-call setup is paid once, not per 8 rows.
template <int R, int V>
void blocks(const Direct& dref, std::size_t i0, std::size_t i1, std::size_t j0, std::size_t tail) {
  const Direct d = dref;  // a local copy: stores to C cannot alias it, so fields stay in registers
  for (; i0 + R <= i1; i0 += R) block<R, V>(d, i0, j0, tail);
}

using BlockFn = void (*)(const Direct&, std::size_t, std::size_t, std::size_t, std::size_t);

// Rows per block for a block of V vectors: as many as 12 accumulators allow (8 for one vector).
constexpr std::size_t rows_for(std::size_t v) { return v == 1 ? 8 : 12 / v; }

// The instantiated (R, V) pairs: R <= rows_for(V), V <= 8; kBlocks.fn[V - 1][R - 1] (null
// outside), generated from the rule instead of listed.
constexpr std::size_t kMaxV = 8, kMaxR = 8;

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

// Part `part` of `parts` of the tiles of C (gemm/sup/sup_tiles.hpp), each exactly as the whole
// run would. One exception: a single column block written with overlapping stores
// (Direct::overlap) whose last vector is partial spills each row's store into the next row, which
// may belong to another part (another thread): part 0 then runs it all and the other parts nothing.
void run(const SupProblem& d, std::size_t part, std::size_t parts) {
  const std::size_t vectors = (d.n + 7) / 8;
  Direct dd{d, false};
  // Column blocks: V vectors, as wide as the row count allows (m = 1: 8 vectors = 64 columns).
  std::size_t v_max = 12 / (d.m < 6 ? d.m : 6);
  if (v_max > 8) v_max = 8;
  if (d.m >= 6 && vectors <= 2) v_max = vectors;  // tall and narrow: all columns in one block
  const bool spills = v_max >= vectors && d.n % 8 != 0 && (d.bias != nullptr || d.beta == 0.0f);
  if (spills && parts > 1) {
    if (part == 0) run(d, 0, 1);
    return;
  }
  for_each_tile_run(
      d.m, vectors, v_max, part, parts, [](std::size_t v) { return rows_for(v); },
      [&](std::size_t v0, std::size_t v, std::size_t r, std::size_t i0, std::size_t i1) {
        const std::size_t j0 = v0 * 8;
        const std::size_t left = d.n - j0 - (v - 1) * 8;  // columns in the block's last vector
        dd.overlap = v0 == 0 && v == vectors && (d.bias != nullptr || d.beta == 0.0f);
        pick(r, v)(dd, i0, i1, j0, left < 8 ? left : 8);
      });
}

}  // namespace

void sup_rows_avx2(const SupProblem& problem) { run(problem, 0, 1); }

void sup_rows_avx2_part(const SupProblem& problem, std::size_t part, std::size_t parts) {
  run(problem, part, parts);
}

}  // namespace fastmlp
