// The portable 6x16 sgemm micro-kernel (same contract and packed layout as the AVX2 one, see
// kernel.hpp). Built with baseline flags; used when the CPU or OS lacks AVX2/FMA, or when
// FASTMLP_FORCE_SCALAR=1. Plain loops the compiler can vectorize with the baseline ISA.
#include <cstddef>

#include "gemm/blocking.hpp"
#include "gemm/kernel.hpp"

namespace fastmlp {

void kernel_scalar_6x16(std::size_t k, const float* a, const float* b, float alpha, float beta,
                        const MicroTile& tile, const float* /*a_next*/, const float* /*b_next*/) {
  constexpr std::size_t MR = gemm_blocking::MR;
  constexpr std::size_t NR = gemm_blocking::NR;
  constexpr std::size_t H = NR / 2;
  // Two passes over 6 x 8 halves of the tile: 48 accumulators fit the 16 SSE registers (12 + B
  // + A), where a 6 x 16 accumulator block would spill on every k step (measured 8x slower:
  // 2.7 vs 21.5 GFLOP/s at 512^3 on the SSE2 baseline).
  for (std::size_t h = 0; h < NR && h < tile.n_valid; h += H) {
    float acc[MR][H] = {};
    const float* ap = a;
    const float* bp = b + h;
    for (std::size_t p = 0; p < k; ++p, ap += MR, bp += NR) {
      for (std::size_t i = 0; i < MR; ++i) {
        for (std::size_t j = 0; j < H; ++j) acc[i][j] += ap[i] * bp[j];
      }
    }
    const std::size_t cols = tile.n_valid - h < H ? tile.n_valid - h : H;
    for (std::size_t i = 0; i < tile.m_valid; ++i) {
      float* c = tile.c + i * tile.ldc + h;
      if (beta == 0.0f) {  // overwrite: C may hold NaN and must not be read
        for (std::size_t j = 0; j < cols; ++j) c[j] = alpha * acc[i][j];
      } else {
        for (std::size_t j = 0; j < cols; ++j) c[j] = alpha * acc[i][j] + beta * c[j];
      }
    }
  }
}

}  // namespace fastmlp
