// The Trainer binding (see trainer_binding.hpp): converts and checks arguments, calls the core,
// converts back. Never loops over data; the core checks order indices itself.
#include "trainer_binding.hpp"

#include <string>

#include "addon.hpp"
#include "guards.hpp"

namespace fastmlp::addon {

Napi::Function define_trainer_class(Napi::Env env, InstanceData* data) { return TrainerWrap::Define(env, data); }

Napi::Function TrainerWrap::Define(Napi::Env env, InstanceData* data) {
  return DefineClass(env, "Trainer",
                     {
                         InstanceMethod("trainEpochs", &TrainerWrap::TrainEpochs),
                         InstanceMethod("trainEpochsAsync", &TrainerWrap::TrainEpochsAsync),
                         InstanceMethod("predict", &TrainerWrap::Predict),
                         InstanceMethod("evaluate", &TrainerWrap::Evaluate),
                         InstanceMethod("dispose", &TrainerWrap::Dispose),
                         InstanceMethod("asyncCopyBytes", &TrainerWrap::AsyncCopyBytes),
                     },
                     data);
}

TrainerWrap::TrainerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TrainerWrap>(info) {
  Napi::Env env = info.Env();
  if (!info.IsConstructCall()) throw Napi::TypeError::New(env, "Trainer must be called with new");
  expect_arg_count(info, 3, "new Trainer");
  const TrainerPlan plan = parse_plan(info[0]);
  const Span<float> params = expect_float32_array(info[1], "params");
  const Span<float> state = expect_float32_array(info[2], "state");
  expect_fixed_length(info[1], "params", "Float32Array");
  expect_fixed_length(info[2], "state", "Float32Array");
  const InstanceData* data = static_cast<const InstanceData*>(info.Data());
  core_ = call_core(env, [&] { return std::make_unique<Trainer>(plan, data->pool.get()); });
  blocks_ = data->blocks;
  expect_length(info[1], params.size, core_->layout().size, "params", "Float32Array", "the plan's parameter count");
  state_size_ = core_->state_size();
  if (plan.optimizer.kind == OptimizerKind::sgd) {
    state_size_ = state.size;  // sgd keeps no state: any length is accepted and left alone
  }
  expect_length(info[2], state.size, state_size_, "state", "Float32Array", "optimizer state for the plan");
  params_ref_ = Napi::Persistent(info[1]);
  state_ref_ = Napi::Persistent(info[2]);
  report_memory(env);
}

void TrainerWrap::expect_usable(Napi::Env env, const char* method) const {
  if (!core_) throw Napi::Error::New(env, std::string("trainer is disposed: cannot call ") + method);
  if (busy_) {
    throw Napi::Error::New(env, std::string("trainer is busy: a trainEpochsAsync call is still running; await it "
                                            "before calling ") + method);
  }
}

ModelBuffers TrainerWrap::model() {
  const Napi::Value params_value = params_ref_.Value();
  const Napi::Value state_value = state_ref_.Value();
  ModelBuffers m;
  m.params = expect_float32_array(params_value, "params");
  m.state = expect_float32_array(state_value, "state");
  expect_length(params_value, m.params.size, core_->layout().size, "params", "Float32Array",
                "the plan's parameter count");
  expect_length(state_value, m.state.size, state_size_, "state", "Float32Array", "optimizer state for the plan");
  return m;
}

TrainJob TrainerWrap::parse_train(const Napi::CallbackInfo& info, const char* method) {
  Napi::Env env = info.Env();
  expect_usable(env, method);
  // The ninth argument, metric (a Float64Array or null), is optional, and so are the four
  // after it: schedule, rng, learningRates, weights.
  if (info.Length() < 8 || info.Length() > 13) {
    throw Napi::TypeError::New(env, std::string("Expected 8 to 13 arguments (metric, schedule, rng, "
                                                "learningRates and weights optional) for ") +
                                        method + " but received " + std::to_string(info.Length()));
  }
  TrainJob job;
  job.trainer = core_.get();
  Span<float> X = expect_float32_array(info[0], "X");
  Span<float> Y = expect_float32_array(info[1], "Y");
  job.rows = expect_size(info[2], "rows", 1, kMaxElements);
  if (!info[3].IsNull()) {
    job.has_order = true;
    job.order = expect_uint32_array(info[3], "order");
  }
  job.epochs = static_cast<std::size_t>(expect_in_range(info[4], "epochs", contract::kChunkEpochs));
  job.batch_size = expect_size(info[5], "batchSize", 1, core_->plan().batch_size);
  job.step = expect_step(info[6], "step");
  job.losses = expect_float64_array(info[7], "losses");
  expect_fixed_length(info[0], "X", "Float32Array");
  expect_fixed_length(info[1], "Y", "Float32Array");
  if (job.has_order) expect_fixed_length(info[3], "order", "Uint32Array");
  expect_fixed_length(info[7], "losses", "Float64Array");
  expect_at_least(info[0], &X, expect_elements(env, job.rows, core_->inputs(), "X", info[0]), "X", "Float32Array",
                  "rows x inputs");
  expect_at_least(info[1], &Y, expect_elements(env, job.rows, core_->outputs(), "Y", info[1]), "Y", "Float32Array",
                  "rows x outputs");
  if (job.has_order) {
    // A caller may reuse one order buffer sized for its longest chunk.
    expect_at_least(info[3], &job.order, expect_elements(env, job.epochs, job.rows, "order", info[3]), "order",
                    "Uint32Array", "epochs x rows");
  }
  expect_at_least(info[7], &job.losses, job.epochs, "losses", "Float64Array", "epochs");
  if (info.Length() >= 9 && !info[8].IsNull() && !info[8].IsUndefined()) {
    job.metric = expect_float64_array(info[8], "metric");
    expect_fixed_length(info[8], "metric", "Float64Array");
    expect_at_least(info[8], &job.metric, job.epochs, "metric", "Float64Array", "epochs");
  }
  parse_chunk_extras(info, 9, core_->has_dropout(), &job);
  if (info.Length() >= 13 && !info[12].IsNull() && !info[12].IsUndefined()) {
    // Values (finite, >= 0) are the core's to check, as order's indices are.
    Span<float> weights = expect_float32_array(info[12], "weights");
    expect_fixed_length(info[12], "weights", "Float32Array");
    expect_at_least(info[12], &weights, job.rows, "weights", "Float32Array", "rows");
    job.weights = Span<const float>{weights.data, weights.size};
  }
  job.X = Span<const float>{X.data, X.size};
  job.Y = Span<const float>{Y.data, Y.size};
  job.model = model();
  return job;
}

Napi::Value TrainerWrap::TrainEpochs(const Napi::CallbackInfo& info) {
  const TrainJob job = parse_train(info, "trainEpochs");
  const std::uint64_t step = call_core(info.Env(), [&] { return job.run(); });
  report_memory(info.Env());
  return Napi::Number::New(info.Env(), static_cast<double>(step));
}

TrainJob TrainerWrap::own(Napi::Env env, const TrainJob& job) {
  TrainJob owned = job;
  call_core(env, [&] {
    // What lies in shared blocks (the fit loop's inputs, the network's params and state) is used
    // in place, held, not copied: the worker reads the inputs and trains params and state there.
    owned.X = share_or_copy(job.X, &copies_.X, &owned.held[kHeldX]);
    owned.Y = share_or_copy(job.Y, &copies_.Y, &owned.held[kHeldY]);
    if (job.has_order) owned.order = share_or_copy(job.order, &copies_.order, &owned.held[kHeldOrder]);
    owned.model.params = share_or_copy(job.model.params, &copies_.params, &owned.held[kHeldParams]);
    // sgd keeps no state: its array, of any length, is left alone (not copied, not written back).
    const bool stateless = core_->plan().optimizer.kind == OptimizerKind::sgd;
    owned.model.state =
        stateless ? Span<float>{} : share_or_copy(job.model.state, &copies_.state, &owned.held[kHeldState]);
    if (job.weights.data != nullptr) {
      owned.weights = share_or_copy(job.weights, &copies_.weights, &owned.held[kHeldWeights]);
    }
    if (job.rng != nullptr) owned.rng = copies_.rng.copy_of(job.rng, kRngWords).data;
    owned.losses = copies_.losses.copy_of(job.losses.data, job.losses.size);
    owned.metric = copies_.metric.copy_of(job.metric.data, job.metric.size);
    owned.learning_rates = copies_.learning_rates.copy_of(job.learning_rates.data, job.learning_rates.size);
  });
  report_memory(env);
  return owned;
}

template <class T>
Span<T> TrainerWrap::share_or_copy(Span<T> s, OwnedBuffer<std::remove_const_t<T>>* copy,
                                   std::shared_ptr<SharedBlock>* hold) {
  *hold = blocks_->find(s.data, s.size * sizeof(T));
  if (*hold) return s;
  const Span<std::remove_const_t<T>> c = copy->copy_of(s.data, s.size);
  return Span<T>{c.data, c.size};
}

// The bytes of the trainer's async copies (async_copies.hpp): what trainEpochsAsync had to copy
// because it did not find it in a shared block (test/88 checks a fit copies no X or Y, test/58
// no params or optimizer state).
Napi::Value TrainerWrap::AsyncCopyBytes(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 0, "asyncCopyBytes");
  return Napi::Number::New(info.Env(), static_cast<double>(copies_.bytes()));
}

Napi::Value TrainerWrap::TrainEpochsAsync(const Napi::CallbackInfo& info) {
  const TrainJob job = own(info.Env(), parse_train(info, "trainEpochsAsync"));
  Napi::Value promise = queue_train(info, this, job);
  busy_ = true;
  return promise;
}


Napi::Value TrainerWrap::Predict(const Napi::CallbackInfo& info) {
  // The success path without building any string: the same checks as the guards below (usable,
  // 3 arguments, X / out live Float32Arrays of >= rows x inputs / outputs, rows an integer in
  // 0..2^31, params / state still the plan's lengths), each answered with a bool. Any failure
  // returns false before the core runs, and the guards below redo the checks and throw the usual
  // error.
  const auto fast = [&]() -> bool {
    if (!core_ || busy_ || info.Length() != 3) return false;
    napi_env env = info.Env();
    ForwardArgs a;
    Span<float> params, state;
    if (!quick_predict_args(info, core_->inputs(), core_->outputs(), &a) ||
        !quick_float32_array(env, params_ref_.Value(), &params) || params.size != core_->layout().size ||
        !quick_float32_array(env, state_ref_.Value(), &state) || state.size != state_size_) {
      return false;
    }
    call_core(info.Env(), [&] { core_->predict({params.data, params.size}, {a.X.data, a.X.size}, a.rows, a.out); });
    report_memory(info.Env());
    return true;
  };
  if (fast()) return info.Env().Undefined();
  Napi::Env env = info.Env();
  expect_usable(env, "predict");
  expect_arg_count(info, 3, "predict");
  const ForwardArgs a = expect_predict_args(info, core_->inputs(), core_->outputs());
  const ModelBuffers m = model();
  call_core(env, [&] { core_->predict({m.params.data, m.params.size}, {a.X.data, a.X.size}, a.rows, a.out); });
  report_memory(env);
  return env.Undefined();
}

Napi::Value TrainerWrap::Evaluate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  expect_usable(env, "evaluate");
  expect_evaluate_arg_count(info);
  const ForwardArgs a = expect_evaluate_args(info, core_->inputs(), core_->outputs());
  const Span<const float> weights = expect_evaluate_weights(info, a.rows);
  const ModelBuffers m = model();
  const double loss = call_core(env, [&] {
    return core_->evaluate({m.params.data, m.params.size}, {a.X.data, a.X.size}, {a.Y.data, a.Y.size}, a.rows, a.out,
                           weights);
  });
  report_memory(env);
  return Napi::Number::New(env, loss);
}

Napi::Value TrainerWrap::Dispose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  expect_arg_count(info, 0, "dispose");
  if (!core_) return env.Undefined();  // safe to call twice
  expect_usable(env, "dispose");
  core_.reset();
  copies_.release();
  memory_.release(env);
  params_ref_.Reset();
  state_ref_.Reset();
  return env.Undefined();
}

}  // namespace fastmlp::addon
