// Checked size arithmetic and a minimal span. Every product or sum that sizes a buffer goes
// through checked_mul / checked_add, so an absurd size throws std::length_error instead of
// wrapping around; require_length turns a wrong buffer length into std::invalid_argument.
#pragma once

#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>

#include "contract.hpp"

namespace fastmlp {

// Largest element count of any one array the core accepts (the addon enforces the same).
using contract::kMaxElements;

inline std::size_t checked_mul(std::size_t a, std::size_t b, const char* what) {
  if (a != 0 && b > std::numeric_limits<std::size_t>::max() / a) {
    throw std::length_error(std::string("size of ") + what + " overflows");
  }
  return a * b;
}

inline std::size_t checked_add(std::size_t a, std::size_t b, const char* what) {
  if (b > std::numeric_limits<std::size_t>::max() - a) {
    throw std::length_error(std::string("size of ") + what + " overflows");
  }
  return a + b;
}

// Product of element counts that must also stay within kMaxElements.
inline std::size_t checked_elements(std::size_t a, std::size_t b, const char* what) {
  const std::size_t n = checked_mul(a, b, what);
  if (n > kMaxElements) {
    throw std::length_error(std::string("size of ") + what + " exceeds 2^31 elements");
  }
  return n;
}

// A pointer and an element count; data may be null only when size is 0.
template <class T>
struct Span {
  T* data = nullptr;
  std::size_t size = 0;
};

template <class T>
inline void require_length(const Span<T>& s, std::size_t expected, const char* name) {
  if (s.size != expected) {
    throw std::invalid_argument(std::string("Expected a length of ") + std::to_string(expected) + " for " +
                                name + " but received " + std::to_string(s.size));
  }
  if (expected != 0 && s.data == nullptr) {
    throw std::invalid_argument(std::string("Expected data for ") + name + " but received a null pointer");
  }
}

}  // namespace fastmlp
