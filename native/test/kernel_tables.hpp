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

// The vector table and its GemmKernel, or {nullptr, scalar} when this build/CPU has none.
inline RunnableTable vector_table() {
  if (fastmlp::cpu::avx2_kernels() != nullptr) return {fastmlp::cpu::avx2_kernels(), fastmlp::GemmKernel::avx2};
  if (fastmlp::cpu::neon_kernels() != nullptr) return {fastmlp::cpu::neon_kernels(), fastmlp::GemmKernel::neon};
  return {nullptr, fastmlp::GemmKernel::scalar};
}

// The scalar table first, then the vector table when there is one.
inline std::vector<RunnableTable> runnable_tables() {
  std::vector<RunnableTable> all = {{&fastmlp::cpu::scalar_kernels(), fastmlp::GemmKernel::scalar}};
  if (vector_table().table != nullptr) all.push_back(vector_table());
  return all;
}

}  // namespace fastmlp_test
