// What each binding file exports to addon.cpp, and the per-environment instance data (one per
// main thread / worker_thread; the addon keeps no static mutable state).
#pragma once

#include <napi.h>

#include <memory>

#include "gemm/gemm.hpp"
#include "shared_blocks.hpp"
#include "mlp.hpp"
#include "thread_pool.hpp"

namespace fastmlp::addon {

// Per-environment state. pool: the isolate's one set of worker threads (started lazily, up to
// the most threads any call asks), which every Model, Trainer and the gemm binding borrow
// through a handle capped at their own thread count; regions of concurrent callers take turns
// (thread_pool.hpp). gemm_pool / gemm_context: the gemm binding's, created on its first call.
struct InstanceData {
  InstanceData() : pool(std::make_unique<ThreadPool>(kMaxThreads)) {}
  std::unique_ptr<ThreadPool> pool;
  std::unique_ptr<ThreadPool> gemm_pool;
  std::unique_ptr<GemmContext> gemm_context;
  // ArrayBuffer.prototype's `resizable` and SharedArrayBuffer.prototype's `growable` getters,
  // taken when the addon loads, so a buffer's own property cannot hide what it is (guards.cpp).
  Napi::FunctionReference resizable_getter;
  Napi::FunctionReference growable_getter;
  // node:util's types.isProxy, taken when the addon loads (through process.getBuiltinModule,
  // Node >= 20.16; empty before it): N-API cannot tell a Proxy, and describing or reading one
  // would run its traps inside the addon (guards.cpp is_proxy).
  Napi::FunctionReference is_proxy;
  // The blocks allocateFloat32 / allocateUint32 handed out and JS still holds (shared_blocks.hpp);
  // shared with their finalizers, which may outlive this at shutdown.
  std::shared_ptr<BlockRegistry> blocks = std::make_shared<BlockRegistry>();
};

// This environment's instance data (set when the addon loads).
InstanceData& instance_data(Napi::Env env);

// Threads std::thread::hardware_concurrency reports (at least 1).
std::size_t default_threads();

// gemm_binding.cpp: gemm(transA, transB, m, n, k, alpha, A, B, beta, C)
Napi::Value Gemm(const Napi::CallbackInfo& info, InstanceData& data);
// finite_binding.cpp: scanFinite(src, dst) -> index of src's first non-finite value or -1,
// copying src into dst (or null) in the same pass
Napi::Value ScanFinite(const Napi::CallbackInfo& info);
// info_binding.cpp: info() -> { kernel, defaultThreads, version }
Napi::Value Info(const Napi::CallbackInfo& info);
// trainer_plan.cpp: a plain-object TrainerPlan / ModelPlan (lib/engine/engine.ts) checked field
// by field.
TrainerPlan parse_plan(const Napi::Value& value);
ModelPlan parse_model_plan(const Napi::Value& value);
// trainer_binding.cpp: the Trainer class; model_binding.cpp: the Model class. Both borrow
// data's pool (data outlives neither: a handle keeps the workers alive).
Napi::Function define_trainer_class(Napi::Env env, InstanceData* data);
Napi::Function define_model_class(Napi::Env env, InstanceData* data);

}  // namespace fastmlp::addon
