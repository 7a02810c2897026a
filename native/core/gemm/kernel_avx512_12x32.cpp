// The AVX-512 12x32 sgemm micro-kernel: built with the AVX-512 F/VL/BW/DQ flags only in x86-64
// builds whose compiler has them (FASTMLP_HAVE_AVX512), and called only through the avx512
// kernel table (cpu/dispatch.hpp) when CPUID and XCR0 allow it. Contract and packed layout:
// kernel.hpp, with MR = 12 and NR = 32 (gemm_blocking::kPanels12x32).
// Why 12 x 32 (the shape of BLIS's skx sgemm kernel, 32 x 12 with C column-major, turned to our
// row-major C): 24 zmm accumulators (12 rows x 2 vectors of 16 floats) are 3x the 8 independent
// FMA chains that 2 FMA pipes x 4 cycles of latency need; per k step 2 B loads and 12 A
// broadcasts feed 24 FMAs (0.58 loads per FMA, against 1.17 for 6 x 16), and 24 + 2 (B row) +
// 4 (broadcast A values, rotating) = 30 of the 32 zmm registers. 6 x 64 has the same count but
// an NR = 64 B micro-panel twice as large in L1 and pads n = 10 or 100 to 64 columns; 14 x 32
// leaves no register to rotate the broadcasts and pads m = 1024 to 1036.
// ODR note: as in kernel_avx2_6x16.cpp, nothing here instantiates inline functions or templates
// from shared headers; everything is intrinsics, asm or file-local.
#include <immintrin.h>

#include <cstddef>

#include "gemm/kernel.hpp"

namespace fastmlp {

namespace {

constexpr std::size_t kMR = 12;
constexpr std::size_t kNR = 32;

// C row segment (16 floats, those in `mask`) = alpha * acc + beta * C. beta == 0 must not read C;
// masked-off lanes are neither read nor written (a masked load does not fault past the row).
inline void store_row16(float* c, __mmask16 mask, __m512 acc, __m512 alpha, float beta) {
  if (beta == 0.0f) {
    _mm512_mask_storeu_ps(c, mask, _mm512_mul_ps(alpha, acc));
  } else if (beta == 1.0f) {
    _mm512_mask_storeu_ps(c, mask, _mm512_fmadd_ps(alpha, acc, _mm512_maskz_loadu_ps(mask, c)));
  } else {
    const __m512 scaled = _mm512_mul_ps(_mm512_set1_ps(beta), _mm512_maskz_loadu_ps(mask, c));
    _mm512_mask_storeu_ps(c, mask, _mm512_fmadd_ps(alpha, acc, scaled));
  }
}

// The column masks of an edge tile: lanes of the two 16-float vectors of a row that lie in C.
inline __mmask16 lanes(std::size_t n_valid, std::size_t first) {
  if (n_valid <= first) return 0;
  return n_valid - first >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (n_valid - first)) - 1u);
}

// A tile of at most R (4 or 8) valid rows, such as the last tile of m = 256, 784 or 1024 (4 rows
// past a multiple of 12): the 12-row loop would spend 12 rows of FMAs on it, this one R. Each
// element of C gets the same arithmetic as in the 12-row loop (one FMA a * b + acc per k step, in
// k order, from zero; then the same store), so the result bits do not depend on which loop ran.
// R = 4: 8 accumulators, the 8 FMA chains that 2 pipes x 4 cycles of latency need.
template <std::size_t R>
void short_tile(std::size_t k, const float* a, const float* b, float alpha, float beta, const MicroTile& tile) {
  __m512 lo[R], hi[R];
#pragma GCC unroll 8
  for (std::size_t i = 0; i < R; ++i) lo[i] = _mm512_setzero_ps(), hi[i] = _mm512_setzero_ps();
  for (std::size_t p = 0; p < k; ++p, a += kMR, b += kNR) {
    const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 8
    for (std::size_t i = 0; i < R; ++i) {
      const __m512 av = _mm512_set1_ps(a[i]);
      lo[i] = _mm512_fmadd_ps(av, b0, lo[i]);
      hi[i] = _mm512_fmadd_ps(av, b1, hi[i]);
    }
  }
  const __m512 va = _mm512_set1_ps(alpha);
  const __mmask16 m0 = lanes(tile.n_valid, 0), m1 = lanes(tile.n_valid, 16);
  float* c = tile.c;
#pragma GCC unroll 8
  for (std::size_t i = 0; i < R; ++i, c += tile.ldc) {
    if (i >= tile.m_valid) break;
    store_row16(c, m0, lo[i], va, beta);
    if (m1 != 0) store_row16(c + 16, m1, hi[i], va, beta);
  }
}

}  // namespace

// Registers in the asm below: zmm(2i) and zmm(2i+1) accumulate row i of the tile (columns 0-15
// and 16-31), zmm0-23; zmm30/zmm31 hold the current packed B row; zmm26-29 rotate as the
// broadcast A value. (All in asm: 24 accumulators as in/out operands would pass GCC's limit of
// 30 asm operands.)
// One k step at A offset q * 12 floats and B offset q * 32 floats.
#define FASTMLP_ROW(q, i, r)                                                 \
  "vbroadcastss (" #q "*12+" #i ")*4(%[a]), %%zmm" #r "\n\t"                 \
  "vfmadd231ps %%zmm30, %%zmm" #r ", %%zmm" FASTMLP_ACC0_##i "\n\t"         \
  "vfmadd231ps %%zmm31, %%zmm" #r ", %%zmm" FASTMLP_ACC1_##i "\n\t"
#define FASTMLP_ACC0_0 "0"
#define FASTMLP_ACC1_0 "1"
#define FASTMLP_ACC0_1 "2"
#define FASTMLP_ACC1_1 "3"
#define FASTMLP_ACC0_2 "4"
#define FASTMLP_ACC1_2 "5"
#define FASTMLP_ACC0_3 "6"
#define FASTMLP_ACC1_3 "7"
#define FASTMLP_ACC0_4 "8"
#define FASTMLP_ACC1_4 "9"
#define FASTMLP_ACC0_5 "10"
#define FASTMLP_ACC1_5 "11"
#define FASTMLP_ACC0_6 "12"
#define FASTMLP_ACC1_6 "13"
#define FASTMLP_ACC0_7 "14"
#define FASTMLP_ACC1_7 "15"
#define FASTMLP_ACC0_8 "16"
#define FASTMLP_ACC1_8 "17"
#define FASTMLP_ACC0_9 "18"
#define FASTMLP_ACC1_9 "19"
#define FASTMLP_ACC0_10 "20"
#define FASTMLP_ACC1_10 "21"
#define FASTMLP_ACC0_11 "22"
#define FASTMLP_ACC1_11 "23"
#define FASTMLP_STEP(q)                                              \
  "vmovups " #q "*128(%[b]), %%zmm30\n\t"                            \
  "vmovups " #q "*128+64(%[b]), %%zmm31\n\t"                         \
  FASTMLP_ROW(q, 0, 26) FASTMLP_ROW(q, 1, 27) FASTMLP_ROW(q, 2, 28)  \
  FASTMLP_ROW(q, 3, 29) FASTMLP_ROW(q, 4, 26) FASTMLP_ROW(q, 5, 27)  \
  FASTMLP_ROW(q, 6, 28) FASTMLP_ROW(q, 7, 29) FASTMLP_ROW(q, 8, 26)  \
  FASTMLP_ROW(q, 9, 27) FASTMLP_ROW(q, 10, 28) FASTMLP_ROW(q, 11, 29)
#define FASTMLP_ZERO(r) "vpxord %%zmm" r ", %%zmm" r ", %%zmm" r "\n\t"
#define FASTMLP_SAVE(r, off) "vmovaps %%zmm" r ", " off "*64(%[acc])\n\t"

void kernel_avx512_12x32(std::size_t k, const float* a, const float* b, float alpha, float beta,
                         const MicroTile& tile, const float* a_next, const float* b_next) {
  if (tile.m_valid <= 4) return short_tile<4>(k, a, b, alpha, beta, tile);
  if (tile.m_valid <= 8) return short_tile<8>(k, a, b, alpha, beta, tile);
  const std::size_t ldc = tile.ldc;
  // Warm the C tile early: its rows are far apart (ldc) and written once at the end.
  for (std::size_t i = 0; i < tile.m_valid; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(tile.c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(tile.c + i * ldc + 31), _MM_HINT_T0);
  }

  // The k loop, unrolled by 4, then the k % 4 tail one step at a time; the 24 sums end in acc
  // (row i at acc[32 i .. 32 i + 31]). Per unrolled iteration A advances 4 x 12 floats (3 cache
  // lines, prefetched 8 k steps ahead: A streams from L2) and B 4 x 32 floats (the B
  // micro-panel is reused by every A micro-panel of the block: L1).
  alignas(64) float acc[kMR * kNR];
  std::size_t k4 = k / 4, k1 = k % 4;  // counted down to 0 by the asm loops
  __asm__ volatile(
      FASTMLP_ZERO("0") FASTMLP_ZERO("1") FASTMLP_ZERO("2") FASTMLP_ZERO("3") FASTMLP_ZERO("4")
      FASTMLP_ZERO("5") FASTMLP_ZERO("6") FASTMLP_ZERO("7") FASTMLP_ZERO("8") FASTMLP_ZERO("9")
      FASTMLP_ZERO("10") FASTMLP_ZERO("11") FASTMLP_ZERO("12") FASTMLP_ZERO("13") FASTMLP_ZERO("14")
      FASTMLP_ZERO("15") FASTMLP_ZERO("16") FASTMLP_ZERO("17") FASTMLP_ZERO("18") FASTMLP_ZERO("19")
      FASTMLP_ZERO("20") FASTMLP_ZERO("21") FASTMLP_ZERO("22") FASTMLP_ZERO("23")
      "testq %[k4], %[k4]\n\t"
      "jz 2f\n\t"
      "1:\n\t"
      "prefetcht0 384(%[a])\n\t"
      "prefetcht0 448(%[a])\n\t"
      "prefetcht0 512(%[a])\n\t"
      FASTMLP_STEP(0) FASTMLP_STEP(1) FASTMLP_STEP(2) FASTMLP_STEP(3)
      "addq $192, %[a]\n\t"
      "addq $512, %[b]\n\t"
      "decq %[k4]\n\t"
      "jnz 1b\n\t"
      "2:\n\t"
      "testq %[k1], %[k1]\n\t"
      "jz 4f\n\t"
      "3:\n\t"
      FASTMLP_STEP(0)
      "addq $48, %[a]\n\t"
      "addq $128, %[b]\n\t"
      "decq %[k1]\n\t"
      "jnz 3b\n\t"
      "4:\n\t"
      FASTMLP_SAVE("0", "0") FASTMLP_SAVE("1", "1") FASTMLP_SAVE("2", "2") FASTMLP_SAVE("3", "3")
      FASTMLP_SAVE("4", "4") FASTMLP_SAVE("5", "5") FASTMLP_SAVE("6", "6") FASTMLP_SAVE("7", "7")
      FASTMLP_SAVE("8", "8") FASTMLP_SAVE("9", "9") FASTMLP_SAVE("10", "10") FASTMLP_SAVE("11", "11")
      FASTMLP_SAVE("12", "12") FASTMLP_SAVE("13", "13") FASTMLP_SAVE("14", "14") FASTMLP_SAVE("15", "15")
      FASTMLP_SAVE("16", "16") FASTMLP_SAVE("17", "17") FASTMLP_SAVE("18", "18") FASTMLP_SAVE("19", "19")
      FASTMLP_SAVE("20", "20") FASTMLP_SAVE("21", "21") FASTMLP_SAVE("22", "22") FASTMLP_SAVE("23", "23")
      : [a] "+r"(a), [b] "+r"(b), [k4] "+r"(k4), [k1] "+r"(k1)
      : [acc] "r"(acc)
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
        "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22",
        "xmm23", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31", "memory", "cc");
#undef FASTMLP_SAVE
#undef FASTMLP_ZERO
#undef FASTMLP_STEP
#undef FASTMLP_ROW
  _mm_prefetch(reinterpret_cast<const char*>(a_next), _MM_HINT_T0);
  _mm_prefetch(reinterpret_cast<const char*>(b_next), _MM_HINT_T0);

  // Store: full rows use all 16 lanes of both vectors; an edge tile masks the columns past
  // n_valid (masked-off lanes of C are neither read nor written) and stops after m_valid rows.
  const __m512 va = _mm512_set1_ps(alpha);
  const std::size_t nv = tile.n_valid;
  const __mmask16 m0 = lanes(nv, 0), m1 = lanes(nv, 16);
  float* c = tile.c;
  for (std::size_t i = 0; i < tile.m_valid; ++i, c += ldc) {
    store_row16(c, m0, _mm512_load_ps(acc + i * kNR), va, beta);
    if (m1 != 0) store_row16(c + 16, m1, _mm512_load_ps(acc + i * kNR + 16), va, beta);
  }
}

}  // namespace fastmlp
