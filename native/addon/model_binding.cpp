// The Model class exposed to JS (Napi::ObjectWrap around fastmlp::Model): the inference model,
// built from a plain plan object ({ layers, loss, threads }) and the params Float32Array (kept
// alive by a reference, re-checked on every call), with predict, predictChecked, evaluate,
// workspaceBytes and dispose. Runs on the calling thread; its products borrow the isolate's thread pool.
#include <cstdint>
#include <memory>
#include <string>

#include "addon.hpp"
#include "external_memory.hpp"
#include "guards.hpp"
#include "model.hpp"

namespace fastmlp::addon {

namespace {

class ModelWrap : public Napi::ObjectWrap<ModelWrap> {
 public:
  static Napi::Function Define(Napi::Env env, InstanceData* data) {
    return DefineClass(env, "Model",
                       {
                           InstanceMethod("predict", &ModelWrap::Predict),
                           InstanceMethod("predictChecked", &ModelWrap::PredictChecked),
                           InstanceMethod("evaluate", &ModelWrap::Evaluate),
                           InstanceMethod("workspaceBytes", &ModelWrap::WorkspaceBytes),
                           InstanceMethod("dispose", &ModelWrap::Dispose),
                       },
                       data);
  }

  explicit ModelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ModelWrap>(info) {
    Napi::Env env = info.Env();
    if (!info.IsConstructCall()) throw Napi::TypeError::New(env, "Model must be called with new");
    expect_arg_count(info, 2, "new Model");
    const ModelPlan plan = parse_model_plan(info[0]);
    const Span<float> params = expect_float32_array(info[1], "params");
    const InstanceData* data = static_cast<const InstanceData*>(info.Data());
    core_ = call_core(env, [&] { return std::make_unique<Model>(plan, data->pool.get()); });
    expect_length(info[1], params.size, core_->layout().size, "params", "Float32Array",
                  "the plan's parameter count");
    params_ref_ = Napi::Persistent(info[1]);
    memory_.sync(env, core_->native_bytes());
  }

  void Finalize(Napi::Env env) override { memory_.release(env); }

 private:
  Napi::Value Predict(const Napi::CallbackInfo& info) {
    run_predict(info, "predict", [&](Span<const float> params, const ForwardArgs& a) {
      core_->predict(params, {a.X.data, a.X.size}, a.rows, a.out);
    });
    return info.Env().Undefined();
  }

  // predict(X, rows, out) that checks X on the way (Model::predict_checked): the index of X's
  // first non-finite value, or -1.
  Napi::Value PredictChecked(const Napi::CallbackInfo& info) {
    std::int64_t bad = -1;
    run_predict(info, "predictChecked", [&](Span<const float> params, const ForwardArgs& a) {
      bad = core_->predict_checked(params, {a.X.data, a.X.size}, a.rows, a.out);
    });
    return Napi::Number::New(info.Env(), static_cast<double>(bad));
  }

  // predict's argument checks around `run` (params, X, rows, out): the success path builds no
  // string (the guards' checks answered with bools, guards.hpp); any failure falls through to the
  // guards below, which throw the usual error.
  template <typename Run>
  void run_predict(const Napi::CallbackInfo& info, const char* method, const Run& run) {
    const auto fast = [&]() -> bool {
      if (!core_ || info.Length() != 3) return false;
      ForwardArgs a;
      Span<float> params;
      if (!quick_predict_args(info, core_->inputs(), core_->outputs(), &a) ||
          !quick_float32_array(info.Env(), params_ref_.Value(), &params) || params.size != core_->layout().size) {
        return false;
      }
      call_core(info.Env(), [&] { run({params.data, params.size}, a); });
      memory_.sync(info.Env(), core_->native_bytes());
      return true;
    };
    if (fast()) return;
    Napi::Env env = info.Env();
    expect_alive(env, method);
    expect_arg_count(info, 3, method);
    const ForwardArgs a = expect_predict_args(info, core_->inputs(), core_->outputs());
    const Span<float> params = this->params();
    call_core(env, [&] { run({params.data, params.size}, a); });
    memory_.sync(env, core_->native_bytes());
  }

  Napi::Value Evaluate(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    expect_alive(env, "evaluate");
    expect_evaluate_arg_count(info);
    const ForwardArgs a = expect_evaluate_args(info, core_->inputs(), core_->outputs());
    const Span<const float> weights = expect_evaluate_weights(info, a.rows);
    const Span<float> params = this->params();
    const double loss = call_core(env, [&] {
      return core_->evaluate({params.data, params.size}, {a.X.data, a.X.size}, {a.Y.data, a.Y.size}, a.rows, a.out,
                             weights);
    });
    memory_.sync(env, core_->native_bytes());
    return Napi::Number::New(env, loss);
  }

  Napi::Value WorkspaceBytes(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    expect_arg_count(info, 0, "workspaceBytes");
    return Napi::Number::New(env, core_ ? static_cast<double>(core_->workspace_bytes()) : 0.0);
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    expect_arg_count(info, 0, "dispose");
    core_.reset();  // safe to call twice
    memory_.release(env);
    params_ref_.Reset();
    return env.Undefined();
  }

  void expect_alive(Napi::Env env, const char* method) const {
    if (!core_) throw Napi::Error::New(env, std::string("model is disposed: cannot call ") + method);
  }

  // The params array, re-checked (still a Float32Array of the plan's live length).
  Span<float> params() {
    const Napi::Value value = params_ref_.Value();
    const Span<float> p = expect_float32_array(value, "params");
    expect_length(value, p.size, core_->layout().size, "params", "Float32Array", "the plan's parameter count");
    return p;
  }

  std::unique_ptr<Model> core_;
  Napi::Reference<Napi::Value> params_ref_;
  ReportedMemory memory_;
};

}  // namespace

Napi::Function define_model_class(Napi::Env env, InstanceData* data) { return ModelWrap::Define(env, data); }

}  // namespace fastmlp::addon
