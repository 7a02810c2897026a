// Losses of one batch and their gradients, per the loss contract in lib/engine/engine.ts:
// sse / half-sse are sums over the batch, mse / bce / cross-entropy / mae / huber means; bce and
// cross-entropy are computed from the output logits Z and their backward is fused to
// (P - Y)/count. Sample weights (one per row, null: every row weighs 1) multiply each row's terms,
// and a mean divides by the batch's weight instead of its rows; with every weight 1 the numbers
// are the unweighted ones bit for bit.
#pragma once

#include <cstddef>
#include <string>

#include "activations.hpp"
#include "contract.hpp"

namespace fastmlp {

// enum class Loss and the names come from contract.hpp (generated from contract.ts).

bool parse_loss(const std::string& name, Loss* out);
const char* loss_name(Loss l);

// True for the contract's sum losses (contract::kLossIsSum, from SUM_LOSSES: sse, half-sse): epoch
// loss = sum of batch losses. Otherwise batch losses are weighted by batch weight and divided by
// the epoch's weight.
bool loss_is_sum(Loss l);

// The output activation a loss requires (bce: sigmoid, cross-entropy: softmax), or false when any
// activation is allowed.
bool loss_required_activation(Loss l, Activation* out);

// The loss and what its formula needs besides the batch: huber's delta (float32, as the plan's).
struct LossSpec {
  Loss loss = Loss::mse;
  float huber_delta = static_cast<float>(contract::kDefaultHuberDelta);
};

// huber's delta within the contract's range (kHuberDelta). Throws std::invalid_argument.
void validate_huber_delta(float delta);

// The batch's weight: the sum of weights[0..rows) in double, or rows when weights is null.
double batch_weight(const float* weights, std::size_t rows);

// Throws std::out_of_range naming the first of weights[0..rows) that is not finite and >= 0.
void check_weights(const float* weights, std::size_t rows);

// Z (logits), P (= activation(Z)), Y are (rows, outputs); weights null or one per row, summing to
// `weight` (batch_weight). Returns the batch loss in double; 0 for a batch of weight 0.
double loss_forward(const LossSpec& spec, const float* Z, const float* P, const float* Y, std::size_t rows,
                    std::size_t outputs, const float* weights, double weight);
// Unweighted, with huber's default delta.
inline double loss_forward(Loss loss, const float* Z, const float* P, const float* Y, std::size_t rows,
                           std::size_t outputs) {
  return loss_forward(LossSpec{loss}, Z, P, Y, rows, outputs, nullptr, static_cast<double>(rows));
}

// Writes the gradient of the batch loss into dOut (rows, outputs), for a batch of weight > 0.
// Returns true when dOut is already dZ (fused bce / cross-entropy), false when it is dA (the
// activation derivative is still to be applied).
bool loss_backward(const LossSpec& spec, float* dOut, const float* P, const float* Y, std::size_t rows,
                   std::size_t outputs, const float* weights, double weight);
inline bool loss_backward(Loss loss, float* dOut, const float* P, const float* Y, std::size_t rows,
                          std::size_t outputs) {
  return loss_backward(LossSpec{loss}, dOut, P, Y, rows, outputs, nullptr, static_cast<double>(rows));
}

}  // namespace fastmlp
