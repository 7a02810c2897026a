// The trainer's owned first layer: on 2+ threads a training step beats one thread only if no
// line of W crosses from core to core, and a step touches W three times (the forward product
// reads it, the gradient product writes dW, the update writes W). So W0 is split by rows into
// kOwnedParts parts, and part t's rows are read and written by part t's thread only:
//   forward   Z0 = X[:, rows t] W0[rows t, :] summed over the parts (a partial product each,
//             added in part order with the bias after), then A0 = f(Z0) on the caller;
//   gradient  dW0[rows t, :] = X[:, rows t]^T dZ0 (db0, from dZ0, on the caller);
//   update    W0[rows t, :] and its optimizer state stepped by part t; the other layers' few
//             parameters by part 0.
// On 784-128-10 at batch 64 that split took the layer's products and SGD update to 1.49-1.59x one
// thread, where splitting by columns of W gave 1.06-1.19x and splitting dW and the update by rows
// with the forward product whole 0.91-0.94x (native/bench/ownership_bench.cpp).
// The parts are fixed (not the thread count), and a 1-thread trainer runs them one after the
// other: the forward's sums run in the same order on any number of threads, so training gives
// the same bits on any (test/22). The parts are handed to the threads by run_chunks, to whichever
// thread claims each first: so a descheduled worker slows a step to one thread's speed, never
// below it, but which thread runs which part is usual, not guaranteed (with spinning workers the
// pairing mostly repeats step after step; when it flips, that step's lines of W change core).
// Part 0 also carries the small rest of the update (b0 and the later layers).
// A shuffled batch (fit's default) is gathered by the parts too: part t copies its columns of the
// batch's rows of X into xbatch_, so the lines it reads in both products were written by its own
// core, but for the line where the two parts meet in each row (784 / 2 = 392 floats is no 16-float
// boundary; moving the bound to one changed the bits and measured no faster). Gathered whole by
// the caller, half of each row crossed to the other core every step: on 784-128-10 at batch 64
// over 19,200 rows that cost 17% on 2 threads (trainer_bench --shuffle 1 --rows 19200).
// Layer 0 only: it needs no input gradient (dX = dZ W^T would read every row of W), and it is
// the wide one of the networks this serves (784 pixels in). The parts' products run on the
// kernel table's sup rows kernel (gemm/sup), which reads a part's columns of X in place; which
// layers are owned is the table's (DirectLimits::owned_*, gemm/blocking.hpp, with the figures).
#include <cstring>

#include "cpu/dispatch.hpp"
#include "gemm/blocking.hpp"
#include "gemm/sup/sup_kernel.hpp"
#include "mlp.hpp"
#include "vecmath.hpp"

namespace fastmlp {

bool owns_first_layer(const TrainerPlan& plan) {
  const LayerPlan& l = plan.layers.front();
  const gemm_blocking::DirectLimits& limits = cpu::kernels().gemm_direct_limits;
  const std::size_t volume = plan.batch_size * l.inputs * l.units;
  return l.inputs >= kOwnedMinInputs && volume >= gemm_blocking::kParallelDirectMinVolume &&
         volume <= limits.owned_max_volume && l.inputs * l.units <= limits.owned_max_weights;
}

void Trainer::owned_forward(const float* params, const float* X, std::size_t rows, const Ungathered* gather) {
  const LayerPlan& lp = plan_.layers.front();
  const LayerOffsets& o = layout_.layers.front();
  struct Job {
    SupKernel kernel;
    const float* X;
    const float* W;
    float* partials;
    std::size_t rows, inputs, units, stride;
    const std::size_t* bounds;
    float* batch;  // xbatch_, to fill from gather (X is then xbatch_ too)
    const Ungathered* gather;
  } job{cpu::kernels().gemm_sup.rows, X, params + o.w, partials_.data(), rows, lp.inputs, lp.units, owned_stride_,
        owned_bounds_, xbatch_.data(), gather};
  // One captured pointer: within std::function's inline storage, so no allocation per step.
  pool_->run_chunks(kOwnedParts, [&job](std::size_t, std::size_t part) {
    const std::size_t r0 = job.bounds[part], r1 = job.bounds[part + 1];
    if (job.gather != nullptr) {  // this part's columns of the batch's rows
      for (std::size_t i = 0; i < job.rows; ++i) {
        std::memcpy(job.batch + i * job.inputs + r0, job.gather->X + job.gather->order[i] * job.inputs + r0,
                    (r1 - r0) * sizeof(float));
      }
    }
    job.kernel({job.rows, job.units, r1 - r0, job.X + r0, job.inputs, 1, job.W + r0 * job.units, job.units, 1,
                1.0f, 0.0f, nullptr, job.partials + part * job.stride});
  });
  const bool output = plan_.layers.size() == 1;
  float* A = acts_.front().data();
  float* Z = output ? zout_.data() : A;
  const float* b = o.has_bias ? params + o.b : nullptr;
  // One pass: the parts in order, then the bias.
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < lp.units; ++j) {
      const std::size_t e = i * lp.units + j;
      float z = partials_[e];
      for (std::size_t part = 1; part < kOwnedParts; ++part) z += partials_[part * owned_stride_ + e];
      Z[e] = b != nullptr ? z + b[j] : z;
    }
  }
  activation_forward(lp.activation, A, Z, rows, lp.units);
}

void Trainer::owned_backward(const float* X, std::size_t rows, bool dz_ready) {
  const LayerPlan& lp = plan_.layers.front();
  const LayerOffsets& o = layout_.layers.front();
  float* dZ = dacts_.front().data();
  if (!dz_ready) activation_backward(lp.activation, dZ, dZ, acts_.front().data(), rows, lp.units);
  struct Job {
    SupKernel kernel;
    const float* X;
    const float* dZ;
    float* dW;
    std::size_t rows, inputs, units;
    const std::size_t* bounds;
  } job{cpu::kernels().gemm_sup.rows, X, dZ, grads_.data() + o.w, rows, lp.inputs, lp.units, owned_bounds_};
  pool_->run_chunks(kOwnedParts, [&job](std::size_t, std::size_t part) {
    const std::size_t r0 = job.bounds[part], r1 = job.bounds[part + 1];
    job.kernel({r1 - r0, job.units, job.rows, job.X + r0, 1, job.inputs, job.dZ, job.units, 1, 1.0f, 0.0f, nullptr,
                job.dW + r0 * job.units});
  });
  if (o.has_bias) vec_column_sums(grads_.data() + o.b, dZ, rows, lp.units);
}

void Trainer::owned_update(ModelBuffers model, std::uint64_t step, float scale) {
  const LayerOffsets& o = layout_.layers.front();
  const std::size_t units = plan_.layers.front().units;
  struct Job {
    ModelBuffers model;
    std::uint64_t step;
    float scale;
    std::size_t w_begin, w_end, size, units;
    const std::size_t* bounds;
  } job{model, step, scale, o.w, o.w + plan_.layers.front().inputs * units, layout_.size, units, owned_bounds_};
  pool_->run_chunks(kOwnedParts, [this, &job](std::size_t, std::size_t part) {
    const auto step_range = [&](std::size_t begin, std::size_t end) {
      if (begin >= end) return;
      if (job.scale != 1.0f) scale_gradients(grads_.data(), begin, end, job.scale);
      optimizer_step_range(step_optimizer_, layout_, job.step, job.model.params.data, grads_.data(),
                           job.model.state.data, begin, end);
    };
    step_range(job.w_begin + job.bounds[part] * job.units, job.w_begin + job.bounds[part + 1] * job.units);
    if (part == 0) {  // everything but W0: its bias and the later layers
      step_range(0, job.w_begin);
      step_range(job.w_end, job.size);
    }
  });
}

}  // namespace fastmlp
