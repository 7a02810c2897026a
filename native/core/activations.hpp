// Activations: forward A = f(Z) row-wise and backward dZ = f'(.) * dA with the derivative taken
// from A alone (the contract in lib/engine/engine.ts), so trainers keep A per layer, not Z.
// Mirrors lib/engine/ts activations.
#pragma once

#include <cstddef>
#include <string>

#include "contract.hpp"

namespace fastmlp {

// enum class Activation and the names come from contract.hpp (generated from contract.ts).
// Slope of leakyRelu for z <= 0 (LEAKY_RELU_ALPHA in contract.ts).
constexpr float kLeakyReluAlpha = static_cast<float>(contract::kLeakyReluAlpha);

// Parses the TS name ("leakyRelu", ...); false when unknown.
bool parse_activation(const std::string& name, Activation* out);
const char* activation_name(Activation a);

// Z, A are (rows, units); A may alias Z.
void activation_forward(Activation act, float* A, const float* Z, std::size_t rows, std::size_t units);

// dZ = f'(Z) * dA from A (softmax: dZ_i = A_i (dA_i - sum_j dA_j A_j) per row). dZ may alias dA.
void activation_backward(Activation act, float* dZ, const float* dA, const float* A, std::size_t rows,
                         std::size_t units);

}  // namespace fastmlp
