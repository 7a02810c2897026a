// The optimizer update rule (sgd, momentum, nesterov in PyTorch form, adam with float64 bias
// corrections once per step, adamw's decoupled decay, rmsprop as torch.optim.RMSprop) applied
// range by range over the flat parameter buffer: the plain element loop here, its AVX2 and
// AVX-512 twins (optimizer_kernels.hpp) chosen by the kernel table.
#include "optimizers.hpp"

#include <cmath>
#include <stdexcept>

#include "cpu/dispatch.hpp"
#include "optimizer_kernels.hpp"

namespace fastmlp {

static_assert(static_cast<int>(OptimizerKind::sgd) == kUpdateSgd && static_cast<int>(OptimizerKind::momentum) == kUpdateMomentum &&
                  static_cast<int>(OptimizerKind::nesterov) == kUpdateNesterov &&
                  static_cast<int>(OptimizerKind::adam) == kUpdateAdam &&
                  static_cast<int>(OptimizerKind::adamw) == kUpdateAdamw &&
                  static_cast<int>(OptimizerKind::rmsprop) == kUpdateRmsprop,
              "optimizer_kernels.hpp's codes are OptimizerKind's");

bool parse_optimizer_kind(const std::string& name, OptimizerKind* out) {
  for (std::size_t code = 0; code < contract::kOptimizerCount; ++code) {
    if (name == contract::kOptimizerNames[code]) {
      *out = static_cast<OptimizerKind>(code);
      return true;
    }
  }
  return false;
}

std::size_t optimizer_state_size(OptimizerKind kind, std::size_t params) {
  if (kind == OptimizerKind::adam || kind == OptimizerKind::adamw || kind == OptimizerKind::rmsprop) {
    return checked_mul(2, params, "optimizer state");
  }
  if (kind == OptimizerKind::momentum || kind == OptimizerKind::nesterov) return params;
  return 0;
}

static void require(const contract::NumberRange& range, const char* name, double value) {
  if (!contract::in_range(range, value)) {
    throw std::invalid_argument(std::string("Expected ") + range.expected + " for optimizer." + name +
                                " but received " + std::to_string(value));
  }
}

void validate_optimizer(const OptimizerPlan& p) {
  require(contract::kLearningRate, "learningRate", p.learning_rate);
  require(contract::kMomentum, "momentum", p.momentum);
  require(contract::kBeta1, "beta1", p.beta1);
  require(contract::kBeta2, "beta2", p.beta2);
  require(contract::kEpsilon, "epsilon", p.epsilon);
  require(contract::kWeightDecay, "weightDecay", p.weight_decay);
  require(contract::kRho, "rho", p.rho);
  // clipping thresholds: 0 is off
  if (p.clip_norm != 0.0) require(contract::kClipNorm, "clipNorm", p.clip_norm);
  if (p.clip_value != 0.0) require(contract::kClipValue, "clipValue", p.clip_value);
}

// ---- the plain loop (the scalar table; the vector versions repeat its operations) ----------

namespace optimizer_scalar {

void update(int kind_code, const StepCoefficients& c, float decay, float* w, const float* g, float* m, float* v,
            std::size_t n) {
  switch (static_cast<OptimizerKind>(kind_code)) {
    case OptimizerKind::sgd:
      for (std::size_t i = 0; i < n; ++i) w[i] -= c.lr * (g[i] + decay * w[i]);
      return;
    case OptimizerKind::momentum:
      for (std::size_t i = 0; i < n; ++i) {
        const float gi = g[i] + decay * w[i];
        m[i] = c.mu * m[i] + gi;
        w[i] -= c.lr * m[i];
      }
      return;
    case OptimizerKind::nesterov:
      for (std::size_t i = 0; i < n; ++i) {
        const float gi = g[i] + decay * w[i];
        m[i] = c.mu * m[i] + gi;
        w[i] -= c.lr * (gi + c.mu * m[i]);
      }
      return;
    case OptimizerKind::adam:
      // Kingma & Ba (2015), Algorithm 1, with the bias corrections folded into step_size and
      // inv_sqrt_bc2: w -= lr * (m / bc1) / (sqrt(v / bc2) + eps).
      for (std::size_t i = 0; i < n; ++i) {
        const float gi = g[i] + decay * w[i];
        m[i] = c.b1 * m[i] + c.one_minus_b1 * gi;
        v[i] = c.b2 * v[i] + c.one_minus_b2 * gi * gi;
        w[i] -= c.step_size * m[i] / (std::sqrt(v[i]) * c.inv_sqrt_bc2 + c.eps);
      }
      return;
    case OptimizerKind::adamw:
      // Loshchilov & Hutter, as torch.optim.AdamW: w *= 1 - lr * wd (weights only), then adam's
      // step on the gradient without L2.
      // One pass: a bias range (decay 0) keeps its weights (x 1.0f is exact).
      {
        const float keep = decay != 0.0f ? c.weight_keep : 1.0f;
        for (std::size_t i = 0; i < n; ++i) {
          const float gi = g[i];
          m[i] = c.b1 * m[i] + c.one_minus_b1 * gi;
          v[i] = c.b2 * v[i] + c.one_minus_b2 * gi * gi;
          w[i] = w[i] * keep - c.step_size * m[i] / (std::sqrt(v[i]) * c.inv_sqrt_bc2 + c.eps);
        }
      }
      return;
    case OptimizerKind::rmsprop:
      // torch.optim.RMSprop (not centered): s = rho s + (1-rho) g^2; a = sqrt(s) + eps (outside
      // the root); w -= lr * g / a, or through the momentum buffer b = mu b + g / a.
      if (c.mu > 0.0f) {
        for (std::size_t i = 0; i < n; ++i) {
          const float gi = g[i] + decay * w[i];
          m[i] = c.rho * m[i] + c.one_minus_rho * (gi * gi);
          const float a = std::sqrt(m[i]) + c.eps;
          v[i] = c.mu * v[i] + gi / a;
          w[i] -= c.lr * v[i];
        }
      } else {
        for (std::size_t i = 0; i < n; ++i) {
          const float gi = g[i] + decay * w[i];
          m[i] = c.rho * m[i] + c.one_minus_rho * (gi * gi);
          w[i] -= c.lr * (gi / (std::sqrt(m[i]) + c.eps));
        }
      }
      return;
  }
}

}  // namespace optimizer_scalar

void optimizer_step(const OptimizerPlan& plan, const ParamLayout& layout, std::uint64_t t, float* params,
                    const float* grads, float* state) {
  optimizer_step_range(plan, layout, t, params, grads, state, 0, layout.size);
}

void optimizer_step_range(const OptimizerPlan& plan, const ParamLayout& layout, std::uint64_t t, float* params,
                          const float* grads, float* state, std::size_t begin, std::size_t end) {
  if (t == 0) throw std::invalid_argument("Expected a step >= 1 for optimizer_step but received 0");
  StepCoefficients c{};
  c.lr = static_cast<float>(plan.learning_rate);
  c.mu = static_cast<float>(plan.momentum);
  c.b1 = static_cast<float>(plan.beta1);
  c.one_minus_b1 = static_cast<float>(1.0 - plan.beta1);
  c.b2 = static_cast<float>(plan.beta2);
  c.one_minus_b2 = static_cast<float>(1.0 - plan.beta2);
  c.eps = static_cast<float>(plan.epsilon);
  c.weight_keep = static_cast<float>(1.0 - plan.learning_rate * plan.weight_decay);
  c.rho = static_cast<float>(plan.rho);
  c.one_minus_rho = static_cast<float>(1.0 - plan.rho);
  if (plan.kind == OptimizerKind::adam || plan.kind == OptimizerKind::adamw) {
    const double td = static_cast<double>(t);
    const double bc1 = 1.0 - std::pow(plan.beta1, td);
    const double bc2 = 1.0 - std::pow(plan.beta2, td);
    c.step_size = static_cast<float>(plan.learning_rate / bc1);
    c.inv_sqrt_bc2 = static_cast<float>(1.0 / std::sqrt(bc2));
  }
  const std::size_t P = layout.size;
  float* m = plan.kind == OptimizerKind::sgd ? nullptr : state;
  const bool two_slots = optimizer_state_size(plan.kind, 1) == 2;
  float* v = two_slots ? state + P : nullptr;
  const float decay = static_cast<float>(plan.weight_decay);
  const cpu::VecOptimizerUpdate update = cpu::kernels().optimizer_update;
  // [off, off + n) intersected with [begin, end).
  const auto clipped = [&](std::size_t off, std::size_t n, float d) {
    const std::size_t lo = off > begin ? off : begin;
    const std::size_t hi = off + n < end ? off + n : end;
    if (lo >= hi) return;
    update(static_cast<int>(plan.kind), c, d, params + lo, grads + lo, m ? m + lo : nullptr, v ? v + lo : nullptr, hi - lo);
  };
  for (const LayerOffsets& l : layout.layers) {
    if (l.w >= end) break;
    clipped(l.w, l.inputs * l.units, decay);
    if (l.has_bias) clipped(l.b, l.units, 0.0f);
  }
}

}  // namespace fastmlp
