// The AVX2/FMA direct sgemm: no packing, for tiny products (the seeds' 2-3-1 layers) and skinny
// ones (m <= a few rows: one-row predict). Built with -mavx2 -mfma in x86-64 builds only, called
// only through the kernel table (cpu/dispatch.hpp); its plain twin is sgemm_direct in gemm.cpp
// (same contract, gemm_internal.hpp).
// ODR: no inline functions or templates from shared headers here (see kernel_avx2_6x16.cpp).
#include <immintrin.h>

#include "gemm/gemm_internal.hpp"

namespace fastmlp {

namespace {

// C(i, j) = c[i * ldc + j] = alpha * sum_p a[i*as_i + p*as_p] * b[p*bs_p + j] + (bias[j] or beta C):
// rows of op(B) are contiguous in j (op(B) itself, or a packed copy of it).
struct Direct {
  std::size_t m, n, k;
  const float* a;
  std::size_t as_i, as_p;
  const float* b;
  std::size_t bs_p;
  float alpha, beta;
  const float* bias;
  float* c;
  // Stores of a row's last vector may run past the row (8 lanes) into the next row, which a
  // later store overwrites: set when C is one column block written in row order and never read
  // (beta == 0 or bias), so only the last rows of C need a masked store.
  bool overlap;
};

// Lanes [0, count) set, for the partial last vector of a row (count in 1..8).
__m256i lane_mask(std::size_t count) {
  alignas(32) static const int kOnes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kOnes + 8 - count));
}

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

// The instantiated (R, V) pairs: R * V <= 12, plus 8 x 1 for narrow C.
BlockFn pick(std::size_t r, std::size_t v) {
  switch (v * 16 + r) {
#define FASTMLP_BLOCK(R, V) \
  case V * 16 + R: return &blocks<R, V>;
    FASTMLP_BLOCK(1, 1) FASTMLP_BLOCK(2, 1) FASTMLP_BLOCK(3, 1) FASTMLP_BLOCK(4, 1)
    FASTMLP_BLOCK(5, 1) FASTMLP_BLOCK(6, 1) FASTMLP_BLOCK(7, 1) FASTMLP_BLOCK(8, 1)
    FASTMLP_BLOCK(1, 2) FASTMLP_BLOCK(2, 2) FASTMLP_BLOCK(3, 2) FASTMLP_BLOCK(4, 2)
    FASTMLP_BLOCK(5, 2) FASTMLP_BLOCK(6, 2)
    FASTMLP_BLOCK(1, 3) FASTMLP_BLOCK(2, 3) FASTMLP_BLOCK(3, 3) FASTMLP_BLOCK(4, 3)
    FASTMLP_BLOCK(1, 4) FASTMLP_BLOCK(2, 4) FASTMLP_BLOCK(3, 4)
    FASTMLP_BLOCK(1, 5) FASTMLP_BLOCK(2, 5) FASTMLP_BLOCK(1, 6) FASTMLP_BLOCK(2, 6)
    FASTMLP_BLOCK(1, 7) FASTMLP_BLOCK(1, 8)
#undef FASTMLP_BLOCK
    default: return nullptr;
  }
}

// Rows per block for a block of V vectors: as many as 12 accumulators allow (8 for one vector).
std::size_t rows_for(std::size_t v) { return v == 1 ? 8 : 12 / v; }

void run(const Direct& d) {
  const std::size_t vectors = (d.n + 7) / 8;
  Direct dd = d;
  // Column blocks: V vectors, as wide as the row count allows (m = 1: 8 vectors = 64 columns).
  std::size_t v_max = 12 / (d.m < 6 ? d.m : 6);
  if (v_max > 8) v_max = 8;
  if (d.m >= 6 && vectors <= 2) v_max = vectors;  // tall and narrow: all columns in one block
  for (std::size_t v0 = 0; v0 < vectors; v0 += v_max) {
    const std::size_t v = vectors - v0 < v_max ? vectors - v0 : v_max;
    const std::size_t j0 = v0 * 8;
    const std::size_t left = d.n - j0 - (v - 1) * 8;  // columns in the block's last vector
    const std::size_t tail = left < 8 ? left : 8;
    const std::size_t r_max = rows_for(v);
    const BlockFn full = pick(r_max, v);
    dd.overlap = v0 == 0 && v == vectors && (d.bias != nullptr || d.beta == 0.0f);
    const std::size_t whole = d.m - d.m % r_max;
    if (whole > 0) full(dd, 0, whole, j0, tail);
    if (whole < d.m) pick(d.m - whole, v)(dd, whole, d.m, j0, tail);
  }
}

// --- one row of C (m == 1, e.g. a one-row predict) -------------------------------------------
// The column blocks of run() would stream op(B) once per 64 columns, each pass reading part of
// every row (strided). Here k goes in chunks of kRowChunk rows and every column block of the
// chunk runs before the next chunk, so op(B) streams in address order (L2 -> L1 bandwidth is the
// limit for a 784 x 128 W); partial sums wait in a stack buffer. Per column the order of the
// sum over p is the same as one accumulator over all k (and the epilogue is run()'s
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

RowBlockFn pick_row(std::size_t v, bool masked) {
  switch (v * 2 + (masked ? 1 : 0)) {
#define FASTMLP_ROW(V) \
  case V * 2: return &row_block_fn<V, false>; \
  case V * 2 + 1: return &row_block_fn<V, true>;
    FASTMLP_ROW(1) FASTMLP_ROW(2) FASTMLP_ROW(3) FASTMLP_ROW(4)
    FASTMLP_ROW(5) FASTMLP_ROW(6) FASTMLP_ROW(7) FASTMLP_ROW(8)
#undef FASTMLP_ROW
    default: return nullptr;
  }
}

void run_row(const Direct& d) {
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

// --- tall and tiny: m >= 8 rows, n <= 4 columns, k <= 4 (the seeds' Z = X W, dX = dZ W^T) ----
// block<8, 1> would compute 8 lanes per row of C to keep n of them. Here 8 rows at a time are
// taken in their natural layout: A's 8 rows are 8K contiguous floats (K vectors) and C's are 8N
// (N vectors). Lane l of C vector v is C(r, j) with t = 8v + l, r = t / N, j = t % N; its
// op(A)(r, p) is A float r K + p of the block, moved into lane l by a permute of the source
// vector holding it (blended when the lane's sources differ), and op(B)(p, j) is a per-call
// pattern vector. Per element the sum over p is block<8, 1>'s: one FMA chain from zero, p
// ascending, then alpha * acc + bias (or + beta C).
template <int N, int K>
struct TallTable {
  alignas(32) int idx[N][K][8];   // lane's index in its source vector
  alignas(32) int sel[N][K][K][8];  // -1 where the lane's source vector is s
  bool need[N][K][K];             // some lane of (v, p) reads source vector s
  alignas(32) int bidx[N][8];     // j = t % N of each lane
};

template <int N, int K>
constexpr TallTable<N, K> make_tall_table() {
  TallTable<N, K> t{};
  for (int v = 0; v < N; ++v) {
    for (int l = 0; l < 8; ++l) t.bidx[v][l] = (8 * v + l) % N;
    for (int p = 0; p < K; ++p) {
      for (int s = 0; s < K; ++s) t.need[v][p][s] = false;
      for (int l = 0; l < 8; ++l) {
        const int off = ((8 * v + l) / N) * K + p;
        t.idx[v][p][l] = off & 7;
        for (int s = 0; s < K; ++s) t.sel[v][p][s][l] = (off >> 3) == s ? -1 : 0;
        t.need[v][p][off >> 3] = true;
      }
    }
  }
  return t;
}

template <int N, int K>
struct TallTableHolder {
  static constexpr TallTable<N, K> value = make_tall_table<N, K>();
};
template <int N, int K>
constexpr TallTable<N, K> TallTableHolder<N, K>::value;

// Rows [0, m - m % 8) of C; the caller runs the rest. d.a is A (m x K, not transposed), op(B)
// rows are d.b + p * d.bs_p (N floats each).
template <int N, int K>
void tall(const Direct& d) {
  const TallTable<N, K>& tt = TallTableHolder<N, K>::value;
  const __m256i nmask = lane_mask(N);
  __m256 bpat[N][K];
  __m256 add[N];
#pragma GCC unroll 4
  for (int p = 0; p < K; ++p) {
    const __m256 brow = _mm256_maskload_ps(d.b + p * d.bs_p, nmask);
#pragma GCC unroll 4
    for (int v = 0; v < N; ++v) {
      bpat[v][p] = _mm256_permutevar8x32_ps(brow, _mm256_load_si256(reinterpret_cast<const __m256i*>(tt.bidx[v])));
    }
  }
  const __m256 bias_row = d.bias != nullptr ? _mm256_maskload_ps(d.bias, nmask) : _mm256_setzero_ps();
#pragma GCC unroll 4
  for (int v = 0; v < N; ++v) {
    add[v] = _mm256_permutevar8x32_ps(bias_row, _mm256_load_si256(reinterpret_cast<const __m256i*>(tt.bidx[v])));
  }
  const __m256 va = _mm256_set1_ps(d.alpha);
  const __m256 vbeta = _mm256_set1_ps(d.beta);
  const bool read_c = d.bias == nullptr && d.beta != 0.0f;
  const std::size_t blocks8 = d.m / 8;
  const float* a = d.a;
  float* c = d.c;
  for (std::size_t blk = 0; blk < blocks8; ++blk, a += 8 * K, c += 8 * N) {
    __m256 av[K];
#pragma GCC unroll 4
    for (int s = 0; s < K; ++s) av[s] = _mm256_loadu_ps(a + 8 * s);
#pragma GCC unroll 4
    for (int v = 0; v < N; ++v) {
      __m256 acc = _mm256_setzero_ps();
#pragma GCC unroll 4
      for (int p = 0; p < K; ++p) {
        const __m256i idx = _mm256_load_si256(reinterpret_cast<const __m256i*>(tt.idx[v][p]));
        __m256 x = _mm256_setzero_ps();
        bool first = true;
#pragma GCC unroll 4
        for (int s = 0; s < K; ++s) {
          if (!tt.need[v][p][s]) continue;
          const __m256 y = _mm256_permutevar8x32_ps(av[s], idx);
          if (first) {
            x = y;
            first = false;
          } else {
            x = _mm256_blendv_ps(x, y,
                                 _mm256_castsi256_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(tt.sel[v][p][s]))));
          }
        }
        acc = _mm256_fmadd_ps(x, bpat[v][p], acc);
      }
      __m256 out;
      if (read_c) {
        out = _mm256_fmadd_ps(vbeta, _mm256_loadu_ps(c + 8 * v), _mm256_mul_ps(va, acc));
      } else {
        out = _mm256_fmadd_ps(va, acc, add[v]);
      }
      _mm256_storeu_ps(c + 8 * v, out);
    }
  }
}

using TallFn = void (*)(const Direct&);

TallFn pick_tall(std::size_t n, std::size_t k) {
  switch (n * 8 + k) {
#define FASTMLP_TALL(N, K) \
  case N * 8 + K: return &tall<N, K>;
    FASTMLP_TALL(1, 1) FASTMLP_TALL(1, 2) FASTMLP_TALL(1, 3) FASTMLP_TALL(1, 4)
    FASTMLP_TALL(2, 1) FASTMLP_TALL(2, 2) FASTMLP_TALL(2, 3) FASTMLP_TALL(2, 4)
    FASTMLP_TALL(3, 1) FASTMLP_TALL(3, 2) FASTMLP_TALL(3, 3) FASTMLP_TALL(3, 4)
    FASTMLP_TALL(4, 1) FASTMLP_TALL(4, 2) FASTMLP_TALL(4, 3) FASTMLP_TALL(4, 4)
#undef FASTMLP_TALL
    default: return nullptr;
  }
}

}  // namespace

void sgemm_direct_avx2(bool transA, bool transB, std::size_t m, std::size_t n, std::size_t k, float alpha,
                       const float* A, const float* B, float beta, const float* bias, float* C,
                       AlignedFloats& scratch_buffer) {
  Direct d{m, n, k, A, transA ? 1 : k, transA ? m : 1, B, n, alpha, beta, bias, C, false};
  if (n == 1 && transA && bias == nullptr) {
    // C (m x 1) is also C^T (1 x m) = b^T op(A)^T, whose "B" rows (A rows, m floats) are
    // contiguous: one row of C^T, vectorized along m, instead of m one-lane rows.
    run(Direct{1, m, k, B, 0, 1, A, m, alpha, beta, nullptr, C, false});
    return;
  }
  if (transB && n > 1) {
    // op(B)(p, j) = B[j * k + p]: copy op(B) (k x n) row by row so its rows are contiguous.
    float* scratch = scratch_buffer.ensure(k * n);
    for (std::size_t p = 0; p < k; ++p)
      for (std::size_t j = 0; j < n; ++j) scratch[p * n + j] = B[j * k + p];
    d.b = scratch;
  }
  // n == 1: op(B) is the vector B either way (stride 1 between its "rows").
  if (n == 1) d.bs_p = 1;
  // One row wider than one column block (64 columns): stream op(B) in order (run_row).
  if (m == 1 && n > 64) {
    run_row(d);
    return;
  }
  // Tall and tiny, op(A) = A: 8 rows per step in their natural layout (tall<N, K>), the last
  // m % 8 rows by run().
  if (!transA && m >= 8 && n <= 4 && k <= 4) {
    pick_tall(n, k)(d);
    const std::size_t whole = m - m % 8;
    if (whole < m) {
      Direct rest = d;
      rest.m = m - whole;
      rest.a = A + whole * k;
      rest.c = C + whole * n;
      run(rest);
    }
    return;
  }
  run(d);
}

}  // namespace fastmlp
