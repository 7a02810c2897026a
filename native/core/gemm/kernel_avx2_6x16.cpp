// The AVX2/FMA 6x16 sgemm micro-kernel: built with -mavx2 -mfma only in x86-64 builds
// (FASTMLP_HAVE_AVX2), and called only through the kernel table (cpu/dispatch.hpp) when the CPU
// and OS support it. Contract and packed layout: kernel.hpp.
// Registers in the k loop: 12 accumulators c00..c51 (row i, columns 0-7 / 8-15 of the tile; the
// compiler picks ymm0-11 for them), ymm12/ymm13 = the current packed B row (16 floats),
// ymm14/ymm15 = the broadcast A value (alternating): all 16 ymm registers.
// ODR note: this file must not instantiate inline functions or templates from shared headers
// (std::min, ...): the linker could keep this AVX2-compiled copy for the whole program and a CPU
// without AVX2 would fault in unrelated code. Everything here is intrinsics or file-local.
#include <immintrin.h>

#include "gemm/kernel.hpp"

namespace fastmlp {

namespace {

// C row segment (8 floats) = alpha * acc + beta * C. beta == 0 must not read C.
void store_row8(float* c, __m256 acc, __m256 alpha, float beta) {
  if (beta == 0.0f) {
    _mm256_storeu_ps(c, _mm256_mul_ps(alpha, acc));
  } else if (beta == 1.0f) {
    _mm256_storeu_ps(c, _mm256_fmadd_ps(alpha, acc, _mm256_loadu_ps(c)));
  } else {
    const __m256 scaled = _mm256_mul_ps(_mm256_set1_ps(beta), _mm256_loadu_ps(c));
    _mm256_storeu_ps(c, _mm256_fmadd_ps(alpha, acc, scaled));
  }
}

}  // namespace

void kernel_avx2_6x16(std::size_t k, const float* a, const float* b, float alpha, float beta,
                      const MicroTile& tile, const float* a_next, const float* b_next) {
  const std::size_t ldc = tile.ldc;
  // Warm the C tile early: its rows are far apart (ldc) and written once at the end.
  for (std::size_t i = 0; i < tile.m_valid; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(tile.c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(tile.c + i * ldc + 15), _MM_HINT_T0);
  }

  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();

  // The k loop, unrolled by 4, in inline asm (AT&T syntax, GCC/Clang): GCC 12's allocation of
  // the same loop in intrinsics spilled an accumulator and added register moves, ~7% slower in
  // an L1-resident kernel benchmark (99-108 vs 106-109 GFLOP/s best-of). ymm12/ymm13 hold the B
  // row, ymm14/ymm15 alternate as the broadcast A value; the 12 accumulators stay put.
  const std::size_t k_tail = k % 4;
  std::size_t k4 = k / 4;  // counted down to 0 by the asm loop
  if (k4 != 0) {
    __asm__ volatile(
        "1:\n\t"
        "prefetcht0 384(%[a])\n\t"
        "vmovups 0(%[b]), %%ymm12\n\t"
        "vmovups 32(%[b]), %%ymm13\n\t"
        "vbroadcastss 0(%[a]), %%ymm14\n\t"
        "vfmadd231ps %%ymm12, %%ymm14, %[c00]\n\t"
        "vfmadd231ps %%ymm13, %%ymm14, %[c01]\n\t"
        "vbroadcastss 4(%[a]), %%ymm15\n\t"
        "vfmadd231ps %%ymm12, %%ymm15, %[c10]\n\t"
        "vfmadd231ps %%ymm13, %%ymm15, %[c11]\n\t"
        "vbroadcastss 8(%[a]), %%ymm14\n\t"
        "vfmadd231ps %%ymm12, %%ymm14, %[c20]\n\t"
        "vfmadd231ps %%ymm13, %%ymm14, %[c21]\n\t"
        "vbroadcastss 12(%[a]), %%ymm15\n\t"
        "vfmadd231ps %%ymm12, %%ymm15, %[c30]\n\t"
        "vfmadd231ps %%ymm13, %%ymm15, %[c31]\n\t"
        "vbroadcastss 16(%[a]), %%ymm14\n\t"
        "vfmadd231ps %%ymm12, %%ymm14, %[c40]\n\t"
        "vfmadd231ps %%ymm13, %%ymm14, %[c41]\n\t"
        "vbroadcastss 20(%[a]), %%ymm15\n\t"
        "vfmadd231ps %%ymm12, %%ymm15, %[c50]\n\t"
        "vfmadd231ps %%ymm13, %%ymm15, %[c51]\n\t"
        "vmovups 64(%[b]), %%ymm12\n\t"
        "vmovups 96(%[b]), %%ymm13\n\t"
        "vbroadcastss 24(%[a]), %%ymm14\n\t"
        "vfmadd231ps %%ymm12, %%ymm14, %[c00]\n\t"
        "vfmadd231ps %%ymm13, %%ymm14, %[c01]\n\t"
        "vbroadcastss 28(%[a]), %%ymm15\n\t"
        "vfmadd231ps %%ymm12, %%ymm15, %[c10]\n\t"
        "vfmadd231ps %%ymm13, %%ymm15, %[c11]\n\t"
        "vbroadcastss 32(%[a]), %%ymm14\n\t"
        "vfmadd231ps %%ymm12, %%ymm14, %[c20]\n\t"
        "vfmadd231ps %%ymm13, %%ymm14, %[c21]\n\t"
        "vbroadcastss 36(%[a]), %%ymm15\n\t"
        "vfmadd231ps %%ymm12, %%ymm15, %[c30]\n\t"
        "vfmadd231ps %%ymm13, %%ymm15, %[c31]\n\t"
        "vbroadcastss 40(%[a]), %%ymm14\n\t"
        "vfmadd231ps %%ymm12, %%ymm14, %[c40]\n\t"
        "vfmadd231ps %%ymm13, %%ymm14, %[c41]\n\t"
        "vbroadcastss 44(%[a]), %%ymm15\n\t"
        "vfmadd231ps %%ymm12, %%ymm15, %[c50]\n\t"
        "vfmadd231ps %%ymm13, %%ymm15, %[c51]\n\t"
        "vmovups 128(%[b]), %%ymm12\n\t"
        "vmovups 160(%[b]), %%ymm13\n\t"
        "vbroadcastss 48(%[a]), %%ymm14\n\t"
        "vfmadd231ps %%ymm12, %%ymm14, %[c00]\n\t"
        "vfmadd231ps %%ymm13, %%ymm14, %[c01]\n\t"
        "vbroadcastss 52(%[a]), %%ymm15\n\t"
        "vfmadd231ps %%ymm12, %%ymm15, %[c10]\n\t"
        "vfmadd231ps %%ymm13, %%ymm15, %[c11]\n\t"
        "vbroadcastss 56(%[a]), %%ymm14\n\t"
        "vfmadd231ps %%ymm12, %%ymm14, %[c20]\n\t"
        "vfmadd231ps %%ymm13, %%ymm14, %[c21]\n\t"
        "vbroadcastss 60(%[a]), %%ymm15\n\t"
        "vfmadd231ps %%ymm12, %%ymm15, %[c30]\n\t"
        "vfmadd231ps %%ymm13, %%ymm15, %[c31]\n\t"
        "vbroadcastss 64(%[a]), %%ymm14\n\t"
        "vfmadd231ps %%ymm12, %%ymm14, %[c40]\n\t"
        "vfmadd231ps %%ymm13, %%ymm14, %[c41]\n\t"
        "vbroadcastss 68(%[a]), %%ymm15\n\t"
        "vfmadd231ps %%ymm12, %%ymm15, %[c50]\n\t"
        "vfmadd231ps %%ymm13, %%ymm15, %[c51]\n\t"
        "vmovups 192(%[b]), %%ymm12\n\t"
        "vmovups 224(%[b]), %%ymm13\n\t"
        "vbroadcastss 72(%[a]), %%ymm14\n\t"
        "vfmadd231ps %%ymm12, %%ymm14, %[c00]\n\t"
        "vfmadd231ps %%ymm13, %%ymm14, %[c01]\n\t"
        "vbroadcastss 76(%[a]), %%ymm15\n\t"
        "vfmadd231ps %%ymm12, %%ymm15, %[c10]\n\t"
        "vfmadd231ps %%ymm13, %%ymm15, %[c11]\n\t"
        "vbroadcastss 80(%[a]), %%ymm14\n\t"
        "vfmadd231ps %%ymm12, %%ymm14, %[c20]\n\t"
        "vfmadd231ps %%ymm13, %%ymm14, %[c21]\n\t"
        "vbroadcastss 84(%[a]), %%ymm15\n\t"
        "vfmadd231ps %%ymm12, %%ymm15, %[c30]\n\t"
        "vfmadd231ps %%ymm13, %%ymm15, %[c31]\n\t"
        "vbroadcastss 88(%[a]), %%ymm14\n\t"
        "vfmadd231ps %%ymm12, %%ymm14, %[c40]\n\t"
        "vfmadd231ps %%ymm13, %%ymm14, %[c41]\n\t"
        "vbroadcastss 92(%[a]), %%ymm15\n\t"
        "vfmadd231ps %%ymm12, %%ymm15, %[c50]\n\t"
        "vfmadd231ps %%ymm13, %%ymm15, %[c51]\n\t"
        "addq $96, %[a]\n\t"
        "addq $256, %[b]\n\t"
        "decq %[k4]\n\t"
        "jnz 1b\n\t"
        : [a] "+r"(a), [b] "+r"(b), [k4] "+r"(k4), [c00] "+x"(c00), [c01] "+x"(c01), [c10] "+x"(c10),
          [c11] "+x"(c11), [c20] "+x"(c20), [c21] "+x"(c21), [c30] "+x"(c30), [c31] "+x"(c31),
          [c40] "+x"(c40), [c41] "+x"(c41), [c50] "+x"(c50), [c51] "+x"(c51)
        :
        : "xmm12", "xmm13", "xmm14", "xmm15", "memory", "cc");
  }
  for (std::size_t p = 0; p < k_tail; ++p) {
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = _mm256_loadu_ps(b + 8);
    __m256 av = _mm256_broadcast_ss(a + 0);
    c00 = _mm256_fmadd_ps(av, b0, c00), c01 = _mm256_fmadd_ps(av, b1, c01);
    av = _mm256_broadcast_ss(a + 1);
    c10 = _mm256_fmadd_ps(av, b0, c10), c11 = _mm256_fmadd_ps(av, b1, c11);
    av = _mm256_broadcast_ss(a + 2);
    c20 = _mm256_fmadd_ps(av, b0, c20), c21 = _mm256_fmadd_ps(av, b1, c21);
    av = _mm256_broadcast_ss(a + 3);
    c30 = _mm256_fmadd_ps(av, b0, c30), c31 = _mm256_fmadd_ps(av, b1, c31);
    av = _mm256_broadcast_ss(a + 4);
    c40 = _mm256_fmadd_ps(av, b0, c40), c41 = _mm256_fmadd_ps(av, b1, c41);
    av = _mm256_broadcast_ss(a + 5);
    c50 = _mm256_fmadd_ps(av, b0, c50), c51 = _mm256_fmadd_ps(av, b1, c51);
    a += 6;
    b += 16;
  }
  _mm_prefetch(reinterpret_cast<const char*>(a_next), _MM_HINT_T0);
  _mm_prefetch(reinterpret_cast<const char*>(b_next), _MM_HINT_T0);

  const __m256 va = _mm256_set1_ps(alpha);
  if (tile.m_valid == 6 && tile.n_valid == 16) {
    float* c = tile.c;
    store_row8(c, c00, va, beta), store_row8(c + 8, c01, va, beta), c += ldc;
    store_row8(c, c10, va, beta), store_row8(c + 8, c11, va, beta), c += ldc;
    store_row8(c, c20, va, beta), store_row8(c + 8, c21, va, beta), c += ldc;
    store_row8(c, c30, va, beta), store_row8(c + 8, c31, va, beta), c += ldc;
    store_row8(c, c40, va, beta), store_row8(c + 8, c41, va, beta), c += ldc;
    store_row8(c, c50, va, beta), store_row8(c + 8, c51, va, beta);
    return;
  }

  // Edge tile: spill alpha * acc to a stack tile, then update only the valid part of C.
  alignas(32) float t[6 * 16];
  _mm256_store_ps(t + 0, _mm256_mul_ps(va, c00)), _mm256_store_ps(t + 8, _mm256_mul_ps(va, c01));
  _mm256_store_ps(t + 16, _mm256_mul_ps(va, c10)), _mm256_store_ps(t + 24, _mm256_mul_ps(va, c11));
  _mm256_store_ps(t + 32, _mm256_mul_ps(va, c20)), _mm256_store_ps(t + 40, _mm256_mul_ps(va, c21));
  _mm256_store_ps(t + 48, _mm256_mul_ps(va, c30)), _mm256_store_ps(t + 56, _mm256_mul_ps(va, c31));
  _mm256_store_ps(t + 64, _mm256_mul_ps(va, c40)), _mm256_store_ps(t + 72, _mm256_mul_ps(va, c41));
  _mm256_store_ps(t + 80, _mm256_mul_ps(va, c50)), _mm256_store_ps(t + 88, _mm256_mul_ps(va, c51));
  for (std::size_t i = 0; i < tile.m_valid; ++i) {
    float* c = tile.c + i * ldc;
    const float* ti = t + i * 16;
    if (beta == 0.0f) {
      for (std::size_t j = 0; j < tile.n_valid; ++j) c[j] = ti[j];
    } else {
      for (std::size_t j = 0; j < tile.n_valid; ++j) c[j] = ti[j] + beta * c[j];
    }
  }
}

}  // namespace fastmlp
