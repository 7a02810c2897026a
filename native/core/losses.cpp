// Loss values (accumulated in double) and output gradients; see losses.hpp for the contract.
// bce uses the stable form from the logit: max(z,0) - z y + log1p(exp(-|z|)); cross-entropy uses
// logsumexp(z) - sum_k y_k z_k, so a saturated output still gives a finite loss. Each row's terms
// are multiplied by its weight (1.0 when unweighted: exact), so one loop serves both.
// cross-entropy's logsumexp(z) = zmax + log(sum_j e^(z_j - zmax)) reads its terms off the softmax
// output P it is fused with (P_j / P_jmax = e^(z_j - zmax)): zmax + log1p(sum_{j != jmax} P_j / P_jmax).
// No exp per output (npm run profile:step -- mnist 1 had put a double exp each near 4% of
// 784-128-10's step; scripts/ab-trainer-bench.sh measured the change 1.04x on 2 threads and no
// faster on 1), at P's float precision (about 1e-7 relative, tiny losses included: log1p of the
// small terms, where log(sum) would round a loss below 1e-16 to 0).
#include "losses.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include "vecmath.hpp"

namespace fastmlp {

bool parse_loss(const std::string& name, Loss* out) {
  for (std::size_t code = 0; code < contract::kLossCount; ++code) {
    if (name == contract::kLossNames[code]) {
      *out = static_cast<Loss>(code);
      return true;
    }
  }
  return false;
}

const char* loss_name(Loss l) {
  const auto code = static_cast<std::size_t>(l);
  return code < contract::kLossCount ? contract::kLossNames[code] : "unknown";
}

bool loss_is_sum(Loss l) {
  const auto code = static_cast<std::size_t>(l);
  return code < contract::kLossCount && contract::kLossIsSum[code];
}

bool loss_required_activation(Loss l, Activation* out) {
  const int required = contract::kLossRequiredActivation[static_cast<std::size_t>(l)];
  if (required < 0) return false;
  *out = static_cast<Activation>(required);
  return true;
}

void validate_huber_delta(float delta) {
  if (!contract::in_range(contract::kHuberDelta, static_cast<double>(delta))) {
    throw std::invalid_argument(std::string("Expected ") + contract::kHuberDelta.expected +
                                " for plan.huberDelta but received " + std::to_string(delta));
  }
}

double batch_weight(const float* weights, std::size_t rows) {
  if (weights == nullptr) return static_cast<double>(rows);
  double sum = 0.0;
  for (std::size_t r = 0; r < rows; ++r) sum += weights[r];
  return sum;
}

namespace {

// A number as JavaScript prints it (String(x)), for the messages the TS engine words the same.
std::string js_number(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x == 0) return "0";
  const double a = std::fabs(x);
  char buf[64];
  const bool fixed = a >= 1e-6 && a < 1e21;
  const auto res = std::to_chars(buf, buf + sizeof buf, x, fixed ? std::chars_format::fixed : std::chars_format::scientific);
  std::string s(buf, res.ptr);
  const std::size_t e = s.find('e');
  if (e != std::string::npos) {  // 1e-07 -> 1e-7, as JS writes exponents
    std::size_t digits = e + 2;
    while (digits + 1 < s.size() && s[digits] == '0') s.erase(digits, 1);
  }
  return s;
}

}  // namespace

void check_weights(const float* weights, std::size_t rows) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float w = weights[r];
    if (!(w >= 0.0f && std::isfinite(w))) {
      throw std::out_of_range("Expected finite weights >= 0 for weights but received " + js_number(w) + " at " +
                              std::to_string(r));
    }
  }
}

double loss_forward(const LossSpec& spec, const float* Z, const float* P, const float* Y, std::size_t rows,
                    std::size_t outputs, const float* weights, double weight) {
  const std::size_t n = rows * outputs;
  if (n == 0 || weight == 0.0) return 0.0;
  const Loss loss = spec.loss;
  if (loss == Loss::sse || loss == Loss::half_sse || loss == Loss::mse) {
    const double sum = weights == nullptr ? vec_squared_error_sum(P, Y, n)
                                          : vec_weighted_squared_error_sum(P, Y, weights, rows, outputs);
    if (loss == Loss::sse) return sum;
    if (loss == Loss::half_sse) return 0.5 * sum;
    return sum / (weight * static_cast<double>(outputs));
  }
  double sum = 0.0;
  if (loss == Loss::cross_entropy) {
    for (std::size_t r = 0; r < rows; ++r) {
      const float* z = Z + r * outputs;
      const float* p = P + r * outputs;
      const float* y = Y + r * outputs;
      std::size_t jmax = 0;
      for (std::size_t j = 1; j < outputs; ++j) jmax = z[j] > z[jmax] ? j : jmax;
      double rest = 0.0;  // the other outputs' probabilities
      double yz = 0.0;
      for (std::size_t j = 0; j < outputs; ++j) {
        if (j != jmax) rest += p[j];
        yz += static_cast<double>(y[j]) * z[j];
      }
      // z[jmax] - yz first: exactly 0 when the label is the argmax, so a tiny log1p term stays.
      // A NaN or infinite logit (a diverged step) makes yz NaN (0 * NaN, 0 * inf, inf - inf).
      const double w = weights == nullptr ? 1.0 : weights[r];
      sum += w * ((static_cast<double>(z[jmax]) - yz) + std::log1p(rest / p[jmax]));
    }
    return sum / weight;
  }
  const double delta = spec.huber_delta;
  for (std::size_t r = 0, i = 0; r < rows; ++r) {
    const double w = weights == nullptr ? 1.0 : weights[r];
    for (const std::size_t end = i + outputs; i < end; ++i) {
      if (loss == Loss::bce) {
        const double z = Z[i];
        sum += w * (std::max(z, 0.0) - z * Y[i] + std::log1p(std::exp(-std::fabs(z))));
      } else {
        const double d = static_cast<double>(P[i]) - Y[i];
        const double a = std::fabs(d);
        if (loss == Loss::mae) sum += w * a;
        else sum += w * (a <= delta ? 0.5 * d * d : delta * (a - 0.5 * delta));  // huber
      }
    }
  }
  return sum / (weight * static_cast<double>(outputs));
}

bool loss_backward(const LossSpec& spec, float* dOut, const float* P, const float* Y, std::size_t rows,
                   std::size_t outputs, const float* weights, double weight) {
  const Loss loss = spec.loss;
  const bool fused = loss == Loss::bce || loss == Loss::cross_entropy;
  if (rows * outputs == 0) return fused;
  // numerator / divisor is the unweighted scale (2 / n for mse, 1 / rows for cross-entropy, ...)
  // once the batch weight replaces the rows.
  double numerator = 1.0;
  double divisor = 1.0;
  switch (loss) {
    case Loss::sse: numerator = 2.0; break;
    case Loss::half_sse: break;
    case Loss::mse:
      numerator = 2.0;
      divisor = weight * static_cast<double>(outputs);
      break;
    case Loss::cross_entropy: divisor = weight; break;
    case Loss::bce:
    case Loss::mae:
    case Loss::huber: divisor = weight * static_cast<double>(outputs); break;
  }
  // Row r's factor is float(w_r * factor): for w_r = 1 (and unweighted) exactly float(factor).
  const double factor = numerator / divisor;
  const float delta = spec.huber_delta;
  // dOut[i] = scale * g(P[i] - Y[i]) over [begin, end), g the loss's (sub)gradient in d.
  const auto fill = [&](std::size_t begin, std::size_t end, float scale) {
    if (loss == Loss::mae) {
      for (std::size_t i = begin; i < end; ++i) {
        const float d = P[i] - Y[i];
        dOut[i] = scale * static_cast<float>((d > 0.0f) - (d < 0.0f));
      }
    } else if (loss == Loss::huber) {
      for (std::size_t i = begin; i < end; ++i) dOut[i] = scale * std::clamp(P[i] - Y[i], -delta, delta);
    } else {
      for (std::size_t i = begin; i < end; ++i) dOut[i] = scale * (P[i] - Y[i]);
    }
  };
  if (weights == nullptr) {
    fill(0, rows * outputs, static_cast<float>(factor));
  } else {
    for (std::size_t r = 0; r < rows; ++r) {
      fill(r * outputs, (r + 1) * outputs, static_cast<float>(static_cast<double>(weights[r]) * factor));
    }
  }
  return fused;
}

}  // namespace fastmlp
