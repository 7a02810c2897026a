// Loss values (accumulated in double) and output gradients; see losses.hpp for the contract.
// bce uses the stable form from the logit: max(z,0) - z y + log1p(exp(-|z|)); cross-entropy uses
// logsumexp(z) - sum_k y_k z_k, so a saturated output still gives a finite loss.
#include "losses.hpp"

#include <algorithm>
#include <cmath>

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

bool loss_is_sum(Loss l) { return l == Loss::sse || l == Loss::half_sse; }

bool loss_required_activation(Loss l, Activation* out) {
  const int required = contract::kLossRequiredActivation[static_cast<std::size_t>(l)];
  if (required < 0) return false;
  *out = static_cast<Activation>(required);
  return true;
}

static double squared_error_sum(const float* P, const float* Y, std::size_t n) {
  return vec_squared_error_sum(P, Y, n);
}

double loss_forward(Loss loss, const float* Z, const float* P, const float* Y, std::size_t rows,
                    std::size_t outputs) {
  const std::size_t n = rows * outputs;
  if (n == 0) return 0.0;
  switch (loss) {
    case Loss::sse: return squared_error_sum(P, Y, n);
    case Loss::half_sse: return 0.5 * squared_error_sum(P, Y, n);
    case Loss::mse: return squared_error_sum(P, Y, n) / static_cast<double>(n);
    case Loss::bce: {
      double sum = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        const double z = Z[i];
        sum += std::max(z, 0.0) - z * Y[i] + std::log1p(std::exp(-std::fabs(z)));
      }
      return sum / static_cast<double>(n);
    }
    case Loss::cross_entropy: {
      double sum = 0.0;
      for (std::size_t r = 0; r < rows; ++r) {
        const float* z = Z + r * outputs;
        const float* y = Y + r * outputs;
        double zmax = z[0];
        for (std::size_t j = 1; j < outputs; ++j) zmax = std::max(zmax, static_cast<double>(z[j]));
        double e = 0.0;
        double yz = 0.0;
        for (std::size_t j = 0; j < outputs; ++j) {
          e += std::exp(z[j] - zmax);
          yz += static_cast<double>(y[j]) * z[j];
        }
        sum += zmax + std::log(e) - yz;
      }
      return sum / static_cast<double>(rows);
    }
  }
  return 0.0;
}

bool loss_backward(Loss loss, float* dOut, const float* P, const float* Y, std::size_t rows,
                   std::size_t outputs) {
  const std::size_t n = rows * outputs;
  if (n == 0) return loss == Loss::bce || loss == Loss::cross_entropy;
  float scale = 1.0f;
  bool fused = false;
  switch (loss) {
    case Loss::sse: scale = 2.0f; break;
    case Loss::half_sse: scale = 1.0f; break;
    case Loss::mse: scale = static_cast<float>(2.0 / static_cast<double>(n)); break;
    case Loss::bce:
      scale = static_cast<float>(1.0 / static_cast<double>(n));
      fused = true;
      break;
    case Loss::cross_entropy:
      scale = static_cast<float>(1.0 / static_cast<double>(rows));
      fused = true;
      break;
  }
  for (std::size_t i = 0; i < n; ++i) dOut[i] = scale * (P[i] - Y[i]);
  return fused;
}

}  // namespace fastmlp
