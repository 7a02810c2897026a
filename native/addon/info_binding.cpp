// info(): which gemm kernel this CPU runs (after FASTMLP_FORCE_SCALAR), the default thread
// count and the package version the addon was built from.
#include "addon.hpp"
#include "guards.hpp"

#ifndef FASTMLP_VERSION
#define FASTMLP_VERSION "0.0.0"
#endif

namespace fastmlp::addon {

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  expect_arg_count(info, 0, "info");
  Napi::Object out = Napi::Object::New(env);
  out.Set("kernel", Napi::String::New(env, gemm_kernel_name()));
  out.Set("defaultThreads", Napi::Number::New(env, static_cast<double>(default_threads())));
  out.Set("version", Napi::String::New(env, FASTMLP_VERSION));
  return out;
}

}  // namespace fastmlp::addon
