// trainEpochsAsync: a Napi::AsyncWorker runs one TrainJob on the libuv thread pool and settles a
// Promise with the new step. The job is built, checked and pointed at the trainer's own copies or
// at the shared blocks it holds on the main thread (async_copies.hpp); Execute touches only those
// and catches everything; OnOK writes the copied results back into the call's arrays and settles
// the promise; both clear busy.
#include <cstring>
#include <string>

#include "guards.hpp"
#include "trainer_binding.hpp"

namespace fastmlp::addon {

namespace {

// The data of the typed array `value` when its buffer is still attached and it holds at least n
// elements (its kind was checked when the call began and cannot change). Runs no JS.
bool live_data(napi_env env, napi_value value, std::size_t n, void** data) {
  napi_typedarray_type type;
  std::size_t length = 0;
  napi_value buffer = nullptr;
  std::size_t offset = 0;
  if (napi_get_typedarray_info(env, value, &type, &length, data, &buffer, &offset) != napi_ok) return false;
  bool detached = true;
  return napi_is_detached_arraybuffer(env, buffer, &detached) == napi_ok && !detached && length >= n;
}

// One result to write back: the copy the worker wrote and the JS array it goes to, or (in_place)
// the JS array's own shared block, which the worker trained in: only checked, nothing to copy.
struct WriteBack {
  const char* name;
  const char* kind;
  napi_value target;
  const void* source;
  std::size_t bytes;
  std::size_t elements;
  bool in_place;
};

class TrainWorker : public Napi::AsyncWorker {
 public:
  TrainWorker(const Napi::CallbackInfo& info, TrainerWrap* owner, const TrainJob& job)
      : Napi::AsyncWorker(info.Env(), "fastmlp.trainEpochsAsync"),
        deferred_(Napi::Promise::Deferred::New(info.Env())),
        owner_(owner),
        job_(job) {
    // The trainer (and through it params / state) and the arrays the results go to stay
    // reachable until the worker settles; the worker itself reads and writes only the copies and
    // the shared blocks the job holds.
    owner_ref_ = Napi::Persistent(info.This());
    losses_ref_ = Napi::Persistent(info[7]);
    if (job_.metric.data != nullptr) metric_ref_ = Napi::Persistent(info[8]);
    if (job_.rng != nullptr) rng_ref_ = Napi::Persistent(info[10]);
    if (job_.learning_rates.data != nullptr) learning_rates_ref_ = Napi::Persistent(info[11]);
  }

  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      result_ = job_.run();
    } catch (...) {
      kind_ = classify_current_exception(&message_);
      SetError(message_);
    }
  }

  // Settling can throw when the environment is shutting down (worker.terminate() during a
  // fit): nothing is left to tell then, and an escaping exception would abort the process.
  void OnOK() override {
    owner_->clear_busy();
    try {
      owner_->report_memory(Env());
      const std::string detached = write_back();
      if (!detached.empty()) {
        deferred_.Reject(Napi::TypeError::New(Env(), detached).Value());
        return;
      }
      deferred_.Resolve(Napi::Number::New(Env(), static_cast<double>(result_)));
    } catch (...) {
    }
  }

  void OnError(const Napi::Error&) override {
    owner_->clear_busy();
    try {
      owner_->report_memory(Env());
      deferred_.Reject(make_error(Env(), kind_, message_).Value());
    } catch (...) {
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  TrainerWrap* owner_;
  TrainJob job_;
  Napi::Reference<Napi::Value> owner_ref_;
  Napi::Reference<Napi::Value> losses_ref_;
  Napi::Reference<Napi::Value> metric_ref_;
  Napi::Reference<Napi::Value> rng_ref_;
  Napi::Reference<Napi::Value> learning_rates_ref_;

  static napi_value value_of(const Napi::Reference<Napi::Value>& ref) {
    return ref.IsEmpty() ? nullptr : static_cast<napi_value>(ref.Value());
  }
  std::uint64_t result_ = 0;
  ErrorKind kind_ = ErrorKind::none;
  std::string message_;

  // Copies the copied results (params and state unless trained in place, the generator, losses,
  // metric, learningRates) into the call's arrays when every one of them, and every array trained
  // in place, is still attached; otherwise writes nothing and returns the error naming the first
  // detached one (JS detached it during the call: the chunk's results have nowhere to go).
  std::string write_back() {
    napi_env env = Env();
    const TrainJob& j = job_;
    const bool params_in_place = j.held[kHeldParams] != nullptr;
    const bool state_in_place = j.held[kHeldState] != nullptr;
    constexpr std::size_t kCount = 6;
    WriteBack all[kCount] = {
        {"params", "Float32Array", owner_->params_value(), j.model.params.data, j.model.params.size * sizeof(float),
         j.model.params.size, params_in_place},
        {"state", "Float32Array", owner_->state_value(), j.model.state.data, j.model.state.size * sizeof(float),
         j.model.state.size, state_in_place},
        {"rng", "Uint32Array", value_of(rng_ref_), j.rng, j.rng == nullptr ? 0 : kRngWords * sizeof(std::uint32_t),
         j.rng == nullptr ? 0 : kRngWords, false},
        {"losses", "Float64Array", losses_ref_.Value(), j.losses.data, j.losses.size * sizeof(double), j.losses.size,
         false},
        {"metric", "Float64Array", value_of(metric_ref_), j.metric.data, j.metric.size * sizeof(double),
         j.metric.size, false},
        {"learningRates", "Float64Array", value_of(learning_rates_ref_), j.learning_rates.data,
         j.learning_rates.size * sizeof(double), j.learning_rates.size, false},
    };
    void* targets[kCount] = {};
    for (std::size_t i = 0; i < kCount; ++i) {
      if (all[i].target == nullptr || all[i].elements == 0) continue;  // nothing to write
      if (!live_data(env, all[i].target, all[i].elements, &targets[i])) {
        return std::string("Expected a ") + all[i].kind + " with a live buffer for " + all[i].name +
               " when trainEpochsAsync settles but received one whose buffer was detached during the call; " +
               (all[i].in_place ? "it was trained in place, in memory that went with its buffer, and nothing"
                                : "nothing") +
               " was written back";
      }
    }
    for (std::size_t i = 0; i < kCount; ++i) {
      if (all[i].bytes != 0 && !all[i].in_place) std::memcpy(targets[i], all[i].source, all[i].bytes);
    }
    return std::string();
  }
};

}  // namespace

Napi::Value queue_train(const Napi::CallbackInfo& info, TrainerWrap* owner, const TrainJob& job) {
  auto* worker = new TrainWorker(info, owner, job);
  Napi::Promise promise = worker->promise();
  worker->Queue();  // the worker deletes itself after OnOK / OnError
  return promise;
}

}  // namespace fastmlp::addon
