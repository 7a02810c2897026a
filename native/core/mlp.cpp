// The MLP trainer (see mlp.hpp): plan validation, workspaces allocated once, and the train
// loop over dense_forward / dense_backward, the losses and the optimizer step. Nothing in it
// allocates after construction; predict / evaluate are the inference Model's (model.cpp), whose
// workspaces are made on the first call.
#include "mlp.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "dense.hpp"
#include "dropout.hpp"
#include "metrics.hpp"

namespace fastmlp {

namespace {

// The optimizer update is split across the pool only when it has this many parameters (a
// split costs ~1-2 us with spinning workers) and only once the pool's workers exist (some
// product was large enough to start them): a small network never starts a thread for it.
constexpr std::size_t kParallelUpdateMin = std::size_t{1} << 15;
// Split points of the update fall on multiples of this many floats (one 64-byte line), so two
// threads never write the same cache line.
constexpr std::size_t kUpdateAlign = 16;

[[noreturn]] void bad(const std::string& expected, const std::string& name, const std::string& received) {
  throw std::invalid_argument("Expected " + expected + " for " + name + " but received " + received);
}

}  // namespace

// --- plan -----------------------------------------------------------------------------------

void validate_plan(const TrainerPlan& plan) {
  validate_layers(plan.layers, plan.loss);
  validate_huber_delta(plan.huber_delta);
  if (!contract::in_range(contract::kBatchSize, static_cast<double>(plan.batch_size))) {
    bad(contract::kBatchSize.expected, "plan.batchSize", std::to_string(plan.batch_size));
  }
  validate_threads(plan.threads);
  validate_optimizer(plan.optimizer);
  const ParamLayout layout = param_layout(plan.layers);  // throws std::length_error when too large
  validate_params(layout.size);
  optimizer_state_size(plan.optimizer.kind, layout.size);
  for (const LayerPlan& l : plan.layers) {
    checked_elements(plan.batch_size, l.units, "a layer's workspace");
    checked_elements(plan.batch_size, l.inputs, "a layer's workspace");
  }
}

// --- construction ---------------------------------------------------------------------------

Trainer::Trainer(const TrainerPlan& plan, const ThreadPool* shared) : plan_(plan) {
  validate_plan(plan_);
  layout_ = param_layout(plan_.layers);
  task_ = contract::task_of(plan_.layers.back().activation, plan_.layers.back().units, plan_.loss);
  pool_ = shared != nullptr ? std::make_unique<ThreadPool>(*shared, std::min(plan_.threads, shared->capacity()))
                            : std::make_unique<ThreadPool>(plan_.threads);
  // Direct-path products stay on one thread here (the packed ones still split). A split training
  // step shares the weights between the cores every step: both threads read W in the forward
  // product and the (then split) update writes it, so W's cache lines cross from core to core
  // twice a step; on 784-128-10 at batch 64 (2-core Zen 5 VM, quiet) the split forward product
  // gained nothing over one thread and the split update took several times as long as on one,
  // which left 2 threads below one thread's speed (scripts/ab-trainer-bench.sh, --set mnist
  // --threads 1,2). Whole products run at one thread's speed and leave the second core idle.
  // A first layer large enough (owns_first_layer) is split by rows of W instead, each thread
  // owning its rows in every pass: mlp_owned.cpp.
  gemm_ = std::make_unique<GemmContext>(pool_.get(), gemm_blocking::kPackingTraining, /*split_direct=*/false);
  const std::size_t batch = plan_.batch_size;
  acts_.resize(plan_.layers.size());
  dacts_.resize(plan_.layers.size());
  for (std::size_t l = 0; l < plan_.layers.size(); ++l) {
    acts_[l].assign(batch * plan_.layers[l].units, 0.0f);
    dacts_[l].assign(batch * plan_.layers[l].units, 0.0f);
  }
  zout_.assign(batch * outputs(), 0.0f);
  xbatch_.assign(batch * inputs(), 0.0f);
  ybatch_.assign(batch * outputs(), 0.0f);
  wbatch_.assign(batch, 0.0f);
  grads_.assign(layout_.size, 0.0f);
  if (owns_first_layer(plan_)) {
    for (std::size_t t = 0; t <= kOwnedParts; ++t) owned_bounds_[t] = inputs() * t / kOwnedParts;
    owned_stride_ = (batch * plan_.layers.front().units + 15) / 16 * 16;
    partials_.assign(kOwnedParts * owned_stride_, 0.0f);
  }
  if (plan_.optimizer.clip_norm > 0.0) clip_sums_.assign(clip_norm_blocks(layout_.size), 0.0);
  const std::size_t count = plan_.layers.size();
  masks_.resize(count);
  dropped_.resize(count);
  thresholds_.assign(count, 0);
  scales_.assign(count, 1.0f);
  for (std::size_t l = 0; l < count; ++l) {
    const double p = plan_.layers[l].dropout;
    if (p == 0.0) continue;  // nothing drawn, nothing allocated
    masks_[l].assign(batch * plan_.layers[l].units, 0.0f);
    dropped_[l].assign(batch * plan_.layers[l].units, 0.0f);
    thresholds_[l] = dropout_threshold(p);
    scales_[l] = dropout_scale(p);
    has_dropout_ = true;
  }
  step_optimizer_ = plan_.optimizer;
}

std::size_t Trainer::native_bytes() const {
  std::size_t floats =
      zout_.capacity() + xbatch_.capacity() + ybatch_.capacity() + wbatch_.capacity() + grads_.capacity() +
      partials_.capacity();
  for (const auto& a : acts_) floats += a.capacity();
  for (const auto& d : dacts_) floats += d.capacity();
  for (const auto& m : masks_) floats += m.capacity();
  for (const auto& d : dropped_) floats += d.capacity();
  return floats * sizeof(float) + clip_sums_.capacity() * sizeof(double) + gemm_->packing_bytes() +
         (model_ ? model_->native_bytes() : 0);
}

Trainer::~Trainer() {
  model_.reset();  // a handle on the pool: released before it
  gemm_.reset();   // the context refers to the pool: release it first
  pool_.reset();
}

void Trainer::check_model(const float* params, std::size_t params_size) const {
  require_length(Span<const float>{params, params_size}, layout_.size, "params");
}

// --- forward / backward of one batch --------------------------------------------------------

void Trainer::forward_layer(std::size_t l, const float* params, const float* in, std::size_t rows,
                            const Ungathered* gather) {
  if (l == 0 && owned()) {
    owned_forward(params, in, rows, gather);
    return;
  }
  const LayerPlan& lp = plan_.layers[l];
  const LayerOffsets& o = layout_.layers[l];
  float* A = acts_[l].data();
  float* Z = l + 1 == plan_.layers.size() ? zout_.data() : A;
  dense_forward(*gemm_, Z, A, in, params + o.w, o.has_bias ? params + o.b : nullptr, rows, lp.inputs, lp.units,
                lp.activation);
}

void Trainer::forward(const float* params, const float* X, std::size_t rows, std::uint32_t* rng,
                      const Ungathered* gather) {
  const float* in = X;
  for (std::size_t l = 0; l < plan_.layers.size(); ++l) {
    forward_layer(l, params, in, rows, l == 0 ? gather : nullptr);
    in = acts_[l].data();
    if (!masks_[l].empty()) {
      const std::size_t n = rows * plan_.layers[l].units;
      draw_mask(rng, masks_[l].data(), n, thresholds_[l], scales_[l]);
      apply_mask(dropped_[l].data(), acts_[l].data(), masks_[l].data(), n);
      in = dropped_[l].data();
    }
  }
}

void Trainer::backward(const float* params, const float* X, const float* Y, const float* weights, double weight,
                       std::size_t rows) {
  const std::size_t last = plan_.layers.size() - 1;
  const bool fused = loss_backward(LossSpec{plan_.loss, plan_.huber_delta}, dacts_[last].data(), acts_[last].data(),
                                   Y, rows, outputs(), weights, weight);
  for (std::size_t l = last + 1; l-- > 0;) {
    const LayerPlan& lp = plan_.layers[l];
    const LayerOffsets& o = layout_.layers[l];
    const float* Aprev = l == 0 ? X : train_output(l - 1);
    float* dAprev = l == 0 ? nullptr : dacts_[l - 1].data();
    if (l == 0 && owned()) {
      owned_backward(X, rows, fused && l == last);
      continue;
    }
    dense_backward(*gemm_, grads_.data() + o.w, o.has_bias ? grads_.data() + o.b : nullptr, dAprev,
                   dacts_[l].data(), acts_[l].data(), Aprev, params + o.w, rows, lp.inputs, lp.units,
                   lp.activation, fused && l == last);
    // the gradient reaching a dropped-out output passes through its mask
    if (dAprev != nullptr && !masks_[l - 1].empty()) {
      apply_mask(dAprev, dAprev, masks_[l - 1].data(), rows * plan_.layers[l - 1].units);
    }
  }
}

float Trainer::clip(bool parallel) {
  const OptimizerPlan& o = plan_.optimizer;
  const std::size_t P = layout_.size;
  // The blocks split across the pool (or all on this thread); each block's sum lands in its own
  // slot, added in order after: the same norm for any split.
  struct Job {
    float* g;
    std::size_t size, blocks, chunks;
    float clip_value;
    double* sums;
  } job{grads_.data(), P, clip_norm_blocks(P), 0, static_cast<float>(o.clip_value),
        o.clip_norm > 0.0 ? clip_sums_.data() : nullptr};
  if (parallel) {
    job.chunks = std::min(job.blocks, 4 * pool_->size());
    // One captured pointer: fits std::function's inline storage, no allocation per step.
    pool_->run_chunks(job.chunks, [&job](std::size_t, std::size_t c) {
      clip_values_and_sum_squares(job.g, job.size, job.blocks * c / job.chunks,
                                  job.blocks * (c + 1) / job.chunks, job.clip_value, job.sums);
    });
  } else {
    clip_values_and_sum_squares(job.g, job.size, 0, job.blocks, job.clip_value, job.sums);
  }
  return job.sums == nullptr ? 1.0f : clip_norm_scale(job.sums, job.blocks, o.clip_norm);
}

void Trainer::update(ModelBuffers model, std::uint64_t step) {
  const std::size_t P = layout_.size;
  const std::size_t parts = pool_->size();
  const bool parallel = !(parts == 1 || P < kParallelUpdateMin || pool_->started() == 0);
  const bool clipping = plan_.optimizer.clip_norm > 0.0 || plan_.optimizer.clip_value > 0.0;
  const float scale = clipping ? clip(parallel) : 1.0f;
  if (owned() && parts > 1) {
    owned_update(model, step, scale);
    return;
  }
  if (!parallel) {
    if (scale != 1.0f) scale_gradients(grads_.data(), 0, P, scale);
    optimizer_step(step_optimizer_, layout_, step, model.params.data, grads_.data(), model.state.data);
    return;
  }
  struct Job {
    ModelBuffers model;
    std::uint64_t step;
    std::size_t lines, chunks, size;
    float scale;
  } job{model, step, (P + kUpdateAlign - 1) / kUpdateAlign, 4 * parts, P, scale};
  // Chunks handed out dynamically (a descheduled worker just takes fewer). Two captured
  // pointers: fits std::function's inline storage, so no allocation per step. The norm's scale
  // is applied chunk by chunk, just before the chunk's update reads it.
  pool_->run_chunks(job.chunks, [this, &job](std::size_t, std::size_t c) {
    const std::size_t begin = job.lines * c / job.chunks * kUpdateAlign;
    const std::size_t end = std::min(job.size, job.lines * (c + 1) / job.chunks * kUpdateAlign);
    if (begin < end) {
      if (job.scale != 1.0f) scale_gradients(grads_.data(), begin, end, job.scale);
      optimizer_step_range(step_optimizer_, layout_, job.step, job.model.params.data, grads_.data(),
                           job.model.state.data, begin, end);
    }
  });
}

// --- train / predict / evaluate -------------------------------------------------------------

std::uint64_t Trainer::train_epochs(ModelBuffers model, Span<const float> X, Span<const float> Y,
                                    std::size_t rows, const Span<const std::uint32_t>* order, std::size_t epochs,
                                    std::size_t batch_size, std::uint64_t step, Span<double> losses,
                                    Span<double> metric, const TrainExtras& extras, Span<const float> weights) {
  // Every check first: a failed call leaves params and state as they were.
  check_model(model.params.data, model.params.size);
  require_length(model.state, plan_.optimizer.kind == OptimizerKind::sgd ? model.state.size : state_size(),
                 "state");
  if (rows < 1 || rows > kMaxElements) bad(contract::kRows.expected, "rows", std::to_string(rows));
  require_length(X, checked_elements(rows, inputs(), "X"), "X");
  require_length(Y, checked_elements(rows, outputs(), "Y"), "Y");
  if (batch_size < 1 || batch_size > plan_.batch_size) {
    bad("an integer in 1.." + std::to_string(plan_.batch_size), "batchSize", std::to_string(batch_size));
  }
  if (epochs > contract::kMaxEpochs) bad(contract::kChunkEpochs.expected, "epochs", std::to_string(epochs));
  if (losses.size < epochs || (epochs > 0 && losses.data == nullptr)) {
    bad("a length of at least " + std::to_string(epochs), "losses", std::to_string(losses.size));
  }
  const bool measuring = metric.data != nullptr;
  if (measuring && metric.size < epochs) {
    bad("a length of at least " + std::to_string(epochs), "metric", std::to_string(metric.size));
  }
  if (extras.schedule != nullptr) validate_schedule(*extras.schedule);
  if (has_dropout_) {
    if (extras.rng == nullptr) bad("a Uint32Array of 4 words (a layer has dropout)", "rng", "null");
    if ((extras.rng[0] | extras.rng[1] | extras.rng[2] | extras.rng[3]) == 0) {
      bad("a xoshiro128** state not all zero", "rng", "all zeros");
    }
  }
  const bool reporting_rates = extras.learning_rates.data != nullptr;
  if (reporting_rates && extras.learning_rates.size < epochs) {
    bad("a length of at least " + std::to_string(epochs), "learningRates",
        std::to_string(extras.learning_rates.size));
  }
  const bool weighted = weights.data != nullptr;
  if (weighted) require_length(weights, rows, "weights");
  if (step > contract::kMaxSteps) bad(contract::kStep.expected, "step", std::to_string(step));
  const std::size_t batches = rows / batch_size + (rows % batch_size != 0 ? 1 : 0);
  const std::size_t total_steps = checked_mul(epochs, batches, "steps");
  if (total_steps > contract::kMaxSteps - step) {
    bad("at most 2^53-1 steps in total", "step", std::to_string(step));
  }
  if (order != nullptr) {
    require_length(*order, checked_elements(epochs, rows, "order"), "order");
    for (std::size_t i = 0; i < order->size; ++i) {
      if (order->data[i] >= rows) {
        throw std::out_of_range("Expected indices below " + std::to_string(rows) + " for order but received " +
                                std::to_string(order->data[i]) + " at " + std::to_string(i));
      }
    }
  }
  if (weighted) check_weights(weights.data, rows);

  const std::size_t in = inputs();
  const std::size_t out = outputs();
  const bool sum = loss_is_sum(plan_.loss);
  const LossSpec spec{plan_.loss, plan_.huber_delta};
  // Started workers spin between the products of consecutive steps until the call returns.
  ThreadPool::Session session(*pool_);
  const ChunkSchedule* schedule = extras.schedule;
  const bool per_step = schedule != nullptr && rate_per_step(*schedule);
  double position = schedule != nullptr ? schedule->position : 0.0;
  double rate = plan_.optimizer.learning_rate;
  for (std::size_t e = 0; e < epochs; ++e) {
    const std::uint32_t* ord = order != nullptr ? order->data + e * rows : nullptr;
    double acc = 0.0;
    double measured = 0.0;
    double acc_weight = 0.0;
    if (schedule != nullptr && !per_step) {
      rate = scheduled_rate(*schedule, schedule->epoch + static_cast<double>(e), 0.0);
    }
    for (std::size_t start = 0; start < rows; start += batch_size) {
      const std::size_t r = std::min(batch_size, rows - start);
      const float* xb = X.data + start * in;
      const float* yb = Y.data + start * out;
      const float* wb = weighted ? weights.data + start : nullptr;
      // A shuffled batch's rows of X: gathered here, or by the owned first layer's parts.
      const Ungathered owned_gather{X.data, ord != nullptr ? ord + start : nullptr};
      const Ungathered* gather = ord != nullptr && owned() ? &owned_gather : nullptr;
      if (ord != nullptr) {
        for (std::size_t i = 0; i < r; ++i) {
          const std::size_t src = ord[start + i];
          if (gather == nullptr) std::memcpy(xbatch_.data() + i * in, X.data + src * in, in * sizeof(float));
          std::memcpy(ybatch_.data() + i * out, Y.data + src * out, out * sizeof(float));
          if (weighted) wbatch_[i] = weights.data[src];
        }
        xb = xbatch_.data();
        yb = ybatch_.data();
        if (weighted) wb = wbatch_.data();
      }
      const double weight = batch_weight(wb, r);
      forward(model.params.data, xb, r, extras.rng, gather);
      if (measuring) measured += task_metric(task_, acts_.back().data(), yb, r, out);
      const double batch_loss = loss_forward(spec, zout_.data(), acts_.back().data(), yb, r, out, wb, weight);
      acc += sum ? batch_loss : batch_loss * weight;
      acc_weight += weight;
      ++step;
      if (per_step) rate = scheduled_rate(*schedule, 0.0, position);
      position += 1;
      // A batch of weight 0 is not applied (the loss contract); its step still counts.
      if (weight == 0.0) continue;
      backward(model.params.data, xb, yb, wb, weight, r);
      step_optimizer_.learning_rate = rate;
      update(model, step);
    }
    losses.data[e] = sum ? acc : acc_weight == 0.0 ? 0.0 : acc / acc_weight;
    if (measuring) metric.data[e] = measured;
    if (reporting_rates) extras.learning_rates.data[e] = rate;
  }
  step_optimizer_.learning_rate = plan_.optimizer.learning_rate;
  return step;
}

Model& Trainer::inference() {
  if (!model_) {
    ModelPlan plan{plan_.layers, plan_.loss, plan_.threads, plan_.huber_delta};
    model_ = std::make_unique<Model>(plan, pool_.get());
  }
  return *model_;
}

void Trainer::predict(Span<const float> params, Span<const float> X, std::size_t rows, Span<float> out) {
  inference().predict(params, X, rows, out);
}

double Trainer::evaluate(Span<const float> params, Span<const float> X, Span<const float> Y, std::size_t rows,
                         Span<float> out, Span<const float> weights) {
  return inference().evaluate(params, X, Y, rows, out, weights);
}

}  // namespace fastmlp
