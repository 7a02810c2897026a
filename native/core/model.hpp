// The inference model: a network's forward pass and nothing of training (no gradients, no
// backward workspaces, no optimizer state). Its only workspaces are two hidden-activation
// buffers and the output logits, sized for the rows actually asked and grown blockwise up to
// inference_block_rows() rows, so a one-row predict on a large network allocates one row.
// Parameters live in the caller's buffer (the JS Float32Array), passed on every call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "activations.hpp"
#include "gemm/gemm.hpp"
#include "layout.hpp"
#include "contract.hpp"
#include "losses.hpp"
#include "sizes.hpp"
#include "thread_pool.hpp"

namespace fastmlp {

// Upper bound on threads (a sanity limit, not a tuning knob; contract.hpp).
using contract::kMaxThreads;
// The inference workspace rule (contract.hpp): a Model's forward block holds at most
// kInferenceBlockRows rows, fewer on wide networks, so its workspaces stay within
// params / kInferenceWorkspaceShare floats (or kInferenceWorkspaceFloor for small networks: fewer
// than kInferenceSmallParams parameters).
using contract::kInferenceBlockRows;
using contract::kInferenceSmallParams;
using contract::kInferenceWorkspaceFloor;
using contract::kInferenceWorkspaceShare;

struct ModelPlan {
  std::vector<LayerPlan> layers;
  Loss loss = Loss::mse;
  std::size_t threads = 1;
  // huber's delta (float32), as TrainerPlan's.
  float huber_delta = static_cast<float>(contract::kDefaultHuberDelta);
};

// Layer count and sizes, the chaining of inputs to the previous units, and the output
// activation the loss needs. Throws std::invalid_argument.
void validate_layers(const std::vector<LayerPlan>& layers, Loss loss);
// threads in the contract's range (1..kMaxThreads). Throws std::invalid_argument.
void validate_threads(std::size_t threads);
// The parameter count (param_layout's size) within the contract's cap. Throws std::invalid_argument.
void validate_params(std::size_t params);

// Rows per forward block for these layers: kInferenceBlockRows, fewer when a block's
// workspace (two widest hidden layers and the output logits per row) would exceed the budget
// above; at least 1.
std::size_t inference_block_rows(const std::vector<LayerPlan>& layers, std::size_t params);

class Model {
 public:
  // shared: the pool whose workers this model borrows (at most plan.threads of them per
  // product); null: a pool of its own.
  explicit Model(const ModelPlan& plan, const ThreadPool* shared = nullptr);
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const ParamLayout& layout() const { return layout_; }
  std::size_t inputs() const { return plan_.layers.front().inputs; }
  std::size_t outputs() const { return plan_.layers.back().units; }
  std::size_t block_rows() const { return block_rows_; }
  // Bytes of the workspaces allocated so far (grows with the rows asked, up to a block), the
  // gemm packing buffers included.
  std::size_t workspace_bytes() const;
  // Everything this model holds natively so far: workspaces and packing buffers (the bytes the
  // addon reports to V8, so that dropped models get collected).
  std::size_t native_bytes() const;

  // out is (rows, outputs). Every argument is checked before anything is written.
  void predict(Span<const float> params, Span<const float> X, std::size_t rows, Span<float> out);
  // predict that also checks X: the index of X's first NaN or +-Infinity (row-major), or -1. Each
  // block's rows are scanned just before its first layer reads them (model.cpp), so a bad value
  // stops the pass at its block; out's rows are then unspecified.
  std::int64_t predict_checked(Span<const float> params, Span<const float> X, std::size_t rows, Span<float> out);
  // predict into out, and the loss of (X, Y) as train_epochs defines an epoch's loss, weighted
  // by weights (empty: unweighted; else rows finite weights >= 0).
  double evaluate(Span<const float> params, Span<const float> X, Span<const float> Y, std::size_t rows,
                  Span<float> out, Span<const float> weights = {});

 private:
  // Every argument of a forward pass, checked (throws std::invalid_argument).
  void require_forward_args(Span<const float> params, Span<const float> X, std::size_t rows,
                            Span<float> out) const;
  // first_bad: null for no finiteness check, else receives X's first non-finite index or -1.
  double forward_blocks(const float* params, const float* X, const float* Y, const float* weights, std::size_t rows,
                        float* out, std::int64_t* first_bad);
  void reserve(std::size_t rows);
  // Each layer's path (direct[l]) for a block of `rows` rows whose products run on one thread
  // (a lane, or a 1-thread model): sgemm's rule, or direct where the layer's weights stay in L2
  // (gemm_prefers_direct_resident). See model.cpp.
  void choose_paths(std::size_t rows, bool* direct) const;
  // Threads (lanes) a block of `rows` rows is split over by rows, 1 for none (see model.cpp).
  std::size_t lanes_for(std::size_t rows) const;
  // Whether a block of `rows` rows is worth lanes, given 2 threads or more (lanes_for).
  bool splits_into_lanes(std::size_t rows) const;
  // `blocks` consecutive blocks of `rows` rows each (X is the first one's first row, out its
  // first output row), split by rows over `lanes` threads in one region; check as forward_rows'.
  std::int64_t forward_lanes(const float* params, const float* X, std::size_t rows, std::size_t blocks,
                             std::size_t lanes, float* out, bool check);
  // Rows [first, last) of a block (X is its first row, out its first output row) through every
  // layer with ctx: each product on this thread, on the path direct[layer] says (decided for the
  // whole block), or, with direct null, on the path and threads sgemm chooses (a whole block on
  // gemm_). check: the first layer's product checks its rows (GemmContext::check_a); the index
  // (in the block) of the first non-finite one is returned and the later layers not computed,
  // else -1.
  std::int64_t forward_rows(GemmContext& ctx, const float* params, const float* X, std::size_t first,
                            std::size_t last, const bool* direct, float* out, bool check);

  ModelPlan plan_;
  ParamLayout layout_;
  std::size_t block_rows_ = 1;
  std::size_t widest_hidden_ = 0;
  std::size_t reserved_rows_ = 0;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<GemmContext> gemm_;
  // One single-thread context per pool thread, for blocks split by rows (lanes_for); empty when
  // the pool has one thread.
  std::vector<std::unique_ptr<GemmContext>> lanes_;
  std::vector<float> ping_, pong_;  // (rows, widest hidden layer): hidden activations
  std::vector<float> logits_;       // (rows, outputs): the output layer's Z
};

}  // namespace fastmlp
