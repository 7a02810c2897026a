// gemm(transA, transB, m, n, k, alpha, A, B, beta, C): the core sgemm on Float32Arrays, zero-copy
// (C is written in place). Checks every argument; shapes as Engine.gemm in lib/engine/engine.ts.
#include <algorithm>
#include <string>
#include <thread>

#include "addon.hpp"
#include "guards.hpp"

namespace fastmlp::addon {

std::size_t default_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<std::size_t>(n);
}

Napi::Value Gemm(const Napi::CallbackInfo& info, InstanceData& data) {
  Napi::Env env = info.Env();
  expect_arg_count(info, 10, "gemm");
  const bool transA = expect_boolean(info[0], "transA");
  const bool transB = expect_boolean(info[1], "transB");
  const std::size_t m = expect_size(info[2], "m", 0, kMaxElements);
  const std::size_t n = expect_size(info[3], "n", 0, kMaxElements);
  const std::size_t k = expect_size(info[4], "k", 0, kMaxElements);
  const float alpha = static_cast<float>(expect_finite(info[5], "alpha"));
  Span<float> A = expect_float32_array(info[6], "A");
  Span<float> B = expect_float32_array(info[7], "B");
  const float beta = static_cast<float>(expect_finite(info[8], "beta"));
  Span<float> C = expect_float32_array(info[9], "C");
  expect_at_least(info[6], &A, expect_elements(env, m, k, "A", info[6]), "A", "Float32Array",
                  transA ? "k x m" : "m x k");
  expect_at_least(info[7], &B, expect_elements(env, k, n, "B", info[7]), "B", "Float32Array",
                  transB ? "n x k" : "k x n");
  expect_at_least(info[9], &C, expect_elements(env, m, n, "C", info[9]), "C", "Float32Array", "m x n");
  if (m == 0 || n == 0) return env.Undefined();
  call_core(env, [&] {
    if (!data.gemm_context) {
      data.gemm_pool = std::make_unique<ThreadPool>(*data.pool, std::min(default_threads(), kMaxThreads));
      data.gemm_context = std::make_unique<GemmContext>(data.gemm_pool.get());
    }
    sgemm(*data.gemm_context, transA, transB, m, n, k, alpha, A.data, B.data, beta, C.data);
  });
  return env.Undefined();
}

}  // namespace fastmlp::addon
