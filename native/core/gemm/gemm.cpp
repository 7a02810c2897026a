// sgemm's front door: argument checks, the choice between the direct path (tiny shapes) and
// the packed path (gemm_packed.cpp), kernel and thread choice, the per-thread workspaces of
// GemmContext, and the float64 reference every fast path is tested against.
#include "gemm/gemm.hpp"

#include <cstddef>
#include <stdexcept>

#include "gemm/cpu_features.hpp"
#include "gemm/gemm_internal.hpp"
#include "thread_pool.hpp"

namespace fastmlp {

namespace {

// Products up to this many multiply-adds (m * n * k) take the direct path: packing A and B
// costs more than the micro-kernel saves. Scalar direct path, from `gemm_bench --set crossover
// --clock cpu`: n >= 16 crosses at ~512; n = 3 at ~1500-3000 (the packed path pads C to 16
// columns); n = 1 (GEMV) is still 1.5-2.3x faster direct at 4096.
constexpr std::size_t kDirectMaxVolume = 512;
constexpr std::size_t kDirectMaxVolumeNarrow = 2048;     // n <= 4
constexpr std::size_t kDirectMaxVolumeColumn = 1 << 16;  // n == 1
// The AVX2 direct path (direct_avx2.cpp) keeps C in registers like the micro-kernel and only
// skips packing, so it wins for longer. Provisional values (set from the seed and predict
// shapes, not yet from a `gemm_bench --set crossover` sweep of the AVX2 direct path).
constexpr std::size_t kDirectAvx2MaxVolume = 1 << 13;
constexpr std::size_t kDirectAvx2MaxVolumeNarrow = 1 << 15;  // n <= 8: one vector per row
// Skinny products (m <= this, e.g. a one-row predict) stream op(B) once without packing it
// whatever their volume: packing would copy all of B for a handful of rows.
constexpr std::size_t kSkinnyMaxRows = 4;
// transB products copy op(B) (k x n) for the direct AVX2 path: only when that copy is small.
constexpr std::size_t kDirectTransBMaxCopy = 1 << 14;
constexpr std::size_t kParallelMinVolume = std::size_t{1} << 20;

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

GemmContext::GemmContext(ThreadPool* pool)
    : pool_(pool), buffers_(nullptr), thread_count_(pool != nullptr ? pool->size() : 1) {
  buffers_ = new GemmBuffers[thread_count_];  // empty: packing buffers grow on first use
}

GemmContext::~GemmContext() { delete[] buffers_; }

GemmBuffers& GemmContext::buffers(std::size_t thread) {
  if (thread >= thread_count_) throw std::out_of_range("GemmContext::buffers: thread index out of range");
  return buffers_[thread];
}

// ---- decisions -----------------------------------------------------------------------------

bool gemm_prefers_direct(std::size_t m, std::size_t n, std::size_t k) {
  const std::size_t v = volume(m, n, k);
  if (gemm_use_avx2()) {
    if (m <= kSkinnyMaxRows) return true;
    return v <= (n <= 8 ? kDirectAvx2MaxVolumeNarrow : kDirectAvx2MaxVolume);
  }
  return gemm_prefers_direct_scalar(m, n, k);
}

bool gemm_prefers_direct_scalar(std::size_t m, std::size_t n, std::size_t k) {
  const std::size_t v = volume(m, n, k);
  if (n == 1) return v <= kDirectMaxVolumeColumn;
  if (n <= 4) return v <= kDirectMaxVolumeNarrow;
  return v <= kDirectMaxVolume;
}

bool gemm_prefers_threads(std::size_t m, std::size_t n, std::size_t k) {
  return volume(m, n, k) >= kParallelMinVolume;
}

const char* gemm_kernel_name() { return gemm_use_avx2() ? "avx2-fma" : "scalar"; }

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

  const bool avx2_direct = options.kernel == GemmKernel::avx2 ||
                           (options.kernel == GemmKernel::automatic && gemm_use_avx2() && direct_avx2_compiled());
  if (options.kernel == GemmKernel::avx2 && (!kernel_avx2_compiled() || !direct_avx2_compiled() ||
                                             !cpu_has_avx2_fma())) {
    throw std::invalid_argument("sgemm_with: the AVX2 kernel is not available on this CPU/build");
  }
  bool direct = options.path == GemmPath::direct;
  if (options.path == GemmPath::automatic) {
    direct = avx2_direct ? gemm_prefers_direct(m, n, k) && (!transB || n == 1 || k * n <= kDirectTransBMaxCopy)
                         : gemm_prefers_direct_scalar(m, n, k);
  }
  if (direct) {
    if (avx2_direct) {
      float* scratch = transB && n > 1 ? ctx.buffers(0).b.ensure(k * n) : nullptr;
      sgemm_direct_avx2(transA, transB, m, n, k, alpha, A, B, beta, bias, C, scratch);
    } else {
      sgemm_direct(transA, transB, m, n, k, alpha, A, B, beta, bias, C);
    }
    return;
  }
  if (bias != nullptr) {  // the packed path adds the bias as beta = 1 over copied rows
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) C[i * n + j] = bias[j];
    beta = 1.0f;
  }

  MicroKernel kernel = gemm_use_avx2() ? kernel_avx2_6x16 : kernel_scalar_6x16;
  if (options.kernel == GemmKernel::scalar) kernel = kernel_scalar_6x16;
  if (options.kernel == GemmKernel::avx2) {
    if (!kernel_avx2_compiled() || !cpu_has_avx2_fma()) {
      throw std::invalid_argument("sgemm_with: the AVX2 kernel is not available on this CPU/build");
    }
    kernel = kernel_avx2_6x16;
  }

  const std::size_t pool_size = ctx.pool() != nullptr ? ctx.pool()->size() : 1;
  bool parallel = pool_size > 1 && options.threads != GemmThreads::single;
  if (options.threads == GemmThreads::automatic) parallel = parallel && gemm_prefers_threads(m, n, k);
  sgemm_packed(ctx, kernel, parallel ? pool_size : 1, transA, transB, m, n, k, alpha, A, B, beta, C);
}

// ---- direct path ---------------------------------------------------------------------------

void sgemm_direct(bool transA, bool transB, std::size_t m, std::size_t n, std::size_t k, float alpha,
                  const float* A, const float* B, float beta, const float* bias, float* C) {
  // op(A)(i, p) = A[i * as_i + p * as_p], op(B)(p, j) = B[p * bs_p + j * bs_j]
  const std::size_t as_i = transA ? 1 : k, as_p = transA ? m : 1;
  const std::size_t bs_p = transB ? 1 : n, bs_j = transB ? k : 1;
  for (std::size_t i = 0; i < m; ++i) {
    float* c = C + i * n;
    const float* a = A + i * as_i;
    if (!transB && n >= 8) {
      // C row += op(A)(i, p) * B row p: contiguous in j, so it vectorizes.
      if (bias != nullptr) {
        for (std::size_t j = 0; j < n; ++j) c[j] = bias[j];
      } else {
        scale_c(n, beta, c);
      }
      for (std::size_t p = 0; p < k; ++p) {
        const float ap = alpha * a[p * as_p];
        const float* b = B + p * n;
        for (std::size_t j = 0; j < n; ++j) c[j] += ap * b[j];
      }
      continue;
    }
    // Narrow C (the seeds' 1-3 unit layers) or transB: one dot product per element, with four
    // partial sums so the additions do not wait on each other (and C is not re-read per p).
    for (std::size_t j = 0; j < n; ++j) {
      const float* b = B + j * bs_j;
      float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
      std::size_t p = 0;
      for (; p + 4 <= k; p += 4) {
        s0 += a[p * as_p] * b[p * bs_p];
        s1 += a[(p + 1) * as_p] * b[(p + 1) * bs_p];
        s2 += a[(p + 2) * as_p] * b[(p + 2) * bs_p];
        s3 += a[(p + 3) * as_p] * b[(p + 3) * bs_p];
      }
      for (; p < k; ++p) s0 += a[p * as_p] * b[p * bs_p];
      const float acc = (s0 + s1) + (s2 + s3);
      if (bias != nullptr) {
        c[j] = alpha * acc + bias[j];
      } else {
        c[j] = beta == 0.0f ? alpha * acc : alpha * acc + beta * c[j];
      }
    }
  }
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
