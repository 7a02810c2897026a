// Internals of sgemm shared by gemm.cpp, gemm_packed.cpp and the tests: the per-thread
// workspace (GemmBuffers), and sgemm_with(), which runs one product with an explicitly chosen
// path / kernel / threading so tests can cover the scalar kernel on an AVX2 machine.
#pragma once

#include <cstddef>
#include <cstdint>

#include "gemm/gemm.hpp"
#include "gemm/kernel.hpp"

namespace fastmlp {

// A grow-only, 64-byte aligned float buffer: allocated on first use, reused afterwards, so a
// warmed GemmContext allocates nothing per call.
class AlignedFloats {
 public:
  AlignedFloats() = default;
  ~AlignedFloats();
  AlignedFloats(const AlignedFloats&) = delete;
  AlignedFloats& operator=(const AlignedFloats&) = delete;

  // Returns a buffer of at least n floats (contents unspecified).
  float* ensure(std::size_t n);
  float* data() const { return data_; }
  std::size_t capacity() const { return capacity_; }

 private:
  float* data_ = nullptr;
  std::size_t capacity_ = 0;
};

// What one thread of one GemmContext owns. a: its packed A block (up to MC x KC of the kernel's
// PanelShape), or all of A
// when its chunks split the columns of C. b: its packed B block (up to KC x the context's nc),
// or all of B when its chunks split the rows (gemm_packed.cpp). Sized by the largest product
// run so far.
struct GemmBuffers {
  AlignedFloats a;
  AlignedFloats b;
  std::uint64_t cached_call = 0;  // the product whose whole operand a / b holds (gemm_packed.cpp)
  bool a_not_finite = false;      // GemmContext::check_a found a NaN or +-Infinity in what this thread packed
};

// GemmContext::check_a: when the context checks A, notes in thread t's buffers whether the n
// floats at a (A, or a packed block of it) hold a NaN or +-Infinity.
void check_packed_a(GemmContext& ctx, std::size_t t, const float* a, std::size_t n);

enum class GemmPath { automatic, direct, packed };
enum class GemmKernel { automatic, scalar, avx2, avx512, neon };
enum class GemmThreads { automatic, single, all };

struct GemmOptions {
  GemmPath path = GemmPath::automatic;
  GemmKernel kernel = GemmKernel::automatic;
  GemmThreads threads = GemmThreads::automatic;
};

// sgemm with explicit choices (automatic = what sgemm decides). GemmKernel::avx2 on a CPU
// without AVX2/FMA (or neon in a build without NEON kernels) throws std::invalid_argument rather
// than faulting.
void sgemm_with(GemmContext& ctx, const GemmOptions& options, bool transA, bool transB, std::size_t m,
                std::size_t n, std::size_t k, float alpha, const float* A, const float* B, float beta,
                float* C);

// sgemm_with plus a bias row: C = alpha op(A) op(B) + 1 bias^T when bias is non-null (beta unused).
void sgemm_bias_with(GemmContext& ctx, const GemmOptions& options, bool transA, bool transB, std::size_t m,
                     std::size_t n, std::size_t k, float alpha, const float* A, const float* B, float beta,
                     const float* bias, float* C);

// The decisions sgemm makes automatically for this process's kernel table (exposed for the
// bench and tests).
bool gemm_prefers_direct(bool transB, std::size_t m, std::size_t n, std::size_t k);
bool gemm_prefers_threads(std::size_t m, std::size_t n, std::size_t k);  // the packed path
bool gemm_prefers_direct_threads(std::size_t m, std::size_t n, std::size_t k);  // the direct path
// A product run on one thread whose op(B) is k x n, not transposed: direct at any row count
// (DirectLimits::resident_max_cols, kDirectResidentMaxB). gemm_prefers_direct's rule stays the
// automatic one: sgemm may split a product over threads, where packing shares B's panels.
bool gemm_prefers_direct_resident(std::size_t n, std::size_t k);

// The direct (unpacked) path is sgemm_sup and its kernels: gemm/sup/sup_kernel.hpp.

// The five-loop packed path with `kernel` (its function, panel shape and blocks), split over
// `threads` workers of ctx.pool() (1 = caller only). m, n, k >= 1; alpha != 0.
void sgemm_packed(GemmContext& ctx, MicroKernel kernel, std::size_t threads, bool transA, bool transB,
                  std::size_t m, std::size_t n, std::size_t k, float alpha, const float* A,
                  const float* B, float beta, float* C);

}  // namespace fastmlp
