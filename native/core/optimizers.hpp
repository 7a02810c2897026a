// Optimizers as one update rule over the flat parameter buffer, variants as flags (the update
// rules are in lib/engine/engine.ts, OptimizerPlan). Weight decay (L2, or adamw's decoupled
// decay) applies to weights only: the caller passes the layout, and bias ranges are updated with
// decay 0. Gradient clipping happens before, over the whole gradient (clipping.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "contract.hpp"
#include "layout.hpp"

namespace fastmlp {

// enum class OptimizerKind, the names, ranges and defaults come from contract.hpp.
struct OptimizerPlan {
  OptimizerKind kind = OptimizerKind::sgd;
  double learning_rate = contract::kDefaultLearningRate[static_cast<std::size_t>(OptimizerKind::sgd)];
  double momentum = 0.0;
  double beta1 = contract::kDefaultBeta1;
  double beta2 = contract::kDefaultBeta2;
  double epsilon = contract::kDefaultEpsilon;
  double weight_decay = contract::kDefaultWeightDecay[static_cast<std::size_t>(OptimizerKind::sgd)];
  double rho = contract::kDefaultRho;
  double clip_norm = 0.0;   // 0: off
  double clip_value = 0.0;  // 0: off
};

bool parse_optimizer_kind(const std::string& name, OptimizerKind* out);

// Floats of optimizer state per parameter buffer of `params` floats (adam, adamw, rmsprop 2P,
// momentum-style P).
std::size_t optimizer_state_size(OptimizerKind kind, std::size_t params);

// Throws std::invalid_argument when a hyperparameter is outside its range in contract.hpp.
void validate_optimizer(const OptimizerPlan& plan);

// One step t (>= 1) over all parameters: params -= update(grads, state). params, grads have
// layout.size floats; state has optimizer_state_size(kind, layout.size) floats. grads are taken
// as they are: clip them first (clip_gradients) when the plan clips.
void optimizer_step(const OptimizerPlan& plan, const ParamLayout& layout, std::uint64_t t, float* params,
                    const float* grads, float* state);
// The same step restricted to the flat indices [begin, end) (end <= layout.size): disjoint
// ranges covering [0, layout.size) give exactly optimizer_step's result, on any threads.
void optimizer_step_range(const OptimizerPlan& plan, const ParamLayout& layout, std::uint64_t t, float* params,
                          const float* grads, float* state, std::size_t begin, std::size_t end);

}  // namespace fastmlp
