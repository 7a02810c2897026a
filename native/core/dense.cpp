// Dense layer forward and backward on top of sgemm (see dense.hpp). The three products of
// backprop are one gemm each with transpose flags: X W, X^T dZ, dZ W^T; no transposed copies.
#include "dense.hpp"

#include "vecmath.hpp"

namespace fastmlp {

void dense_forward(GemmContext& ctx, float* Z, float* A, const float* X, const float* W, const float* b,
                   std::size_t rows, std::size_t inputs, std::size_t units, Activation act) {
  dense_forward_with(ctx, GemmOptions{}, Z, A, X, W, b, rows, inputs, units, act);
}

void dense_forward_with(GemmContext& ctx, const GemmOptions& options, float* Z, float* A, const float* X,
                        const float* W, const float* b, std::size_t rows, std::size_t inputs, std::size_t units,
                        Activation act) {
  // X is (rows, inputs), W is (inputs, units), Z is (rows, units). No bias: sgemm's beta = 0.
  sgemm_bias_with(ctx, options, false, false, rows, units, inputs, 1.0f, X, W, 0.0f, b, Z);
  activation_forward(act, A, Z, rows, units);
}

void dense_backward(GemmContext& ctx, float* dW, float* db, float* dX, float* dZ, const float* A,
                    const float* X, const float* W, std::size_t rows, std::size_t inputs, std::size_t units,
                    Activation act, bool dz_ready) {
  // dZ is (rows, units), X is (rows, inputs), W is (inputs, units).
  if (!dz_ready) activation_backward(act, dZ, dZ, A, rows, units);
  // dW (inputs, units) = X^T dZ
  sgemm(ctx, true, false, inputs, units, rows, 1.0f, X, dZ, 0.0f, dW);
  if (db != nullptr) vec_column_sums(db, dZ, rows, units);
  // dX (rows, inputs) = dZ W^T
  if (dX != nullptr) sgemm(ctx, false, true, rows, inputs, units, 1.0f, dZ, W, 0.0f, dX);
}

}  // namespace fastmlp
