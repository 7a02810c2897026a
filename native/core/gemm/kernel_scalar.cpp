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
  float acc[MR][NR] = {};
  for (std::size_t p = 0; p < k; ++p) {
    const float* ap = a + p * MR;
    const float* bp = b + p * NR;
    for (std::size_t i = 0; i < MR; ++i) {
      const float ai = ap[i];
      for (std::size_t j = 0; j < NR; ++j) acc[i][j] += ai * bp[j];
    }
  }
  for (std::size_t i = 0; i < tile.m_valid; ++i) {
    float* c = tile.c + i * tile.ldc;
    if (beta == 0.0f) {  // overwrite: C may hold NaN and must not be read
      for (std::size_t j = 0; j < tile.n_valid; ++j) c[j] = alpha * acc[i][j];
    } else {
      for (std::size_t j = 0; j < tile.n_valid; ++j) c[j] = alpha * acc[i][j] + beta * c[j];
    }
  }
}

}  // namespace fastmlp
