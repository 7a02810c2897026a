// The Trainer class exposed to JS (Napi::ObjectWrap around fastmlp::Trainer): built from a plain
// plan object + params + state Float32Arrays (kept alive by references, re-checked on every
// call), with trainEpochs, trainEpochsAsync, predict, evaluate and dispose.
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>
#include <type_traits>

#include "async_copies.hpp"
#include "external_memory.hpp"
#include "mlp.hpp"
#include "random.hpp"
#include "shared_blocks.hpp"

namespace fastmlp::addon {

struct InstanceData;

// The arrays an async call may find in a shared block (shared_blocks.hpp) and use in place:
// TrainJob::held's slots.
enum HeldSlot : std::size_t { kHeldX, kHeldY, kHeldOrder, kHeldWeights, kHeldParams, kHeldState, kHeldCount };

// One train_epochs call, fully checked, built on the main thread. Its spans point into JS memory,
// valid until JS runs again; an async call first points them at the trainer's own copies or at
// shared blocks it holds (TrainerWrap::own), which stay valid until it settles.
struct TrainJob {
  Trainer* trainer = nullptr;
  ModelBuffers model;
  Span<const float> X, Y;
  std::size_t rows = 0;
  bool has_order = false;
  Span<const std::uint32_t> order;
  std::size_t epochs = 0;
  std::size_t batch_size = 0;
  std::uint64_t step = 0;
  Span<double> losses;
  Span<double> metric;  // empty: not measuring
  bool has_schedule = false;
  ChunkSchedule schedule;
  std::uint32_t* rng = nullptr;  // the caller's Uint32Array, advanced in place
  Span<double> learning_rates;
  Span<const float> weights;  // empty: unit weights
  // The shared blocks (shared_blocks.hpp) an async call reads X, Y, order and weights from and
  // trains params and state in, in place, held until the worker is destroyed (HeldSlot); empty
  // for what it copied.
  std::shared_ptr<SharedBlock> held[kHeldCount];

  std::uint64_t run() const {
    TrainExtras extras;
    extras.schedule = has_schedule ? &schedule : nullptr;
    extras.rng = rng;
    extras.learning_rates = learning_rates;
    return trainer->train_epochs(model, X, Y, rows, has_order ? &order : nullptr, epochs, batch_size, step, losses,
                                 metric, extras, weights);
  }
};

// chunk_extras.cpp: the optional arguments after `correct` (info[first..]): schedule (an object
// or null), rng (a Uint32Array of 4 words, not all zero, or null; required when needs_rng) and
// learningRates (a Float64Array of >= epochs, or null), checked in lib/engine/ts/trainer.ts's order.
void parse_chunk_extras(const Napi::CallbackInfo& info, std::size_t first, bool needs_rng, TrainJob* job);

class TrainerWrap : public Napi::ObjectWrap<TrainerWrap> {
 public:
  static Napi::Function Define(Napi::Env env, InstanceData* data);
  explicit TrainerWrap(const Napi::CallbackInfo& info);

  // Called on the main thread when an async train settles.
  void clear_busy() { busy_ = false; }
  // Reports to V8 what the trainer now holds natively (its packing buffers grow on first use;
  // the async calls' copies grow to the largest call).
  void report_memory(Napi::Env env) {
    if (core_) memory_.sync(env, core_->native_bytes() + copies_.bytes());
  }
  // The params and state arrays the trainer was built with (an async call writes its results
  // back into them when it settles).
  Napi::Value params_value() const { return params_ref_.Value(); }
  Napi::Value state_value() const { return state_ref_.Value(); }
  void Finalize(Napi::Env env) override { memory_.release(env); }

 private:
  Napi::Value TrainEpochs(const Napi::CallbackInfo& info);
  Napi::Value TrainEpochsAsync(const Napi::CallbackInfo& info);
  Napi::Value Predict(const Napi::CallbackInfo& info);
  Napi::Value Evaluate(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  // Throws unless the trainer is neither disposed nor busy with an async train.
  void expect_usable(Napi::Env env, const char* method) const;
  // The params and state arrays, re-checked (still Float32Arrays of the same, live length).
  ModelBuffers model();
  TrainJob parse_train(const Napi::CallbackInfo& info, const char* method);
  // job with every span pointed at a copy in copies_, or, for an array in a shared block (X, Y,
  // order, weights, params, state), at the block itself, held in job.held (main thread; out of
  // memory: an Error).
  TrainJob own(Napi::Env env, const TrainJob& job);

  // The span s itself when it lies in a shared block (held in *hold), else a copy of it in copy.
  template <class T>
  Span<T> share_or_copy(Span<T> s, OwnedBuffer<std::remove_const_t<T>>* copy, std::shared_ptr<SharedBlock>* hold);
  Napi::Value AsyncCopyBytes(const Napi::CallbackInfo& info);

  std::unique_ptr<Trainer> core_;
  std::shared_ptr<BlockRegistry> blocks_;
  Napi::Reference<Napi::Value> params_ref_;
  Napi::Reference<Napi::Value> state_ref_;
  std::size_t state_size_ = 0;
  bool busy_ = false;
  AsyncCopies copies_;
  ReportedMemory memory_;
};

// trainer_async.cpp: queues job (already pointed at owner's copies and shared blocks) on the libuv
// pool and returns its Promise<number> (the new step). On the main thread when the worker is done:
// writes the copied results (params and state when copied, rng, losses, metric, learningRates)
// back into the call's arrays when all of them, and params and state trained in place, are still
// attached (else rejects with a TypeError naming the detached one, writing nothing back), clears
// owner's busy flag.
Napi::Value queue_train(const Napi::CallbackInfo& info, TrainerWrap* owner, const TrainJob& job);

}  // namespace fastmlp::addon
