// Activation forward passes and their derivatives from A (see activations.hpp).
// Stable forms: sigmoid never evaluates exp of a positive number; softmax subtracts the row max.
// The exp-based ones (sigmoid, tanh, softmax) run on vecmath's Cephes exp: 8 lanes under AVX2,
// 4 under NEON.
#include "activations.hpp"

#include <algorithm>
#include <cmath>

#include "cpu/dispatch.hpp"
#include "vecmath.hpp"

namespace fastmlp {

bool parse_activation(const std::string& name, Activation* out) {
  for (std::size_t code = 0; code < contract::kActivationCount; ++code) {
    if (name == contract::kActivationNames[code]) {
      *out = static_cast<Activation>(code);
      return true;
    }
  }
  return false;
}

const char* activation_name(Activation a) {
  const auto code = static_cast<std::size_t>(a);
  return code < contract::kActivationCount ? contract::kActivationNames[code] : "unknown";
}

// One row of softmax (stable form: subtract the row max, so every exponent is <= 0):
// a = exp(z - max) / sum, the sum in double. The exps of all rows run as one vector pass.
static void softmax_rows(float* A, const float* Z, std::size_t rows, std::size_t units) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* z = Z + r * units;
    float* a = A + r * units;
    float zmax = z[0];
    for (std::size_t j = 1; j < units; ++j) zmax = std::max(zmax, z[j]);
    for (std::size_t j = 0; j < units; ++j) a[j] = z[j] - zmax;
  }
  vec_exp_nonpositive(A, A, rows * units);
  for (std::size_t r = 0; r < rows; ++r) {
    float* a = A + r * units;
    double sum = 0.0;
    for (std::size_t j = 0; j < units; ++j) sum += a[j];
    const float inv = static_cast<float>(1.0 / sum);
    for (std::size_t j = 0; j < units; ++j) a[j] *= inv;
  }
}

void activation_forward(Activation act, float* A, const float* Z, std::size_t rows, std::size_t units) {
  const std::size_t n = rows * units;
  switch (act) {
    case Activation::sigmoid:
      vec_sigmoid(A, Z, n);
      return;
    case Activation::relu:
      for (std::size_t i = 0; i < n; ++i) A[i] = Z[i] > 0.0f ? Z[i] : 0.0f;
      return;
    case Activation::tanh:
      vec_tanh(A, Z, n);
      return;
    case Activation::leaky_relu:
      for (std::size_t i = 0; i < n; ++i) A[i] = Z[i] > 0.0f ? Z[i] : kLeakyReluAlpha * Z[i];
      return;
    case Activation::softmax:
      if (units == 0) return;
      softmax_rows(A, Z, rows, units);
      return;
    case Activation::linear:
      if (A != Z) std::copy(Z, Z + n, A);
      return;
  }
}

void activation_backward(Activation act, float* dZ, const float* dA, const float* A, std::size_t rows,
                         std::size_t units) {
  const std::size_t n = rows * units;
  const cpu::VecActivationBackward backward = cpu::kernels().activation_backward;
  if (backward != nullptr && (act == Activation::sigmoid || act == Activation::tanh || act == Activation::relu)) {
    const int kind = act == Activation::sigmoid ? 0 : act == Activation::tanh ? 1 : 2;
    backward(kind, dZ, dA, A, n);
    return;
  }
  switch (act) {
    case Activation::sigmoid:
      for (std::size_t i = 0; i < n; ++i) dZ[i] = dA[i] * A[i] * (1.0f - A[i]);
      return;
    case Activation::relu:
      for (std::size_t i = 0; i < n; ++i) dZ[i] = A[i] > 0.0f ? dA[i] : 0.0f;
      return;
    case Activation::tanh:
      for (std::size_t i = 0; i < n; ++i) dZ[i] = dA[i] * (1.0f - A[i] * A[i]);
      return;
    case Activation::leaky_relu:
      for (std::size_t i = 0; i < n; ++i) dZ[i] = A[i] > 0.0f ? dA[i] : kLeakyReluAlpha * dA[i];
      return;
    case Activation::softmax:
      // Jacobian-vector product of softmax: dZ_i = A_i (dA_i - sum_j dA_j A_j).
      for (std::size_t r = 0; r < rows; ++r) {
        const float* a = A + r * units;
        const float* da = dA + r * units;
        float* dz = dZ + r * units;
        double dot = 0.0;
        for (std::size_t j = 0; j < units; ++j) dot += static_cast<double>(da[j]) * a[j];
        const float d = static_cast<float>(dot);
        for (std::size_t j = 0; j < units; ++j) dz[j] = a[j] * (da[j] - d);
      }
      return;
    case Activation::linear:
      if (dZ != dA) std::copy(dA, dA + n, dZ);
      return;
  }
}

}  // namespace fastmlp
