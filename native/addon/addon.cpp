// The fastmlp addon's entry: registers gemm, info and the Model and Trainer classes, nothing else.
// Context-aware through Napi::Addon (instance data per environment), so it loads in any number
// of worker_threads.
#include "addon.hpp"

namespace fastmlp::addon {

class FastmlpAddon : public Napi::Addon<FastmlpAddon> {
 public:
  FastmlpAddon(Napi::Env env, Napi::Object exports) {
    DefineAddon(exports, {
                             InstanceMethod("gemm", &FastmlpAddon::CallGemm, napi_enumerable),
                             InstanceMethod("info", &FastmlpAddon::CallInfo, napi_enumerable),
                             InstanceValue("Model", define_model_class(env, &data), napi_enumerable),
                             InstanceValue("Trainer", define_trainer_class(env, &data), napi_enumerable),
                         });
  }

  InstanceData data;

 private:
  Napi::Value CallGemm(const Napi::CallbackInfo& info) { return Gemm(info, data); }
  Napi::Value CallInfo(const Napi::CallbackInfo& info) { return Info(info); }
};

}  // namespace fastmlp::addon

using fastmlp::addon::FastmlpAddon;
NODE_API_ADDON(FastmlpAddon)
