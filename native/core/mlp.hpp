// The MLP trainer: one GemmContext, a handle on a thread pool and every workspace of training
// (activations per layer, gradients, dA), sized for plan.batch_size once at construction; train_epochs runs many batches and epochs per call with
// no allocation in the loop. Parameters and optimizer state live in caller-owned buffers (the
// JS Float32Arrays), passed on every call so the caller can re-check them each time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "activations.hpp"
#include "clipping.hpp"
#include "gemm/gemm.hpp"
#include "layout.hpp"
#include "losses.hpp"
#include "model.hpp"
#include "optimizers.hpp"
#include "schedule.hpp"
#include "sizes.hpp"
#include "thread_pool.hpp"

namespace fastmlp {

struct TrainerPlan {
  std::vector<LayerPlan> layers;
  Loss loss = Loss::mse;
  OptimizerPlan optimizer;
  std::size_t batch_size = 1;
  std::size_t threads = 1;
  // huber's delta (float32, as the contract keeps it); the other losses ignore it.
  float huber_delta = static_cast<float>(contract::kDefaultHuberDelta);
};

// Throws std::invalid_argument (bad value) or std::length_error (sizes too large).
void validate_plan(const TrainerPlan& plan);

// The caller's parameter buffer and optimizer state (see TrainerPlan in engine.ts).
struct ModelBuffers {
  Span<float> params;
  Span<float> state;
};

// The optional parts of a train_epochs call (TrainChunk.schedule, rng, learningRates in engine.ts).
struct TrainExtras {
  const ChunkSchedule* schedule = nullptr;  // null: every step uses plan.optimizer.learning_rate
  std::uint32_t* rng = nullptr;             // the dropout generator's 4 words; needed when a layer has dropout
  Span<double> learning_rates;              // empty: not reported; else the rate of each epoch's last step
};

// Parts of an owned first layer (mlp_owned.cpp): its weights split by rows into this many parts,
// whatever the thread count, so that its sums run in the same order on any number of threads.
constexpr std::size_t kOwnedParts = 2;
// Fewest inputs of an owned first layer: summing the parts' partial products costs a few passes
// over the batch's Z, against `inputs` multiply-adds per element of Z in the products (784 is
// where owning was measured; a tall batch of few inputs reaches the volume with little depth).
constexpr std::size_t kOwnedMinInputs = 256;
static_assert(kOwnedMinInputs >= kOwnedParts, "every part owns at least one row of W (k >= 1)");

// Whether the trainer of `plan` owns its first layer by rows (mlp_owned.cpp): its product at the
// plan's batch size and its weights within this kernel table's limits (DirectLimits::owned_*).
bool owns_first_layer(const TrainerPlan& plan);

class Trainer {
 public:
  // shared: the pool whose workers this trainer borrows (at most plan.threads of them per
  // product); null: a pool of its own.
  explicit Trainer(const TrainerPlan& plan, const ThreadPool* shared = nullptr);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  const TrainerPlan& plan() const { return plan_; }
  const ParamLayout& layout() const { return layout_; }
  Task task() const { return task_; }
  std::size_t inputs() const { return plan_.layers.front().inputs; }
  std::size_t outputs() const { return plan_.layers.back().units; }
  // Everything this trainer holds natively so far: workspaces, gradients and packing buffers
  // (the bytes the addon reports to V8, so that dropped trainers get collected).
  std::size_t native_bytes() const;
  bool has_dropout() const { return has_dropout_; }
  std::size_t state_size() const { return optimizer_state_size(plan_.optimizer.kind, layout_.size); }

  // X (rows, inputs), Y (rows, outputs); order: null for data order, else epochs*rows indices
  // (< rows), epoch e using [e*rows, (e+1)*rows). losses receives epochs values; metric, when
  // not empty, each epoch's training metric by the plan's task (task_metric in metrics.hpp: rows
  // right, or the sum of the rows' mean absolute errors for regression).
  // weights: empty (data null) for unit weights, else at least rows finite weights >= 0, one per
  // row of X, read through order like X and Y (the loss contract's sample weights; a batch of
  // weight 0 is not applied but its step counts).
  // Returns the new step. Every argument is checked before anything is written.
  std::uint64_t train_epochs(ModelBuffers model, Span<const float> X, Span<const float> Y, std::size_t rows,
                             const Span<const std::uint32_t>* order, std::size_t epochs,
                             std::size_t batch_size, std::uint64_t step, Span<double> losses,
                             Span<double> metric = {}, const TrainExtras& extras = {},
                             Span<const float> weights = {});

  // Model::predict (model.hpp) of the inference model over this plan: out is (rows, outputs).
  void predict(Span<const float> params, Span<const float> X, std::size_t rows, Span<float> out);

  // Model::evaluate: forward pass into out; returns the loss of (X, Y) as train_epochs defines
  // an epoch's loss, weighted by weights (empty: unweighted; else at least rows finite weights >= 0).
  double evaluate(Span<const float> params, Span<const float> X, Span<const float> Y, std::size_t rows,
                  Span<float> out, Span<const float> weights = {});

 private:
  void check_model(const float* params, std::size_t params_size) const;
  // A shuffled batch whose rows of X the owned first layer gathers itself: rows order[0..rows)
  // of X go to xbatch_, each part copying its own columns (owned_forward), so they land in the
  // cache of the core that reads them in the forward and gradient products.
  struct Ungathered {
    const float* X;
    const std::uint32_t* order;
  };
  // Layer l's forward of `rows` rows of its input `in` into acts_[l] (and zout_ for the last);
  // gather: layer 0 is owned and `in` is xbatch_, still to fill from gather's rows.
  void forward_layer(std::size_t l, const float* params, const float* in, std::size_t rows,
                     const Ungathered* gather = nullptr);
  // The training forward pass of `rows` rows starting at X (gather: as forward_layer's): leaves
  // activations in acts_ and logits in zout_; each dropout layer draws its mask from rng (read
  // only when a layer has dropout) and the next layer reads the masked output (dropped_).
  void forward(const float* params, const float* X, std::size_t rows, std::uint32_t* rng, const Ungathered* gather);
  // What layer l's successor reads while training: the masked output, or A without dropout.
  const float* train_output(std::size_t l) const {
    return masks_[l].empty() ? acts_[l].data() : dropped_[l].data();
  }
  // Backward of the batch just forwarded (weights null or one per row, of batch weight
  // `weight` > 0) into grads_.
  void backward(const float* params, const float* X, const float* Y, const float* weights, double weight,
                std::size_t rows);
  // The optimizer step `step` from grads_, split across the pool when that pays (mlp.cpp).
  void update(ModelBuffers model, std::uint64_t step);
  // Clips grads_ in place as the plan asks (clipping.hpp) before update scales and steps;
  // returns the norm's scale for update to apply (1: none). `parallel`: split across the pool.
  float clip(bool parallel);
  // The owned first layer (mlp_owned.cpp): its forward (Z0 and A0 = f(Z0) from the parts'
  // partial products), its gradient (dW0 and db0 from dA0 in dacts_[0], or dZ0 when dz_ready),
  // and the update with each part's rows of W0 stepped by the thread that computed them.
  void owned_forward(const float* params, const float* X, std::size_t rows, const Ungathered* gather);
  void owned_backward(const float* X, std::size_t rows, bool dz_ready);
  void owned_update(ModelBuffers model, std::uint64_t step, float scale);

  TrainerPlan plan_;
  ParamLayout layout_;
  Task task_ = Task::regression;  // from the plan's output layer and loss (contract::task_of)
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<GemmContext> gemm_;
  // predict / evaluate: the inference model over the same plan and pool, made on first use, so
  // a trainer forwards in blocks exactly as a Model does (one implementation, model.cpp).
  std::unique_ptr<Model> model_;
  Model& inference();
  std::vector<std::vector<float>> acts_;   // per layer (batch, units): A
  std::vector<std::vector<float>> dacts_;  // per layer (batch, units): dA, then dZ in place
  std::vector<float> zout_;                // (batch, outputs): output logits
  std::vector<float> xbatch_;              // (batch, inputs): gathered rows of X
  std::vector<float> ybatch_;              // (batch, outputs): gathered rows of Y
  std::vector<float> wbatch_;              // (batch): gathered sample weights
  std::vector<float> grads_;               // layout_.size
  std::vector<double> clip_sums_;          // clip_norm_blocks(layout_.size) when clipping by norm
  // Dropout, per layer (empty vectors for a layer without): masks (batch, units) of 0 or scale,
  // the masked outputs, and the draw constants.
  std::vector<std::vector<float>> masks_;
  std::vector<std::vector<float>> dropped_;
  std::vector<std::uint32_t> thresholds_;
  std::vector<float> scales_;
  bool has_dropout_ = false;
  // Layer 0 owned by rows (owns_first_layer): its first row of W for each part and the end, and
  // each part's partial product ((batch, units) each, owned_stride_ floats apart: a multiple of
  // 16, so two parts never write one cache line). Empty when not owned.
  std::size_t owned_bounds_[kOwnedParts + 1] = {};
  std::size_t owned_stride_ = 0;
  std::vector<float> partials_;
  bool owned() const { return !partials_.empty(); }
  // The optimizer plan of the current step: plan_.optimizer with the scheduled learning rate.
  OptimizerPlan step_optimizer_;
};

}  // namespace fastmlp
