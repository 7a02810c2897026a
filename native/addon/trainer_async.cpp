// trainEpochsAsync: a Napi::AsyncWorker runs one TrainJob on the libuv thread pool and settles a
// Promise with the new step. The job is built and checked on the main thread; Execute touches
// only the job and catches everything; OnOK / OnError settle the promise and clear busy.
#include <string>

#include "guards.hpp"
#include "trainer_binding.hpp"

namespace fastmlp::addon {

namespace {

class TrainWorker : public Napi::AsyncWorker {
 public:
  TrainWorker(const Napi::CallbackInfo& info, TrainerWrap* owner, const TrainJob& job)
      : Napi::AsyncWorker(info.Env(), "fastmlp.trainEpochsAsync"),
        deferred_(Napi::Promise::Deferred::New(info.Env())),
        owner_(owner),
        job_(job) {
    // References keep the trainer (and through it params/state) and every array of the call
    // alive until the worker is destroyed, on the main thread, after it settled.
    owner_ref_ = Napi::Persistent(info.This());
    for (std::size_t i : {0, 1, 3, 7, 8, 10, 11, 12}) {
      if (i < info.Length() && info[i].IsObject()) arrays_[count_++] = Napi::Persistent(info[i]);
    }
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
  Napi::Reference<Napi::Value> arrays_[8];
  std::size_t count_ = 0;
  std::uint64_t result_ = 0;
  ErrorKind kind_ = ErrorKind::none;
  std::string message_;
};

}  // namespace

Napi::Value queue_train(const Napi::CallbackInfo& info, TrainerWrap* owner, const TrainJob& job) {
  auto* worker = new TrainWorker(info, owner, job);
  Napi::Promise promise = worker->promise();
  worker->Queue();  // the worker deletes itself after OnOK / OnError
  return promise;
}

}  // namespace fastmlp::addon
