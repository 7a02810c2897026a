// What each binding file exports to addon.cpp, and the per-environment instance data (one per
// main thread / worker_thread; the addon keeps no static mutable state).
#pragma once

#include <napi.h>

#include <memory>

#include "gemm/gemm.hpp"
#include "mlp.hpp"
#include "thread_pool.hpp"

namespace fastmlp::addon {

// Per-environment state: the gemm binding's context, created on its first call.
struct InstanceData {
  std::unique_ptr<ThreadPool> gemm_pool;
  std::unique_ptr<GemmContext> gemm_context;
};

// Threads std::thread::hardware_concurrency reports (at least 1).
std::size_t default_threads();

// gemm_binding.cpp: gemm(transA, transB, m, n, k, alpha, A, B, beta, C)
Napi::Value Gemm(const Napi::CallbackInfo& info, InstanceData& data);
// info_binding.cpp: info() -> { kernel, defaultThreads, version }
Napi::Value Info(const Napi::CallbackInfo& info);
// trainer_plan.cpp: a plain-object TrainerPlan (lib/engine/engine.ts) checked field by field.
TrainerPlan parse_plan(const Napi::Value& value);
// trainer_binding.cpp: the Trainer class.
Napi::Function define_trainer_class(Napi::Env env);

}  // namespace fastmlp::addon
