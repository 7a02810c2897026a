// The inference model (see model.hpp): plan checks shared with the Trainer, the block size
// rule, and predict / evaluate over dense_forward in blocks. Workspaces grow on the first call
// that needs more rows (never beyond a block) and are reused by every later call.
#include "model.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>

#include "dense.hpp"
#include "finite.hpp"
#include "gemm/blocking.hpp"
#include "gemm/gemm_internal.hpp"

namespace fastmlp {

namespace {

[[noreturn]] void bad(const std::string& expected, const std::string& name, const std::string& received) {
  throw std::invalid_argument("Expected " + expected + " for " + name + " but received " + received);
}

// Rows of a lane's share of a block come in multiples of this (the micro-kernels' 6 and 12 row
// panels and the direct path's groups of 8), so each lane's products tile their rows as the
// whole block's would.
constexpr std::size_t kLaneRows = 24;

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
  const std::size_t share = params / kInferenceWorkspaceShare;
  const std::size_t budget = params < kInferenceSmallParams ? std::max(share, kInferenceWorkspaceFloor) : share;
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
  // A small network (fewer than kInferenceSmallParams parameters: its workspace budget is the
  // floor, see inference_block_rows) is small enough that no share of its params bounds its
  // memory, and packing all of a 100K-float operand per thread keeps its threaded predict fast:
  // it packs as training does. Larger ones keep their packing within the inference limits.
  const bool small = layout_.size < kInferenceSmallParams;
  const gemm_blocking::PackingLimits& limits = small ? gemm_blocking::kPackingTraining : gemm_blocking::kPackingInference;
  gemm_ = std::make_unique<GemmContext>(pool_.get(), limits);
  // Lanes: empty contexts (their packing buffers grow on use, as gemm_'s do).
  if (pool_->size() > 1) {
    for (std::size_t t = 0; t < pool_->size(); ++t) lanes_.push_back(std::make_unique<GemmContext>(nullptr, limits));
  }
}

Model::~Model() {
  lanes_.clear();
  gemm_.reset();  // the context refers to the pool: release it first
  pool_.reset();
}

std::size_t Model::workspace_bytes() const {
  std::size_t packing = gemm_->packing_bytes();
  for (const auto& lane : lanes_) packing += lane->packing_bytes();
  return (ping_.capacity() + pong_.capacity() + logits_.capacity()) * sizeof(float) + packing;
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

std::int64_t Model::predict_checked(Span<const float> params, Span<const float> X, std::size_t rows,
                                    Span<float> out) {
  require_forward_args(params, X, rows, out);
  reserve(rows);
  std::int64_t first_bad = -1;
  forward_blocks(params.data, X.data, nullptr, nullptr, rows, out.data, &first_bad);
  return first_bad;
}

void Model::require_forward_args(Span<const float> params, Span<const float> X, std::size_t rows,
                                 Span<float> out) const {
  require_length(params, layout_.size, "params");
  if (rows > kMaxElements) bad("an integer in 0..2^31", "rows", std::to_string(rows));
  require_length(X, checked_elements(rows, inputs(), "X"), "X");
  require_length(out, checked_elements(rows, outputs(), "out"), "out");
}

double Model::evaluate(Span<const float> params, Span<const float> X, Span<const float> Y, std::size_t rows,
                       Span<float> out, Span<const float> weights) {
  // Y.data == nullptr && Y.size == 0 means predict: no loss.
  require_forward_args(params, X, rows, out);
  const bool with_loss = Y.data != nullptr || Y.size != 0;
  if (with_loss) require_length(Y, checked_elements(rows, outputs(), "Y"), "Y");
  const bool weighted = with_loss && weights.data != nullptr;
  if (weighted) {
    require_length(weights, rows, "weights");
    check_weights(weights.data, rows);
  }
  reserve(rows);
  return forward_blocks(params.data, X.data, with_loss ? Y.data : nullptr, weighted ? weights.data : nullptr, rows,
                        out.data, nullptr);
}

// A block is split by rows over the pool's threads when its products are worth threads (the
// rule sgemm applies to one product: kParallelMinVolume multiply-adds, here summed over the
// layers) and each thread gets at least kLaneRows rows. Each thread (lane) then runs every layer
// of its rows (products, bias, activations) with no hand-off between layers, where splitting
// each product left the small layers and the activations on one thread and had both threads
// pack all of W (`trainer_bench --set rows --threads 1,2`: 784-128-10, 1,024 rows).
std::size_t Model::lanes_for(std::size_t rows) const {
  if (lanes_.empty() || !splits_into_lanes(rows)) return 1;
  return std::min(lanes_.size(), rows / kLaneRows);
}

bool Model::splits_into_lanes(std::size_t rows) const {
  std::size_t volume = 0;
  for (const LayerPlan& l : plan_.layers) volume += rows * l.inputs * l.units;
  return rows >= 2 * kLaneRows && volume >= gemm_blocking::kParallelMinVolume;
}

// The finiteness check of a checked predict is the first layer's product's (GemmContext::check_a):
// it scans each block of X's rows it has just packed, in cache, and the direct path scans the rows
// before it runs. A separate scan of the rows before the product read them from memory once more:
// with it in the product, 784-128-10's predict of 1,024 rows went from 0.94x to 1.13x
// onnxruntime-node's throughput on 1 thread, 0.95x to 1.07x on 2 (`npm run bench -- --only
// predict-vs --archs mnist --threads 1,2 --trials 3`). Only when one is found are the rows searched
// for the first, and the block's later layers not computed.
namespace {

// check_a on for the first layer's product of a checked block, off again however it ends.
class CheckingA {
 public:
  CheckingA(GemmContext& ctx, bool on) : ctx_(ctx), on_(on) { ctx_.check_a(on_); }
  ~CheckingA() { ctx_.check_a(false); }
  CheckingA(const CheckingA&) = delete;
  CheckingA& operator=(const CheckingA&) = delete;
  // Index of the first non-finite of the n floats at X the product read, or -1 (none found).
  std::int64_t first_bad(const float* X, std::size_t n) {
    ctx_.check_a(false);
    return on_ && ctx_.take_a_not_finite() ? scan_finite(X, nullptr, n) : -1;
  }

 private:
  GemmContext& ctx_;
  bool on_;
};

}  // namespace

// A product on one thread takes the direct path also past sgemm's volume limit when the layer's
// weights are narrow and stay in L2: on 784-128-10 that is the first layer at every block size,
// where packing each block of X cost more than it saved (predict of 1,024 rows: see
// gemm_blocking::kDirectAvx512ResidentMaxCols). Only for blocks a multi-thread model splits into
// lanes (splits_into_lanes), so that the bits stay the same for any thread count: a block it runs
// whole keeps sgemm's own choices, and so does a 1-thread model's block of that size.
void Model::choose_paths(std::size_t rows, bool* direct) const {
  const bool resident_ok = splits_into_lanes(rows);
  for (std::size_t l = 0; l < plan_.layers.size(); ++l) {
    const LayerPlan& lp = plan_.layers[l];
    direct[l] = gemm_prefers_direct(false, rows, lp.units, lp.inputs) ||
                (resident_ok && gemm_prefers_direct_resident(lp.units, lp.inputs));
  }
}

std::int64_t Model::forward_lanes(const float* params, const float* X, std::size_t rows, std::size_t blocks,
                                  std::size_t lanes, float* out, bool check) {
  // Each layer's product takes the path sgemm would choose for the whole block, so every row
  // is computed as one thread computes the whole block: the same bits whatever the thread count. A lane
  // runs its rows of every block in turn, in the workspace rows that are its own in each, so
  // the lanes meet once per call, not once per block.
  struct Job {
    const float* params;
    const float* X;
    float* out;
    std::size_t rows, blocks, lanes, in, nout;
    bool check;
    bool direct[contract::kMaxLayers];
    std::int64_t bad[kMaxThreads];  // each lane's first non-finite value (index in X), or -1
    std::exception_ptr failed[kMaxThreads];
    // Lane i's rows of a block: [bound(i), bound(i + 1)), whole multiples of kLaneRows but the last.
    std::size_t bound(std::size_t i) const { return i == lanes ? rows : rows * i / lanes / kLaneRows * kLaneRows; }
  } job{params, X, out, rows, blocks, lanes, inputs(), outputs(), check, {}, {}, {}};
  choose_paths(rows, job.direct);
  for (std::size_t i = 0; i < lanes; ++i) job.bad[i] = -1;
  // Two captured pointers: within std::function's inline storage, so no allocation per call.
  pool_->run_chunks(lanes, [this, &job](std::size_t worker, std::size_t lane) {
    try {
      for (std::size_t b = 0; b < job.blocks; ++b) {
        const std::int64_t bad =
            forward_rows(*lanes_[worker], job.params, job.X + b * job.rows * job.in, job.bound(lane),
                         job.bound(lane + 1), job.direct, job.out + b * job.rows * job.nout, job.check);
        if (bad >= 0) {  // this lane's rows of later blocks are not computed
          job.bad[lane] = static_cast<std::int64_t>(b * job.rows * job.in) + bad;
          return;
        }
      }
    } catch (...) {  // run_chunks' fn must not throw: rethrown below, on the calling thread
      job.failed[lane] = std::current_exception();
    }
  });
  for (std::size_t i = 0; i < lanes; ++i) {
    if (job.failed[i]) std::rethrow_exception(job.failed[i]);
  }
  // A lane that found a bad value checked all its rows before it, and one that found none all
  // its rows: the smallest index found is X's first bad value.
  std::int64_t first = -1;
  for (std::size_t i = 0; i < lanes; ++i) {
    if (job.bad[i] >= 0 && (first < 0 || job.bad[i] < first)) first = job.bad[i];
  }
  return first;
}

std::int64_t Model::forward_rows(GemmContext& ctx, const float* params, const float* X, std::size_t first,
                                 std::size_t last, const bool* direct, float* out, bool check) {
  // Rows [first, last) of the block's workspaces: disjoint from every other lane's.
  const std::size_t r = last - first;
  const std::size_t in = inputs();
  const std::size_t nout = outputs();
  const std::size_t final = plan_.layers.size() - 1;
  const float* src = X + first * in;
  float* dst = ping_.data() + first * widest_hidden_;
  float* other = pong_.data() + first * widest_hidden_;
  for (std::size_t l = 0; l <= final; ++l) {
    const LayerPlan& lp = plan_.layers[l];
    const LayerOffsets& o = layout_.layers[l];
    float* A = l == final ? out + first * nout : dst;
    float* Z = l == final ? logits_.data() + first * nout : A;
    GemmOptions options;  // automatic: sgemm's choice of path and threads
    if (direct != nullptr) {
      options.path = direct[l] ? GemmPath::direct : GemmPath::packed;
      options.threads = GemmThreads::single;
    }
    CheckingA checking(ctx, check && l == 0);
    dense_forward_with(ctx, options, Z, A, src, params + o.w, o.has_bias ? params + o.b : nullptr, r, lp.inputs,
                       lp.units, lp.activation);
    const std::int64_t bad = checking.first_bad(src, r * in);
    if (bad >= 0) return static_cast<std::int64_t>(first * in) + bad;
    src = A;
    std::swap(dst, other);
  }
  return -1;
}

double Model::forward_blocks(const float* params, const float* X, const float* Y, const float* weights, std::size_t rows,
                             float* out, std::int64_t* first_bad) {
  const std::size_t in = inputs();
  const std::size_t nout = outputs();
  const bool sum = loss_is_sum(plan_.loss);
  const LossSpec spec{plan_.loss, plan_.huber_delta};
  const bool check = first_bad != nullptr;
  double acc = 0.0;
  double acc_weight = 0.0;
  std::size_t start = 0;
  // predict: the whole blocks split by rows in one parallel region (forward_lanes). evaluate
  // takes each block's loss from the logits before the next block overwrites them: block by block.
  const std::size_t whole = Y == nullptr ? rows / block_rows_ : 0;
  const std::size_t whole_lanes = whole > 0 ? lanes_for(block_rows_) : 1;
  if (whole_lanes > 1) {
    const std::int64_t bad = forward_lanes(params, X, block_rows_, whole, whole_lanes, out, check);
    if (bad >= 0) {
      *first_bad = bad;
      return 0.0;
    }
    start = whole * block_rows_;
  }
  for (; start < rows; start += block_rows_) {
    const std::size_t r = std::min(block_rows_, rows - start);
    const std::size_t lanes = lanes_for(r);
    bool direct[contract::kMaxLayers];
    if (lanes_.empty()) choose_paths(r, direct);  // a 1-thread model: every product on this thread
    const std::int64_t bad =
        lanes > 1 ? forward_lanes(params, X + start * in, r, 1, lanes, out + start * nout, check)
                  : forward_rows(*gemm_, params, X + start * in, 0, r, lanes_.empty() ? direct : nullptr,
                                 out + start * nout, check);
    if (bad >= 0) {  // the blocks before were all finite: this is X's first bad value
      *first_bad = static_cast<std::int64_t>(start * in) + bad;
      return 0.0;
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
