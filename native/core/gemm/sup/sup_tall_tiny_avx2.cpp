// sup variant "tall tiny", AVX2/FMA: m a multiple of 8 rows, n <= 4 columns, k <= 4, op(A) = A
// (the seeds' Z = X W, dX = dZ W^T). Contract: sup_kernel.hpp; portable twin: sup_rows_scalar.cpp.
// Built with -mavx2 -mfma in x86-64 builds only. ODR: see kernel_avx2_6x16.cpp.
#include <immintrin.h>

#include <cstddef>
#include <utility>

#include "gemm/sup/sup_avx2_lanes.hpp"
#include "gemm/sup/sup_kernel.hpp"

namespace fastmlp {

namespace {

// --- tall and tiny: m >= 8 rows, n <= 4 columns, k <= 4 (the seeds' Z = X W, dX = dZ W^T) ----
// The rows variant (block<8, 1>) would compute 8 lanes per row of C to keep n of them. Here 8 rows at a time are
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

// Rows [0, m - m % 8) of C (the driver passes m a multiple of 8 and runs the rest itself). d.a is A (m x K, not transposed), op(B)
// rows are d.b + p * d.bs_p (N floats each).
template <int N, int K>
void tall(const SupProblem& d) {
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

using TallFn = void (*)(const SupProblem&);

// tall<N, K> for N, K in 1..4: kTall.fn[N - 1][K - 1], generated.
struct TallFnTable {
  TallFn fn[4][4];
};

template <std::size_t N, std::size_t... K>
constexpr void fill_tall_row(TallFnTable& t, std::index_sequence<K...>) {
  ((t.fn[N - 1][K] = &tall<static_cast<int>(N), static_cast<int>(K) + 1>), ...);
}

template <std::size_t... N>
constexpr TallFnTable make_tall_fn_table(std::index_sequence<N...>) {
  TallFnTable t{};
  (fill_tall_row<N + 1>(t, std::make_index_sequence<4>()), ...);
  return t;
}

constexpr TallFnTable kTall = make_tall_fn_table(std::make_index_sequence<4>());

}  // namespace

void sup_tall_tiny_avx2(const SupProblem& problem) { kTall.fn[problem.n - 1][problem.k - 1](problem); }

}  // namespace fastmlp
