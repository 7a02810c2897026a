// The fastmlp addon's entry: registers gemm, info, the allocators of shared_blocks.hpp, scanFinite and the
// Model and Trainer classes, nothing else.
// Context-aware through Napi::Addon (instance data per environment), so it loads in any number
// of worker_threads.
#include "addon.hpp"

namespace fastmlp::addon {

class FastmlpAddon : public Napi::Addon<FastmlpAddon> {
 public:
  FastmlpAddon(Napi::Env env, Napi::Object exports) {
    data.resizable_getter = prototype_getter(env, "ArrayBuffer", "resizable");
    data.growable_getter = prototype_getter(env, "SharedArrayBuffer", "growable");
    data.is_proxy = util_types_function(env, "isProxy");
    DefineAddon(exports, {
                             InstanceMethod("gemm", &FastmlpAddon::CallGemm, napi_enumerable),
                             InstanceMethod("info", &FastmlpAddon::CallInfo, napi_enumerable),
                             InstanceMethod("allocateFloat32", &FastmlpAddon::CallAllocateFloat32, napi_enumerable),
                             InstanceMethod("allocateUint32", &FastmlpAddon::CallAllocateUint32, napi_enumerable),
                             InstanceMethod("scanFinite", &FastmlpAddon::CallScanFinite, napi_enumerable),
                             InstanceValue("Model", define_model_class(env, &data), napi_enumerable),
                             InstanceValue("Trainer", define_trainer_class(env, &data), napi_enumerable),
                         });
  }

  InstanceData data;

 private:
  static Napi::FunctionReference prototype_getter(Napi::Env env, const char* type, const char* property) {
    const Napi::Object global = env.Global();
    const Napi::Object prototype = global.Get(type).As<Napi::Object>().Get("prototype").As<Napi::Object>();
    const Napi::Object describe = global.Get("Object").As<Napi::Object>();
    const Napi::Value descriptor =
        describe.Get("getOwnPropertyDescriptor").As<Napi::Function>().Call(describe, {prototype, Napi::String::New(env, property)});
    if (!descriptor.IsObject()) return Napi::FunctionReference();  // a runtime without resizable buffers
    const Napi::Value getter = descriptor.As<Napi::Object>().Get("get");
    return getter.IsFunction() ? Napi::Persistent(getter.As<Napi::Function>()) : Napi::FunctionReference();
  }

  // node:util's types.<name>, or an empty reference where the runtime cannot give it.
  static Napi::FunctionReference util_types_function(Napi::Env env, const char* name) {
    const Napi::Value process = env.Global().Get("process");
    if (!process.IsObject()) return Napi::FunctionReference();
    const Napi::Value get_builtin = process.As<Napi::Object>().Get("getBuiltinModule");
    if (!get_builtin.IsFunction()) return Napi::FunctionReference();
    const Napi::Value util = get_builtin.As<Napi::Function>().Call(process, {Napi::String::New(env, "node:util")});
    if (!util.IsObject()) return Napi::FunctionReference();
    const Napi::Value types = util.As<Napi::Object>().Get("types");
    if (!types.IsObject()) return Napi::FunctionReference();
    const Napi::Value fn = types.As<Napi::Object>().Get(name);
    return fn.IsFunction() ? Napi::Persistent(fn.As<Napi::Function>()) : Napi::FunctionReference();
  }

  Napi::Value CallGemm(const Napi::CallbackInfo& info) { return Gemm(info, data); }
  Napi::Value CallInfo(const Napi::CallbackInfo& info) { return Info(info); }
  Napi::Value CallAllocateFloat32(const Napi::CallbackInfo& info) { return AllocateFloat32(info, data.blocks); }
  Napi::Value CallAllocateUint32(const Napi::CallbackInfo& info) { return AllocateUint32(info, data.blocks); }
  Napi::Value CallScanFinite(const Napi::CallbackInfo& info) { return ScanFinite(info); }
};

InstanceData& instance_data(Napi::Env env) { return env.GetInstanceData<FastmlpAddon>()->data; }

}  // namespace fastmlp::addon

using fastmlp::addon::FastmlpAddon;
NODE_API_ADDON(FastmlpAddon)
