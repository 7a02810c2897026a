// Lane masks shared by the AVX-512 sup variants (included only by *_avx512.cpp files, all built
// with the same flags). static: each file keeps its own copy, so no AVX-512 code is shared by
// name with files built without it (see kernel_avx2_6x16.cpp's ODR note).
#pragma once

#include <immintrin.h>

#include <cstddef>

namespace fastmlp {

// Lanes [0, count) set, for the partial last vector of a row (count in 1..16). A masked load
// (maskz_loadu) does not touch the memory of clear lanes, so it never reads past the row.
static inline __mmask16 lane_mask16(std::size_t count) { return static_cast<__mmask16>((1u << count) - 1u); }

}  // namespace fastmlp
