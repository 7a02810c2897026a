// Single-precision GEMM, row-major, no leading-dimension padding:
//   C = alpha * op(A) op(B) + beta * C
// op(A) is (m, k): A is (m, k), or (k, m) when transA. op(B) is (k, n): B is (k, n), or (n, k)
// when transB. C is (m, n). beta == 0 overwrites C (NaN already in C does not propagate).
// These are the three products of backprop: X W, X^T dZ, dZ W^T.
#pragma once

#include <cstddef>
#include <cstdint>

#include "gemm/blocking.hpp"

namespace fastmlp {

class ThreadPool;
struct GemmBuffers;

// What one caller (one trainer or model) owns for its products: per-thread packing buffers and
// the pool that splits large products. Not shared between threads of callers: one context per
// trainer. pool may be null (single-threaded). limits: how large the packing buffers may grow
// (gemm_blocking::kPackingTraining or kPackingInference); results do not depend on them.
// split_direct: whether direct-path (sup) products may be split over the pool (from
// kParallelDirectMinVolume); a trainer's context says no (mlp.cpp says why). Results do not
// depend on it either (a split keeps one thread's arithmetic).
class GemmContext {
 public:
  explicit GemmContext(ThreadPool* pool, const gemm_blocking::PackingLimits& limits = gemm_blocking::kPackingTraining,
                       bool split_direct = true);
  ~GemmContext();
  GemmContext(const GemmContext&) = delete;
  GemmContext& operator=(const GemmContext&) = delete;

  ThreadPool* pool() const { return pool_; }
  const gemm_blocking::PackingLimits& limits() const { return limits_; }
  bool splits_direct() const { return split_direct_; }
  GemmBuffers& buffers(std::size_t thread);
  // Bytes of all packing buffers allocated so far (every thread's).
  std::size_t packing_bytes() const;
  // A fresh id per packed product (tells a thread's cached packing from an earlier product's).
  std::uint64_t next_call() { return ++calls_; }
  // The finiteness check of op(A) fused with the product (predict's check of X, model.cpp):
  // while on, the packed path scans each block of A it has just packed (in cache, where a pass
  // over A before the product read it from memory), the direct path scans A before it runs, and
  // a NaN or +-Infinity found is remembered; take_a_not_finite() answers whether one was since
  // the last call, and forgets. Results never depend on it.
  void check_a(bool on) { check_a_ = on; }
  bool checks_a() const { return check_a_; }
  bool take_a_not_finite();

 private:
  ThreadPool* pool_;
  gemm_blocking::PackingLimits limits_;
  GemmBuffers* buffers_;
  std::size_t thread_count_;
  bool split_direct_;
  bool check_a_ = false;
  std::uint64_t calls_ = 0;
};

void sgemm(GemmContext& ctx, bool transA, bool transB, std::size_t m, std::size_t n, std::size_t k,
           float alpha, const float* A, const float* B, float beta, float* C);

// C = op(A) op(B) + 1 bias^T: the forward of a dense layer, bias added in the product's
// epilogue (no separate pass over C). bias is (n).
void sgemm_bias(GemmContext& ctx, bool transA, bool transB, std::size_t m, std::size_t n, std::size_t k,
                const float* A, const float* B, const float* bias, float* C);

// Plain triple loop with double accumulation: the reference the fast paths are tested against.
void sgemm_reference(bool transA, bool transB, std::size_t m, std::size_t n, std::size_t k, float alpha,
                     const float* A, const float* B, float beta, float* C);

// Which kernel table sgemm uses on this CPU: "avx512", "avx2-fma", "neon" or "scalar". Chosen
// once per process from CPUID + XGETBV; FASTMLP_FORCE_SCALAR=1 in the environment forces
// "scalar", FASTMLP_MAX_ISA=avx2 stops at "avx2-fma".
const char* gemm_kernel_name();

}  // namespace fastmlp
