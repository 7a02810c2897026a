// The kernel tables this machine runs, each with the GemmKernel that selects it in sgemm_with,
// so a test covers the portable table and the build's vector table (AVX2/FMA on x86-64, NEON on
// aarch64) with one loop. Independent of FASTMLP_FORCE_SCALAR (the tests name tables directly).
#pragma once

#include <vector>

#include "cpu/dispatch.hpp"
#include "gemm/gemm_internal.hpp"

namespace fastmlp_test {

struct RunnableTable {
  const fastmlp::cpu::KernelTable* table;
  fastmlp::GemmKernel kernel;
};

// The widest vector table and its GemmKernel, or {nullptr, scalar} when this build/CPU has none.
inline RunnableTable vector_table() {
  if (fastmlp::cpu::avx512_kernels() != nullptr) return {fastmlp::cpu::avx512_kernels(), fastmlp::GemmKernel::avx512};
  if (fastmlp::cpu::avx2_kernels() != nullptr) return {fastmlp::cpu::avx2_kernels(), fastmlp::GemmKernel::avx2};
  if (fastmlp::cpu::neon_kernels() != nullptr) return {fastmlp::cpu::neon_kernels(), fastmlp::GemmKernel::neon};
  return {nullptr, fastmlp::GemmKernel::scalar};
}

// The scalar table first, then every vector table this CPU runs (AVX2 and AVX-512 on an
// AVX-512 machine, so both stay tested).
inline std::vector<RunnableTable> runnable_tables() {
  std::vector<RunnableTable> all = {{&fastmlp::cpu::scalar_kernels(), fastmlp::GemmKernel::scalar}};
  if (fastmlp::cpu::avx2_kernels() != nullptr) all.push_back({fastmlp::cpu::avx2_kernels(), fastmlp::GemmKernel::avx2});
  if (fastmlp::cpu::avx512_kernels() != nullptr) all.push_back({fastmlp::cpu::avx512_kernels(), fastmlp::GemmKernel::avx512});
  if (fastmlp::cpu::neon_kernels() != nullptr) all.push_back({fastmlp::cpu::neon_kernels(), fastmlp::GemmKernel::neon});
  return all;
}

}  // namespace fastmlp_test
