// xoshiro128** (Blackman & Vigna, 2018), word for word the generator of lib/random.ts: the
// dropout masks of both engines come from the same 4-word state (TrainChunk.rng), advanced in
// place, so they draw the same words in the same order.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fastmlp {

// Words of a generator state (TrainChunk.rng's length).
inline constexpr std::size_t kRngWords = 4;

inline std::uint32_t rotl32(std::uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

// The next 32-bit word of the generator whose state is s[0..4); advances s.
inline std::uint32_t xoshiro128ss_next(std::uint32_t* s) {
  const std::uint32_t result = rotl32(s[1] * 5u, 7) * 9u;
  const std::uint32_t t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl32(s[3], 11);
  return result;
}

// The state lib/random.ts's `new Random(seed)` starts from (splitmix32 over the seed).
inline void xoshiro128ss_seed(std::uint32_t seed, std::uint32_t* s) {
  std::uint32_t x = seed;
  for (int i = 0; i < 4; ++i) {
    x += 0x9e3779b9u;
    std::uint32_t z = x;
    z = (z ^ (z >> 16)) * 0x85ebca6bu;
    z = (z ^ (z >> 13)) * 0xc2b2ae35u;
    s[i] = z ^ (z >> 16);
  }
}

}  // namespace fastmlp
