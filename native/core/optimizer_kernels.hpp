// The optimizer's element loop behind the kernel table (cpu/dispatch.hpp): one function per
// instruction set, same signature, same results bit for bit. The vector versions take the plain
// loop's operations in the plain loop's order, one rounding each (no fused multiply-add), and
// IEEE sqrt and division are correctly rounded in every width, so every table updates the
// parameters identically. Only plain data here (the AVX files include it: no inline functions).
#pragma once

#include <cstddef>

namespace fastmlp {

// OptimizerKind's codes (contract.hpp; optimizers.cpp checks they agree), as ints so the kernel
// files need not include the contract.
constexpr int kUpdateSgd = 0;
constexpr int kUpdateMomentum = 1;
constexpr int kUpdateNesterov = 2;
constexpr int kUpdateAdam = 3;
constexpr int kUpdateAdamw = 4;
constexpr int kUpdateRmsprop = 5;

// Per-step constants, computed once in double by optimizers.cpp and rounded to float.
struct StepCoefficients {
  float lr;
  float mu;
  float b1, one_minus_b1;
  float b2, one_minus_b2;
  float step_size;     // adam: lr / (1 - b1^t)
  float inv_sqrt_bc2;  // adam: 1 / sqrt(1 - b2^t)
  float eps;
  float weight_keep;  // adamw: 1 - lr * weight_decay, what a weight is multiplied by first
  float rho, one_minus_rho;
};

// w[0..n) with its gradient g and state m, v (either may be unused: null; rmsprop: s, b).
// decay: this range's weight decay (L2, or for adamw > 0 means decay by weight_keep). The rules
// are written out in optimizers.cpp (optimizer_scalar::update).
namespace optimizer_scalar {
void update(int kind, const StepCoefficients& c, float decay, float* w, const float* g, float* m, float* v,
            std::size_t n);
}
// AVX2 (optimizer_avx2.cpp, FASTMLP_HAVE_AVX2 builds): 8 lanes, masked tails.
namespace optimizer_avx2 {
void update(int kind, const StepCoefficients& c, float decay, float* w, const float* g, float* m, float* v,
            std::size_t n);
}
// AVX-512 (optimizer_avx512.cpp, FASTMLP_HAVE_AVX512 builds): 16 lanes, masked tails.
namespace optimizer_avx512 {
void update(int kind, const StepCoefficients& c, float decay, float* w, const float* g, float* m, float* v,
            std::size_t n);
}

}  // namespace fastmlp
