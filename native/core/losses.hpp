// Losses of one batch and their gradients, per the loss contract in lib/engine/engine.ts:
// sse / half-sse are sums over the batch, mse / bce / cross-entropy means; bce and
// cross-entropy are computed from the output logits Z and their backward is fused to (P - Y)/count.
#pragma once

#include <cstddef>
#include <string>

#include "activations.hpp"

namespace fastmlp {

// enum class Loss and the names come from contract.hpp (generated from contract.ts).

bool parse_loss(const std::string& name, Loss* out);
const char* loss_name(Loss l);

// True for sse / half-sse: epoch loss = sum of batch losses. Otherwise batch losses are
// weighted by batch rows and divided by the epoch's rows.
bool loss_is_sum(Loss l);

// The output activation a loss requires (bce: sigmoid, cross-entropy: softmax), or false when any
// activation is allowed.
bool loss_required_activation(Loss l, Activation* out);

// Z (logits), P (= activation(Z)), Y are (rows, outputs). Returns the batch loss in double.
double loss_forward(Loss loss, const float* Z, const float* P, const float* Y, std::size_t rows,
                    std::size_t outputs);

// Writes the gradient of the batch loss into dOut (rows, outputs). Returns true when dOut is
// already dZ (fused bce / cross-entropy), false when it is dA (the activation derivative is
// still to be applied).
bool loss_backward(Loss loss, float* dOut, const float* P, const float* Y, std::size_t rows,
                   std::size_t outputs);

}  // namespace fastmlp
