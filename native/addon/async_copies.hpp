// The memory an async train owns (issue 15, finding 1). A referenced ArrayBuffer does not keep
// its memory: JS can detach it during the call (structuredClone / postMessage with transfer,
// ArrayBuffer.prototype.transfer) and the memory then belongs to the clone, which may be
// collected while the worker still reads or writes it. N-API can neither pin a backing store nor
// forbid a detach, so trainEpochsAsync copies, on the main thread before it queues the worker,
// everything the worker touches (X, Y, order, weights, params, state, the dropout generator,
// losses, metric, learningRates) into buffers the trainer owns, except what lives in the addon's
// own shared blocks (shared_blocks.hpp): the fit loop's inputs (X, Y, order, weights) and a
// network's params and optimizer state (lib/model-state.ts allocates them there), which it holds
// a reference to and uses in place, the worker training params and state in their blocks (a
// network's ~22 MB each way per chunk for 784-1024-1024-10 with Adam, no longer copied: issue 13).
// It writes the copied results back on the main thread when the worker is done, only into arrays
// still attached (trainer_async.cpp). The buffers are kept and reused by the next call (a trainer
// runs one async call at a time: busy), so a fit's chunks allocate nothing after the first, and
// they are reported to V8 with the trainer's other native memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "sizes.hpp"

namespace fastmlp::addon {

// A buffer of T grown on demand (never zero-filled: every use copies into it first).
template <class T>
class OwnedBuffer {
 public:
  // n elements (contents unspecified); reallocates only to grow.
  Span<T> take(std::size_t n) {
    if (n > capacity_) {
      data_.reset();  // free the smaller one before allocating the larger
      capacity_ = 0;
      data_.reset(new T[n]);
      capacity_ = n;
    }
    return Span<T>{n == 0 ? nullptr : data_.get(), n};
  }
  // A copy of source's elements.
  Span<T> copy_of(const T* source, std::size_t n) {
    const Span<T> s = take(n);
    if (n != 0) std::memcpy(s.data, source, n * sizeof(T));
    return s;
  }
  std::size_t bytes() const { return capacity_ * sizeof(T); }
  void release() {
    data_.reset();
    capacity_ = 0;
  }

 private:
  std::unique_ptr<T[]> data_;
  std::size_t capacity_ = 0;
};

// One set of copies per trainer: the inputs (X, Y, order, weights) and the outputs (params,
// state, the dropout generator, losses, metric, learningRates; copied in too, since the core
// updates params, state and the generator in place).
struct AsyncCopies {
  OwnedBuffer<float> X, Y, weights, params, state;
  OwnedBuffer<std::uint32_t> order, rng;
  OwnedBuffer<double> losses, metric, learning_rates;

  std::size_t bytes() const {
    return X.bytes() + Y.bytes() + weights.bytes() + params.bytes() + state.bytes() + order.bytes() + rng.bytes() +
           losses.bytes() + metric.bytes() + learning_rates.bytes();
  }
  void release() {
    X.release();
    Y.release();
    weights.release();
    params.release();
    state.release();
    order.release();
    rng.release();
    losses.release();
    metric.release();
    learning_rates.release();
  }
};

}  // namespace fastmlp::addon
