// Tiny helpers shared by the native tests: a pass/fail tally that prints a ctest-friendly
// summary line ("N passed, N failed"), and a deterministic random fill. Functions only: no
// macros, no global state (each test owns its Tally).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace fastmlp_test {

struct Tally {
  std::size_t passed = 0;
  std::size_t failed = 0;
  std::size_t reported = 0;  // failures printed so far (capped to keep logs readable)
};

// Records one check; prints the first 20 failures with their description.
inline bool expect(Tally& t, bool ok, const std::string& what) {
  if (ok) {
    ++t.passed;
    return true;
  }
  ++t.failed;
  if (t.reported++ < 20) std::fprintf(stderr, "FAIL: %s\n", what.c_str());
  return false;
}

// Prints the closing line and returns the process exit code.
inline int finish(const Tally& t, const char* suite) {
  std::printf("%s: %zu passed, %zu failed\n", suite, t.passed, t.failed);
  return t.failed == 0 ? 0 : 1;
}

// FASTMLP_TEST_SCALE=small (set by the aarch64 run under qemu, ~30x slower than native): sweeps
// take a thinner grid and large shapes a smaller size that still crosses the same block edges.
// Every case class still runs.
inline bool small_scale() {
  const char* v = std::getenv("FASTMLP_TEST_SCALE");
  return v != nullptr && std::strcmp(v, "small") == 0;
}

// splitmix64: a seeded, portable stream for test data.
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [-1, 1).
  float uniform() { return static_cast<float>(static_cast<double>(next() >> 11) * 0x1.0p-52 - 1.0); }
};

inline std::vector<float> random_vector(Rng& rng, std::size_t count) {
  std::vector<float> v(count);
  for (float& x : v) x = rng.uniform();
  return v;
}

}  // namespace fastmlp_test
