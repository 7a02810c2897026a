// Lane masks shared by the AVX2 sup variants (included only by *_avx2.cpp files, all built with
// the same flags). static: each file keeps its own copy, so no AVX2 code is shared by name
// with files built without AVX2 (see kernel_avx2_6x16.cpp's ODR note).
#pragma once

#include <immintrin.h>

#include <cstddef>

namespace fastmlp {

// Lanes [0, count) set, for the partial last vector of a row (count in 1..8).
static inline __m256i lane_mask(std::size_t count) {
  alignas(32) static const int kOnes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kOnes + 8 - count));
}

}  // namespace fastmlp
