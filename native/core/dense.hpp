// The dense layer as a forward/backward pair, mirroring denseForward / denseBackward of the TS
// engine: Z = A_prev W + b, A = f(Z) (bias broadcast, one gemm, fused activation epilogue) and
// its backward (dZ, then dW = A_prev^T dZ, db = column sums of dZ, dA_prev = dZ W^T).
// No allocation and no checks beyond what the caller (the Trainer) guarantees.
#pragma once

#include <cstddef>

#include "activations.hpp"
#include "gemm/gemm.hpp"
#include "gemm/gemm_internal.hpp"

namespace fastmlp {

// X is (rows, inputs), W is (inputs, units), b is (units) or null; Z and A are (rows, units).
// Z may alias A (hidden layers keep only A); the output layer keeps Z for the loss.
void dense_forward(GemmContext& ctx, float* Z, float* A, const float* X, const float* W, const float* b,
                   std::size_t rows, std::size_t inputs, std::size_t units, Activation act);
// dense_forward with the product's choices given (GemmOptions; dense_forward: all automatic).
void dense_forward_with(GemmContext& ctx, const GemmOptions& options, float* Z, float* A, const float* X,
                        const float* W, const float* b, std::size_t rows, std::size_t inputs, std::size_t units,
                        Activation act);

// dZ (rows, units) holds dA on entry and dZ on exit, unless dz_ready (the fused loss already
// wrote dZ). A is this layer's output, X = A_prev (rows, inputs), W (inputs, units).
// Writes dW (inputs, units), db (units) when non-null, and dX = dA_prev (rows, inputs) when
// non-null (null for layer 0, whose input gradient nobody needs).
void dense_backward(GemmContext& ctx, float* dW, float* db, float* dX, float* dZ, const float* A,
                    const float* X, const float* W, std::size_t rows, std::size_t inputs, std::size_t units,
                    Activation act, bool dz_ready);

}  // namespace fastmlp
