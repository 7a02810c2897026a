// scan_finite (finite.hpp).
#include "finite.hpp"

#include <cstring>

namespace fastmlp {

namespace {

// 4 KiB of floats: the copy and the test of one block stay in L1.
constexpr std::size_t kFiniteScanBlock = 1024;
// A float32 is NaN or +-Infinity exactly when its 8 exponent bits are all ones.
constexpr std::uint32_t kExponent = 0x7f800000u;

std::uint32_t bits_of(float v) {
  std::uint32_t u;
  std::memcpy(&u, &v, sizeof u);
  return u;
}

}  // namespace

std::int64_t scan_finite(const float* src, float* dst, std::size_t n) {
  for (std::size_t start = 0; start < n; start += kFiniteScanBlock) {
    const std::size_t count = n - start < kFiniteScanBlock ? n - start : kFiniteScanBlock;
    const float* s = src + start;
    if (dst != nullptr) std::memcpy(dst + start, s, count * sizeof(float));
    std::uint32_t any = 0;
    for (std::size_t i = 0; i < count; ++i) any |= static_cast<std::uint32_t>((bits_of(s[i]) & kExponent) == kExponent);
    if (any == 0) continue;
    for (std::size_t i = 0; i < count; ++i) {
      if ((bits_of(s[i]) & kExponent) == kExponent) {
        if (dst != nullptr && start + count < n) {  // the contract: dst holds all of src
          std::memcpy(dst + start + count, src + start + count, (n - start - count) * sizeof(float));
        }
        return static_cast<std::int64_t>(start + i);
      }
    }
  }
  return -1;
}

}  // namespace fastmlp
