// The plain float64 reference the core is tested against, written from the contract in
// lib/engine/engine.ts (forward, loss, backprop in plain loops) plus the test data helpers.
// Header-only, for the C++ tests only.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "mlp.hpp"

namespace ref {

using namespace fastmlp;
using Vec = std::vector<double>;

// --- a deterministic generator ----------------------------------------------------------------

struct Lcg {
  std::uint64_t s;
  double next() {  // uniform in [-1, 1)
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(s >> 11) / 4503599627370496.0 - 1.0;
  }
};

inline std::vector<float> random_floats(std::size_t n, Lcg& g, double scale = 1.0) {
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(scale * g.next());
  return v;
}

// --- the float64 reference -------------------------------------------------------------------

inline double ref_act(Activation a, double z) {
  switch (a) {
    case Activation::sigmoid: return 1.0 / (1.0 + std::exp(-z));
    case Activation::relu: return z > 0 ? z : 0;
    case Activation::tanh: return std::tanh(z);
    case Activation::leaky_relu: return z > 0 ? z : 0.01 * z;
    case Activation::linear: return z;
    case Activation::softmax: break;
  }
  return 0;
}

inline double ref_dact(Activation a, double A) {
  switch (a) {
    case Activation::sigmoid: return A * (1 - A);
    case Activation::relu: return A > 0 ? 1 : 0;
    case Activation::tanh: return 1 - A * A;
    case Activation::leaky_relu: return A > 0 ? 1 : 0.01;
    default: return 1;
  }
}

struct RefPass {
  std::vector<Vec> Z, A;  // per layer (rows, units)
};

inline RefPass ref_forward(const TrainerPlan& plan, const Vec& p, const Vec& X, std::size_t rows) {
  const ParamLayout lay = param_layout(plan.layers);
  RefPass pass;
  const Vec* in = &X;
  for (std::size_t l = 0; l < plan.layers.size(); ++l) {
    const LayerPlan& lp = plan.layers[l];
    const LayerOffsets& o = lay.layers[l];
    Vec Z(rows * lp.units), A(rows * lp.units);
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t j = 0; j < lp.units; ++j) {
        double z = o.has_bias ? p[o.b + j] : 0.0;
        for (std::size_t i = 0; i < lp.inputs; ++i) z += (*in)[r * lp.inputs + i] * p[o.w + i * lp.units + j];
        Z[r * lp.units + j] = z;
      }
      if (lp.activation == Activation::softmax) {
        double mx = -1e300, s = 0;
        for (std::size_t j = 0; j < lp.units; ++j) mx = std::max(mx, Z[r * lp.units + j]);
        for (std::size_t j = 0; j < lp.units; ++j) s += std::exp(Z[r * lp.units + j] - mx);
        for (std::size_t j = 0; j < lp.units; ++j) A[r * lp.units + j] = std::exp(Z[r * lp.units + j] - mx) / s;
      } else {
        for (std::size_t j = 0; j < lp.units; ++j) A[r * lp.units + j] = ref_act(lp.activation, Z[r * lp.units + j]);
      }
    }
    pass.Z.push_back(std::move(Z));
    pass.A.push_back(std::move(A));
    in = &pass.A.back();
  }
  return pass;
}

inline double ref_loss(Loss loss, const Vec& Z, const Vec& P, const Vec& Y, std::size_t rows, std::size_t outs,
                       double delta = 1.0) {
  const std::size_t n = rows * outs;
  double s = 0;
  if (loss == Loss::cross_entropy) {
    for (std::size_t r = 0; r < rows; ++r) {
      double mx = -1e300, e = 0, yz = 0;
      for (std::size_t j = 0; j < outs; ++j) mx = std::max(mx, Z[r * outs + j]);
      for (std::size_t j = 0; j < outs; ++j) e += std::exp(Z[r * outs + j] - mx), yz += Y[r * outs + j] * Z[r * outs + j];
      s += mx + std::log(e) - yz;
    }
    return s / static_cast<double>(rows);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double a = std::fabs(P[i] - Y[i]);
    if (loss == Loss::bce) {
      s += -(Y[i] * std::log(P[i]) + (1 - Y[i]) * std::log(1 - P[i]));
    } else if (loss == Loss::mae) {
      s += a;
    } else if (loss == Loss::huber) {
      s += a <= delta ? 0.5 * a * a : delta * (a - 0.5 * delta);
    } else {
      s += (P[i] - Y[i]) * (P[i] - Y[i]);
    }
  }
  if (loss == Loss::sse) return s;
  if (loss == Loss::half_sse) return 0.5 * s;
  return s / static_cast<double>(n);
}

// Loss of the batch and its gradient (same layout as p) by plain backprop.
inline double ref_grads(const TrainerPlan& plan, const Vec& p, const Vec& X, const Vec& Y, std::size_t rows, Vec& g) {
  const ParamLayout lay = param_layout(plan.layers);
  const RefPass pass = ref_forward(plan, p, X, rows);
  const std::size_t L = plan.layers.size(), outs = plan.layers.back().units, n = rows * outs;
  const double delta = plan.huber_delta;
  const double loss = ref_loss(plan.loss, pass.Z.back(), pass.A.back(), Y, rows, outs, delta);
  g.assign(lay.size, 0.0);
  Vec d(n);
  const Vec& P = pass.A.back();
  bool fused = plan.loss == Loss::bce || plan.loss == Loss::cross_entropy;
  for (std::size_t i = 0; i < n; ++i) {
    const double diff = P[i] - Y[i];
    switch (plan.loss) {
      case Loss::sse: d[i] = 2 * diff; break;
      case Loss::half_sse: d[i] = diff; break;
      case Loss::mse: d[i] = 2 * diff / n; break;
      case Loss::bce: d[i] = diff / n; break;
      case Loss::cross_entropy: d[i] = diff / rows; break;
      case Loss::mae: d[i] = (diff > 0 ? 1.0 : diff < 0 ? -1.0 : 0.0) / n; break;
      case Loss::huber: d[i] = std::max(-delta, std::min(delta, diff)) / n; break;
    }
  }
  for (std::size_t l = L; l-- > 0;) {
    const LayerPlan& lp = plan.layers[l];
    const LayerOffsets& o = lay.layers[l];
    const Vec& A = pass.A[l];
    if (!(fused && l == L - 1)) {
      for (std::size_t r = 0; r < rows; ++r) {
        if (lp.activation == Activation::softmax) {
          double dot = 0;
          for (std::size_t j = 0; j < lp.units; ++j) dot += d[r * lp.units + j] * A[r * lp.units + j];
          for (std::size_t j = 0; j < lp.units; ++j) d[r * lp.units + j] = A[r * lp.units + j] * (d[r * lp.units + j] - dot);
        } else {
          for (std::size_t j = 0; j < lp.units; ++j) d[r * lp.units + j] *= ref_dact(lp.activation, A[r * lp.units + j]);
        }
      }
    }
    const Vec& Ain = l == 0 ? X : pass.A[l - 1];
    Vec dprev(rows * lp.inputs, 0.0);
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t j = 0; j < lp.units; ++j) {
        const double dz = d[r * lp.units + j];
        if (o.has_bias) g[o.b + j] += dz;
        for (std::size_t i = 0; i < lp.inputs; ++i) {
          g[o.w + i * lp.units + j] += Ain[r * lp.inputs + i] * dz;
          dprev[r * lp.inputs + i] += dz * p[o.w + i * lp.units + j];
        }
      }
    }
    d = std::move(dprev);
  }
  return loss;
}

inline Vec to_double(const std::vector<float>& v) { return Vec(v.begin(), v.end()); }

inline TrainerPlan make_plan(std::vector<std::size_t> sizes, Activation hidden, Activation out, Loss loss,
                             std::size_t batch) {
  TrainerPlan plan;
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    plan.layers.push_back({sizes[i], sizes[i + 1], i + 2 == sizes.size() ? out : hidden, i % 2 == 0});
  }
  plan.loss = loss;
  // huber: a delta small enough that the batches cross it (both branches of the loss are taken)
  if (loss == Loss::huber) plan.huber_delta = 0.1f;
  plan.batch_size = batch;
  plan.optimizer.kind = OptimizerKind::sgd;
  plan.optimizer.learning_rate = 1.0;
  return plan;
}

// Targets that suit the loss: one-hot rows for cross-entropy, values in (0, 1) otherwise.
inline std::vector<float> make_targets(Loss loss, std::size_t rows, std::size_t outs, Lcg& g) {
  std::vector<float> Y(rows * outs);
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t hot = static_cast<std::size_t>((g.next() + 1) * 0.5 * outs) % outs;
    for (std::size_t j = 0; j < outs; ++j) {
      Y[r * outs + j] = loss == Loss::cross_entropy ? (j == hot ? 1.0f : 0.0f) : static_cast<float>(0.5 + 0.4 * g.next());
    }
  }
  return Y;
}

// One optimizer step in float64 per the update rules of OptimizerPlan (engine.ts); L2 on W only.
inline void ref_step(const OptimizerPlan& o, const ParamLayout& lay, std::uint64_t t, Vec& p, const Vec& g, Vec& m,
                     Vec& v) {
  const std::size_t P = lay.size;
  std::vector<bool> is_weight(P, false);
  for (const LayerOffsets& l : lay.layers) {
    for (std::size_t i = 0; i < l.inputs * l.units; ++i) is_weight[l.w + i] = true;
  }
  const double bc1 = 1 - std::pow(o.beta1, static_cast<double>(t));
  const double bc2 = 1 - std::pow(o.beta2, static_cast<double>(t));
  for (std::size_t i = 0; i < P; ++i) {
    const double gi = g[i] + (is_weight[i] ? o.weight_decay * p[i] : 0.0);
    switch (o.kind) {
      case OptimizerKind::sgd: p[i] -= o.learning_rate * gi; break;
      case OptimizerKind::momentum:
        m[i] = o.momentum * m[i] + gi;
        p[i] -= o.learning_rate * m[i];
        break;
      case OptimizerKind::nesterov:
        m[i] = o.momentum * m[i] + gi;
        p[i] -= o.learning_rate * (gi + o.momentum * m[i]);
        break;
      case OptimizerKind::adam:
        m[i] = o.beta1 * m[i] + (1 - o.beta1) * gi;
        v[i] = o.beta2 * v[i] + (1 - o.beta2) * gi * gi;
        p[i] -= o.learning_rate * (m[i] / bc1) / (std::sqrt(v[i] / bc2) + o.epsilon);
        break;
      case OptimizerKind::adamw: {
        // torch.optim.AdamW: decoupled decay of the weights, then adam on the raw gradient
        if (is_weight[i]) p[i] *= 1 - o.learning_rate * o.weight_decay;
        const double raw = g[i];
        m[i] = o.beta1 * m[i] + (1 - o.beta1) * raw;
        v[i] = o.beta2 * v[i] + (1 - o.beta2) * raw * raw;
        p[i] -= o.learning_rate * (m[i] / bc1) / (std::sqrt(v[i] / bc2) + o.epsilon);
        break;
      }
      case OptimizerKind::rmsprop: {
        // torch.optim.RMSprop: m is the square average, v the momentum buffer
        m[i] = o.rho * m[i] + (1 - o.rho) * gi * gi;
        const double a = std::sqrt(m[i]) + o.epsilon;
        if (o.momentum > 0) {
          v[i] = o.momentum * v[i] + gi / a;
          p[i] -= o.learning_rate * v[i];
        } else {
          p[i] -= o.learning_rate * gi / a;
        }
        break;
      }
    }
  }
}

// clip_grad_value_ then clip_grad_norm_ in float64 (the norm over every parameter).
inline void ref_clip(const OptimizerPlan& o, Vec& g) {
  if (o.clip_value > 0) {
    for (double& x : g) x = std::fmin(std::fmax(x, -o.clip_value), o.clip_value);
  }
  if (o.clip_norm > 0) {
    double sum = 0;
    for (double x : g) sum += x * x;
    const double norm = std::sqrt(sum);
    if (norm > o.clip_norm) {
      for (double& x : g) x *= o.clip_norm / (norm + 1e-6);
    }
  }
}

}  // namespace ref
