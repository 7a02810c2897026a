// The inference model (see model.hpp): plan checks shared with the Trainer, the block size
// rule, and predict / evaluate over dense_forward in blocks. Workspaces grow on the first call
// that needs more rows (never beyond a block) and are reused by every later call.
#include "model.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "dense.hpp"

namespace fastmlp {

namespace {

[[noreturn]] void bad(const std::string& expected, const std::string& name, const std::string& received) {
  throw std::invalid_argument("Expected " + expected + " for " + name + " but received " + received);
}

std::size_t widest_hidden(const std::vector<LayerPlan>& layers) {
  std::size_t widest = 0;
  for (std::size_t l = 0; l + 1 < layers.size(); ++l) widest = std::max(widest, layers[l].units);
  return widest;
}

}  // namespace

// --- plan -----------------------------------------------------------------------------------

void validate_layers(const std::vector<LayerPlan>& layers, Loss loss) {
  const std::size_t count = layers.size();
  if (!contract::in_range(contract::kLayerCount, static_cast<double>(count))) {
    bad(contract::kLayerCount.expected, "plan.layers", std::to_string(count));
  }
  for (std::size_t i = 0; i < count; ++i) {
    const LayerPlan& l = layers[i];
    const std::string name = "plan.layers[" + std::to_string(i) + "]";
    const contract::NumberRange& units = contract::kUnits;
    if (!contract::in_range(units, static_cast<double>(l.inputs))) {
      bad(units.expected, name + ".inputs", std::to_string(l.inputs));
    }
    if (!contract::in_range(units, static_cast<double>(l.units))) {
      bad(units.expected, name + ".units", std::to_string(l.units));
    }
    if (i > 0 && l.inputs != layers[i - 1].units) {
      bad(std::to_string(layers[i - 1].units) + " (the units of the layer before)", name + ".inputs",
          std::to_string(l.inputs));
    }
    if (!contract::in_range(contract::kDropout, l.dropout)) {
      bad(contract::kDropout.expected, name + ".dropout", std::to_string(l.dropout));
    }
  }
  if (layers.back().dropout != 0.0) {
    bad("0 (no dropout on the output layer)", "plan.layers[" + std::to_string(count - 1) + "].dropout",
        std::to_string(layers.back().dropout));
  }
  Activation required;
  const Activation last = layers.back().activation;
  if (loss_required_activation(loss, &required) && last != required) {
    bad(std::string("'") + activation_name(required) + "' output activation with loss '" + loss_name(loss) + "'",
        "plan.layers[" + std::to_string(count - 1) + "].activation", std::string("'") + activation_name(last) + "'");
  }
}

void validate_threads(std::size_t threads) {
  // 0 ("one per hardware thread") is resolved by the caller before the plan reaches the core.
  if (!contract::in_range(contract::kThreads, static_cast<double>(threads))) {
    bad(contract::kThreads.expected, "plan.threads", std::to_string(threads));
  }
}

void validate_params(std::size_t params) {
  if (!contract::in_range(contract::kParams, static_cast<double>(params))) {
    bad(contract::kParams.expected, "plan.layers", std::to_string(params));
  }
}

std::size_t inference_block_rows(const std::vector<LayerPlan>& layers, std::size_t params) {
  const std::size_t per_row = 2 * widest_hidden(layers) + layers.back().units;
  const std::size_t budget = std::max(params / kInferenceWorkspaceShare, kInferenceWorkspaceFloor);
  return std::clamp<std::size_t>(budget / per_row, 1, kInferenceBlockRows);
}

// --- construction ---------------------------------------------------------------------------

Model::Model(const ModelPlan& plan, const ThreadPool* shared) : plan_(plan) {
  validate_layers(plan_.layers, plan_.loss);
  validate_huber_delta(plan_.huber_delta);
  validate_threads(plan_.threads);
  layout_ = param_layout(plan_.layers);  // throws std::length_error when too large
  validate_params(layout_.size);
  block_rows_ = inference_block_rows(plan_.layers, layout_.size);
  widest_hidden_ = widest_hidden(plan_.layers);
  pool_ = shared != nullptr ? std::make_unique<ThreadPool>(*shared, std::min(plan_.threads, shared->capacity()))
                            : std::make_unique<ThreadPool>(plan_.threads);
  // A network whose workspace budget is the floor (see inference_block_rows) is small enough
  // that no share of its params bounds its memory, and packing all of a 100K-float operand per
  // thread keeps its threaded predict fast: it packs as training does. Larger ones keep their
  // packing within the inference limits.
  const bool small = layout_.size / kInferenceWorkspaceShare < kInferenceWorkspaceFloor;
  gemm_ = std::make_unique<GemmContext>(pool_.get(),
                                        small ? gemm_blocking::kPackingTraining : gemm_blocking::kPackingInference);
}

Model::~Model() {
  gemm_.reset();  // the context refers to the pool: release it first
  pool_.reset();
}

std::size_t Model::workspace_bytes() const {
  return (ping_.capacity() + pong_.capacity() + logits_.capacity()) * sizeof(float) + gemm_->packing_bytes();
}

std::size_t Model::native_bytes() const { return workspace_bytes(); }  // packing included

void Model::reserve(std::size_t rows) {
  rows = std::min(rows, block_rows_);
  if (rows <= reserved_rows_) return;
  // Grow in whole steps of 8 rows (or straight to the block), so a caller that asks for one
  // more row each time does not reallocate each time.
  rows = std::min(block_rows_, (rows + 7) / 8 * 8);
  ping_.assign(rows * widest_hidden_, 0.0f);
  pong_.assign(rows * widest_hidden_, 0.0f);
  logits_.assign(rows * outputs(), 0.0f);
  reserved_rows_ = rows;
}

// --- predict / evaluate ---------------------------------------------------------------------

void Model::predict(Span<const float> params, Span<const float> X, std::size_t rows, Span<float> out) {
  evaluate(params, X, Span<const float>{}, rows, out);
}

double Model::evaluate(Span<const float> params, Span<const float> X, Span<const float> Y, std::size_t rows,
                       Span<float> out, Span<const float> weights) {
  // Y.data == nullptr && Y.size == 0 means predict: no loss.
  require_length(params, layout_.size, "params");
  if (rows > kMaxElements) bad("an integer in 0..2^31", "rows", std::to_string(rows));
  require_length(X, checked_elements(rows, inputs(), "X"), "X");
  require_length(out, checked_elements(rows, outputs(), "out"), "out");
  const bool with_loss = Y.data != nullptr || Y.size != 0;
  if (with_loss) require_length(Y, checked_elements(rows, outputs(), "Y"), "Y");
  const bool weighted = with_loss && weights.data != nullptr;
  if (weighted) {
    require_length(weights, rows, "weights");
    check_weights(weights.data, rows);
  }
  reserve(rows);
  return forward_blocks(params.data, X.data, with_loss ? Y.data : nullptr, weighted ? weights.data : nullptr, rows,
                        out.data);
}

double Model::forward_blocks(const float* params, const float* X, const float* Y, const float* weights, std::size_t rows,
                             float* out) {
  const std::size_t in = inputs();
  const std::size_t nout = outputs();
  const std::size_t last = plan_.layers.size() - 1;
  const bool sum = loss_is_sum(plan_.loss);
  const LossSpec spec{plan_.loss, plan_.huber_delta};
  double acc = 0.0;
  double acc_weight = 0.0;
  for (std::size_t start = 0; start < rows; start += block_rows_) {
    const std::size_t r = std::min(block_rows_, rows - start);
    const float* src = X + start * in;
    float* dst = ping_.data();
    for (std::size_t l = 0; l <= last; ++l) {
      const LayerPlan& lp = plan_.layers[l];
      const LayerOffsets& o = layout_.layers[l];
      // Hidden layers keep only A (Z aliases it); the output layer keeps Z for the loss and
      // writes A straight into the caller's out.
      float* A = l == last ? out + start * nout : dst;
      float* Z = l == last ? logits_.data() : A;
      dense_forward(*gemm_, Z, A, src, params + o.w, o.has_bias ? params + o.b : nullptr, r, lp.inputs, lp.units,
                    lp.activation);
      src = A;
      dst = dst == ping_.data() ? pong_.data() : ping_.data();
    }
    if (Y != nullptr) {
      const float* wb = weights != nullptr ? weights + start : nullptr;
      const double weight = batch_weight(wb, r);
      const double l =
          loss_forward(spec, logits_.data(), out + start * nout, Y + start * nout, r, nout, wb, weight);
      acc += sum ? l : l * weight;
      acc_weight += weight;
    }
  }
  if (Y == nullptr) return 0.0;
  if (sum) return acc;
  return acc_weight == 0.0 ? 0.0 : acc / acc_weight;
}

}  // namespace fastmlp
