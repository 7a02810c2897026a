// The vecmath kernels behind the front doors of vecmath.hpp, one namespace per instruction set,
// all with the same signatures (the kernel table of cpu/dispatch.hpp points at one set). Only
// the dispatch code and the tests call these directly.
#pragma once

#include <cstddef>

namespace fastmlp {

// Plain C++ (vecmath.cpp): every target.
namespace vecmath_scalar {
void exp_nonpositive(float* y, const float* x, std::size_t n);
void sigmoid(float* a, const float* z, std::size_t n);
void tanh(float* a, const float* z, std::size_t n);
void column_sums(float* db, const float* dZ, std::size_t rows, std::size_t units);
double squared_error_sum(const float* P, const float* Y, std::size_t n);
double weighted_squared_error_sum(const float* P, const float* Y, const float* W, std::size_t rows,
                                  std::size_t cols);
bool any_not_finite(const float* x, std::size_t n);
}  // namespace vecmath_scalar

// AVX2/FMA (vecmath_avx2.cpp): compiled only where FASTMLP_HAVE_AVX2, called only when the kernel
// table says so.
namespace vecmath_avx2 {
void exp_nonpositive(float* y, const float* x, std::size_t n);
void sigmoid(float* a, const float* z, std::size_t n);
void tanh(float* a, const float* z, std::size_t n);
void column_sums(float* db, const float* dZ, std::size_t rows, std::size_t units);
double squared_error_sum(const float* P, const float* Y, std::size_t n);
double weighted_squared_error_sum(const float* P, const float* Y, const float* W, std::size_t rows,
                                  std::size_t cols);
// kind 0: sigmoid, 1: tanh, 2: relu; the formulas of activation_backward. dZ may alias dA.
void activation_backward(int kind, float* dZ, const float* dA, const float* A, std::size_t n);
bool any_not_finite(const float* x, std::size_t n);
}  // namespace vecmath_avx2

// AVX-512 (vecmath_avx512.cpp): compiled only where FASTMLP_HAVE_AVX512, called only when the
// kernel table says so. Same set as AVX2.
namespace vecmath_avx512 {
void exp_nonpositive(float* y, const float* x, std::size_t n);
void sigmoid(float* a, const float* z, std::size_t n);
void tanh(float* a, const float* z, std::size_t n);
void column_sums(float* db, const float* dZ, std::size_t rows, std::size_t units);
double squared_error_sum(const float* P, const float* Y, std::size_t n);
double weighted_squared_error_sum(const float* P, const float* Y, const float* W, std::size_t rows,
                                  std::size_t cols);
void activation_backward(int kind, float* dZ, const float* dA, const float* A, std::size_t n);
bool any_not_finite(const float* x, std::size_t n);
}  // namespace vecmath_avx512

// NEON (vecmath_neon.cpp): compiled only where FASTMLP_HAVE_NEON (aarch64), called only when the
// kernel table says so. Same set as AVX2.
namespace vecmath_neon {
void exp_nonpositive(float* y, const float* x, std::size_t n);
void sigmoid(float* a, const float* z, std::size_t n);
void tanh(float* a, const float* z, std::size_t n);
void column_sums(float* db, const float* dZ, std::size_t rows, std::size_t units);
double squared_error_sum(const float* P, const float* Y, std::size_t n);
double weighted_squared_error_sum(const float* P, const float* Y, const float* W, std::size_t rows,
                                  std::size_t cols);
void activation_backward(int kind, float* dZ, const float* dA, const float* A, std::size_t n);
}  // namespace vecmath_neon

}  // namespace fastmlp
