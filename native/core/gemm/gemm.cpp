// sgemm's front door: argument checks, the choice between the direct path (small and skinny
// shapes: the sup kernels of sup/) and the packed path (gemm_packed.cpp), kernel and thread choice, the per-thread workspaces of
// GemmContext, and the float64 reference every fast path is tested against.
#include "gemm/gemm.hpp"

#include <cstddef>
#include <stdexcept>

#include "cpu/dispatch.hpp"
#include "vecmath.hpp"
#include "gemm/blocking.hpp"
#include "gemm/gemm_internal.hpp"
#include "gemm/sup/sup_kernel.hpp"
#include "thread_pool.hpp"

namespace fastmlp {

namespace {

bool mul_overflows(std::size_t a, std::size_t b) { return a != 0 && b > static_cast<std::size_t>(-1) / a; }

std::size_t volume(std::size_t m, std::size_t n, std::size_t k) {
  // Saturating: only compared against thresholds.
  if (mul_overflows(m, n) || mul_overflows(m * n, k)) return static_cast<std::size_t>(-1);
  return m * n * k;
}

// True when a rows x cols float matrix has an element count or byte size past size_t.
bool matrix_too_large(std::size_t rows, std::size_t cols) {
  return mul_overflows(rows, cols) || mul_overflows(rows * cols, sizeof(float));
}

void check_args(std::size_t m, std::size_t n, std::size_t k, const float* A, const float* B, const float* C) {
  if (matrix_too_large(m, k) || matrix_too_large(k, n) || matrix_too_large(m, n)) {
    throw std::length_error("sgemm: m, n, k too large (matrix size overflows size_t)");
  }
  if (m != 0 && n != 0 && C == nullptr) throw std::invalid_argument("sgemm: C is null");
  if (m != 0 && n != 0 && k != 0 && (A == nullptr || B == nullptr)) {
    throw std::invalid_argument("sgemm: A or B is null");
  }
}

// The kernel table a call uses: the process's choice, or the one GemmOptions names.
const cpu::KernelTable& kernel_table(GemmKernel kernel) {
  switch (kernel) {
    case GemmKernel::scalar:
      return cpu::scalar_kernels();
    case GemmKernel::avx2:
      if (cpu::avx2_kernels() == nullptr) {
        throw std::invalid_argument("sgemm_with: the AVX2 kernel is not available on this CPU/build");
      }
      return *cpu::avx2_kernels();
    case GemmKernel::avx512:
      if (cpu::avx512_kernels() == nullptr) {
        throw std::invalid_argument("sgemm_with: the AVX-512 kernel is not available on this CPU/build");
      }
      return *cpu::avx512_kernels();
    case GemmKernel::neon:
      if (cpu::neon_kernels() == nullptr) {
        throw std::invalid_argument("sgemm_with: the NEON kernel is not available in this build (aarch64 only)");
      }
      return *cpu::neon_kernels();
    case GemmKernel::automatic:
      break;
  }
  return cpu::kernels();
}

// C = beta * C without reading A or B (k == 0 or alpha == 0); beta == 0 overwrites.
void scale_c(std::size_t count, float beta, float* C) {
  if (beta == 0.0f) {
    for (std::size_t i = 0; i < count; ++i) C[i] = 0.0f;
  } else if (beta != 1.0f) {
    for (std::size_t i = 0; i < count; ++i) C[i] *= beta;
  }
}

}  // namespace

// ---- GemmContext ---------------------------------------------------------------------------

GemmContext::GemmContext(ThreadPool* pool, const gemm_blocking::PackingLimits& limits, bool split_direct)
    : pool_(pool),
      limits_(limits),
      buffers_(nullptr),
      thread_count_(pool != nullptr ? pool->size() : 1),
      split_direct_(split_direct) {
  buffers_ = new GemmBuffers[thread_count_];  // empty: packing buffers grow on first use
}

GemmContext::~GemmContext() { delete[] buffers_; }

std::size_t GemmContext::packing_bytes() const {
  std::size_t floats = 0;
  for (std::size_t t = 0; t < thread_count_; ++t) floats += buffers_[t].a.capacity() + buffers_[t].b.capacity();
  return floats * sizeof(float);
}

bool GemmContext::take_a_not_finite() {
  bool found = false;
  for (std::size_t t = 0; t < thread_count_; ++t) {
    found = found || buffers_[t].a_not_finite;
    buffers_[t].a_not_finite = false;
  }
  return found;
}

void check_packed_a(GemmContext& ctx, std::size_t t, const float* a, std::size_t n) {
  if (ctx.checks_a() && vec_any_not_finite(a, n)) ctx.buffers(t).a_not_finite = true;
}

GemmBuffers& GemmContext::buffers(std::size_t thread) {
  if (thread >= thread_count_) throw std::out_of_range("GemmContext::buffers: thread index out of range");
  return buffers_[thread];
}

// ---- decisions -----------------------------------------------------------------------------

namespace {

bool prefers_direct(const gemm_blocking::DirectLimits& limits, bool transB, std::size_t m, std::size_t n,
                    std::size_t k) {
  if (transB && n > 1 && k * n > limits.transB_max_copy) return false;
  if (m <= limits.skinny_max_rows) return true;
  const std::size_t v = volume(m, n, k);
  if (n == 1) return v <= limits.column_max_volume;
  return v <= (n <= limits.narrow_max_cols ? limits.narrow_max_volume : limits.max_volume);
}

}  // namespace

bool gemm_prefers_direct(bool transB, std::size_t m, std::size_t n, std::size_t k) {
  return prefers_direct(cpu::kernels().gemm_direct_limits, transB, m, n, k);
}

bool gemm_prefers_direct_resident(std::size_t n, std::size_t k) {
  const std::size_t cols = cpu::kernels().gemm_direct_limits.resident_max_cols;
  return n <= cols && k * n <= gemm_blocking::kDirectResidentMaxB;
}

bool gemm_prefers_threads(std::size_t m, std::size_t n, std::size_t k) {
  return volume(m, n, k) >= gemm_blocking::kParallelMinVolume;
}

bool gemm_prefers_direct_threads(std::size_t m, std::size_t n, std::size_t k) {
  return volume(m, n, k) >= gemm_blocking::kParallelDirectMinVolume;
}

const char* gemm_kernel_name() { return cpu::kernels().name; }

// ---- entry points --------------------------------------------------------------------------

void sgemm(GemmContext& ctx, bool transA, bool transB, std::size_t m, std::size_t n, std::size_t k,
           float alpha, const float* A, const float* B, float beta, float* C) {
  sgemm_bias_with(ctx, GemmOptions{}, transA, transB, m, n, k, alpha, A, B, beta, nullptr, C);
}

void sgemm_bias(GemmContext& ctx, bool transA, bool transB, std::size_t m, std::size_t n, std::size_t k,
                const float* A, const float* B, const float* bias, float* C) {
  sgemm_bias_with(ctx, GemmOptions{}, transA, transB, m, n, k, 1.0f, A, B, 0.0f, bias, C);
}

void sgemm_with(GemmContext& ctx, const GemmOptions& options, bool transA, bool transB, std::size_t m,
                std::size_t n, std::size_t k, float alpha, const float* A, const float* B, float beta,
                float* C) {
  sgemm_bias_with(ctx, options, transA, transB, m, n, k, alpha, A, B, beta, nullptr, C);
}

void sgemm_bias_with(GemmContext& ctx, const GemmOptions& options, bool transA, bool transB, std::size_t m,
                     std::size_t n, std::size_t k, float alpha, const float* A, const float* B, float beta,
                     const float* bias, float* C) {
  check_args(m, n, k, A, B, C);
  if (m == 0 || n == 0) return;
  if (k == 0 || alpha == 0.0f) {  // BLAS semantics: A and B are not read
    if (bias != nullptr) {
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) C[i * n + j] = bias[j];
    } else {
      scale_c(m * n, beta, C);
    }
    return;
  }

  const cpu::KernelTable& table = kernel_table(options.kernel);
  const bool direct = options.path == GemmPath::automatic ? prefers_direct(table.gemm_direct_limits, transB, m, n, k)
                                                          : options.path == GemmPath::direct;
  const std::size_t pool_size = ctx.pool() != nullptr ? ctx.pool()->size() : 1;
  bool parallel = pool_size > 1 && options.threads != GemmThreads::single;
  if (direct) {
    check_packed_a(ctx, 0, A, m * k);  // the direct path reads A unpacked: all of it, first
    // Split or not, every element of C gets the same arithmetic (SupPartKernel).
    if (options.threads == GemmThreads::automatic) {
      parallel = parallel && ctx.splits_direct() && gemm_prefers_direct_threads(m, n, k);
    }
    sgemm_sup(table.gemm_sup, transA, transB, m, n, k, alpha, A, B, beta, bias, C, ctx.buffers(0).b,
              parallel ? ctx.pool() : nullptr);
    return;
  }
  if (bias != nullptr) {  // the packed path adds the bias as beta = 1 over copied rows
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) C[i * n + j] = bias[j];
    beta = 1.0f;
  }

  if (options.threads == GemmThreads::automatic) parallel = parallel && gemm_prefers_threads(m, n, k);
  sgemm_packed(ctx, table.gemm_micro, parallel ? pool_size : 1, transA, transB, m, n, k, alpha, A, B, beta, C);
}

// ---- reference -----------------------------------------------------------------------------

void sgemm_reference(bool transA, bool transB, std::size_t m, std::size_t n, std::size_t k, float alpha,
                     const float* A, const float* B, float beta, float* C) {
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      double acc = 0;
      for (std::size_t p = 0; p < k; ++p) {
        const double a = transA ? A[p * m + i] : A[i * k + p];
        const double b = transB ? B[j * k + p] : B[p * n + j];
        acc += a * b;
      }
      const double prior = beta == 0.0f ? 0.0 : static_cast<double>(beta) * C[i * n + j];
      C[i * n + j] = static_cast<float>(alpha * acc + prior);
    }
  }
}

}  // namespace fastmlp
