// A tiny assertion helper for the C++ tests of native/core: checks record failures (with a
// label) instead of aborting, and finish() turns the count into the process exit code.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

namespace test_util {

inline int& failures() {
  static int count = 0;
  return count;
}

inline void check(bool ok, const std::string& what) {
  if (!ok) {
    ++failures();
    std::fprintf(stderr, "FAIL: %s\n", what.c_str());
  }
}

// |a - b| <= tol * max(1, |b|)
inline void check_near(double a, double b, double tol, const std::string& what) {
  const double err = std::fabs(a - b);
  const bool ok = std::isfinite(a) && std::isfinite(b) && err <= tol * std::fmax(1.0, std::fabs(b));
  if (!ok) {
    ++failures();
    std::fprintf(stderr, "FAIL: %s: %.9g vs %.9g (err %.3g)\n", what.c_str(), a, b, err);
  }
}

// Passes when fn throws an exception of type E (and nothing else).
template <class E, class Fn>
void check_throws(Fn fn, const std::string& what) {
  try {
    fn();
  } catch (const E&) {
    return;
  } catch (const std::exception& e) {
    ++failures();
    std::fprintf(stderr, "FAIL: %s: threw the wrong exception: %s\n", what.c_str(), e.what());
    return;
  }
  ++failures();
  std::fprintf(stderr, "FAIL: %s: did not throw\n", what.c_str());
}

inline int finish(const char* suite) {
  if (failures() == 0) {
    std::printf("%s: all checks passed\n", suite);
    return 0;
  }
  std::fprintf(stderr, "%s: %d check(s) failed\n", suite, failures());
  return 1;
}

}  // namespace test_util
