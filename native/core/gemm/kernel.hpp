// The micro-kernel contract and the packed layout shared by pack.cpp and every kernel.
// A kernel computes one MR x NR tile of C from one packed A micro-panel and one packed B
// micro-panel; the loops around it (gemm_packed.cpp) decide which tile and when. MR x NR is the
// kernel's own (MicroKernel::shape): the packing and the blocking read it from there.
#pragma once

#include <cstddef>

#include "gemm/blocking.hpp"

namespace fastmlp {

// Packed layout (see pack.cpp):
//   A micro-panel: k steps of MR floats, a[p * MR + i] = alpha-free op(A)(row0 + i, col0 + p);
//                  rows past the matrix edge are zero.
//   B micro-panel: k steps of NR floats, b[p * NR + j] = op(B)(row0 + p, col0 + j);
//                  columns past the edge are zero.
// The packed blocks start 64-byte aligned; B micro-panels (NR * k floats = 4 NR k bytes apart)
// stay aligned, A micro-panels need not be (the kernels only broadcast single floats from them).
//
// Contract: C[i * ldc + j] = alpha * sum_p a[p*MR+i] * b[p*NR+j] + beta * C[i * ldc + j]
// for i < m_valid <= MR, j < n_valid <= NR. Only that sub-tile of C is touched. beta == 0
// writes C without reading it, so NaN or garbage already in C does not propagate.
// k may be 0 (then C = beta * C, or 0 when beta == 0). a_next / b_next are the micro-panels the
// next call will read (prefetch hints only; may equal a / b).
struct MicroTile {
  float* c;
  std::size_t ldc;
  std::size_t m_valid;
  std::size_t n_valid;
};

using MicroKernelFn = void (*)(std::size_t k, const float* a, const float* b, float alpha, float beta,
                               const MicroTile& tile, const float* a_next, const float* b_next);

// A micro-kernel with the panel shape it computes (MR x NR) and the cache blocks sized for it:
// what a kernel table offers the packed path, which packs and blocks by `shape`.
struct MicroKernel {
  MicroKernelFn fn;
  gemm_blocking::PanelShape shape;
};

void kernel_scalar_6x16(std::size_t k, const float* a, const float* b, float alpha, float beta,
                        const MicroTile& tile, const float* a_next, const float* b_next);

// Compiled with -mavx2 -mfma, only in x86-64 builds (FASTMLP_HAVE_AVX2). Reached only through
// the kernel table (cpu/dispatch.hpp), which offers it only when the CPU and OS support it.
void kernel_avx2_6x16(std::size_t k, const float* a, const float* b, float alpha, float beta,
                      const MicroTile& tile, const float* a_next, const float* b_next);

// NEON (FMLA by element), only in aarch64 builds (FASTMLP_HAVE_NEON), where NEON is baseline.
// Reached through the kernel table like the AVX2 one, so FASTMLP_FORCE_SCALAR=1 still selects
// the scalar twin.
void kernel_neon_6x16(std::size_t k, const float* a, const float* b, float alpha, float beta,
                      const MicroTile& tile, const float* a_next, const float* b_next);

// AVX-512 (F) 12x32 (shape gemm_blocking::kPanels12x32), only in x86-64 builds whose compiler has
// the AVX-512 flags (FASTMLP_HAVE_AVX512); reached through the avx512 kernel table only.
void kernel_avx512_12x32(std::size_t k, const float* a, const float* b, float alpha, float beta,
                         const MicroTile& tile, const float* a_next, const float* b_next);

}  // namespace fastmlp
