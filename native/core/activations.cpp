// Activation forward passes and their derivatives from A (see activations.hpp).
// Stable forms: sigmoid never evaluates exp of a positive number; softmax subtracts the row max.
#include "activations.hpp"

#include <algorithm>
#include <cmath>

namespace fastmlp {

bool parse_activation(const std::string& name, Activation* out) {
  static const struct {
    const char* name;
    Activation value;
  } kTable[] = {{"sigmoid", Activation::sigmoid},       {"relu", Activation::relu},
                {"tanh", Activation::tanh},             {"leakyRelu", Activation::leaky_relu},
                {"softmax", Activation::softmax},       {"linear", Activation::linear}};
  for (const auto& row : kTable) {
    if (name == row.name) {
      *out = row.value;
      return true;
    }
  }
  return false;
}

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::sigmoid: return "sigmoid";
    case Activation::relu: return "relu";
    case Activation::tanh: return "tanh";
    case Activation::leaky_relu: return "leakyRelu";
    case Activation::softmax: return "softmax";
    case Activation::linear: return "linear";
  }
  return "unknown";
}

// sigmoid(z) = 1/(1+e^-z) for z >= 0, e^z/(1+e^z) otherwise: the exponent is never positive.
static inline float stable_sigmoid(float z) {
  if (z >= 0.0f) return 1.0f / (1.0f + std::exp(-z));
  const float e = std::exp(z);
  return e / (1.0f + e);
}

// One row of softmax: subtract the row max so exp never overflows; sum in double.
static void softmax_row(float* a, const float* z, std::size_t units) {
  float zmax = z[0];
  for (std::size_t j = 1; j < units; ++j) zmax = std::max(zmax, z[j]);
  double sum = 0.0;
  for (std::size_t j = 0; j < units; ++j) {
    const float e = std::exp(z[j] - zmax);
    a[j] = e;
    sum += e;
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (std::size_t j = 0; j < units; ++j) a[j] *= inv;
}

void activation_forward(Activation act, float* A, const float* Z, std::size_t rows, std::size_t units) {
  const std::size_t n = rows * units;
  switch (act) {
    case Activation::sigmoid:
      for (std::size_t i = 0; i < n; ++i) A[i] = stable_sigmoid(Z[i]);
      return;
    case Activation::relu:
      for (std::size_t i = 0; i < n; ++i) A[i] = Z[i] > 0.0f ? Z[i] : 0.0f;
      return;
    case Activation::tanh:
      for (std::size_t i = 0; i < n; ++i) A[i] = std::tanh(Z[i]);
      return;
    case Activation::leaky_relu:
      for (std::size_t i = 0; i < n; ++i) A[i] = Z[i] > 0.0f ? Z[i] : kLeakyReluAlpha * Z[i];
      return;
    case Activation::softmax:
      if (units == 0) return;
      for (std::size_t r = 0; r < rows; ++r) softmax_row(A + r * units, Z + r * units, units);
      return;
    case Activation::linear:
      if (A != Z) std::copy(Z, Z + n, A);
      return;
  }
}

void activation_backward(Activation act, float* dZ, const float* dA, const float* A, std::size_t rows,
                         std::size_t units) {
  const std::size_t n = rows * units;
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
