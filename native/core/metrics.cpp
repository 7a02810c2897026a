// The per-epoch training metric by task (see metrics.hpp); the twin of lib/engine/ts/metrics.ts.
#include "metrics.hpp"

#include <cmath>

namespace fastmlp {

std::size_t count_correct(const float* P, const float* Y, std::size_t rows, std::size_t cols) {
  std::size_t right = 0;
  if (cols == 1) {
    for (std::size_t r = 0; r < rows; ++r) right += (P[r] >= 0.5f) == (Y[r] >= 0.5f) ? 1 : 0;
    return right;
  }
  for (std::size_t r = 0; r < rows; ++r) {
    const float* p = P + r * cols;
    const float* y = Y + r * cols;
    std::size_t pi = 0;
    std::size_t yi = 0;
    for (std::size_t c = 1; c < cols; ++c) {
      if (p[c] > p[pi]) pi = c;
      if (y[c] > y[yi]) yi = c;
    }
    right += pi == yi ? 1 : 0;
  }
  return right;
}

namespace {

// Sum over rows of the fraction of the row's labels thresholded right.
double labels_right(const float* P, const float* Y, std::size_t rows, std::size_t cols) {
  double total = 0.0;
  for (std::size_t r = 0; r < rows; ++r) {
    std::size_t right = 0;
    for (std::size_t c = 0; c < cols; ++c) right += (P[r * cols + c] >= 0.5f) == (Y[r * cols + c] >= 0.5f) ? 1 : 0;
    total += static_cast<double>(right) / static_cast<double>(cols);
  }
  return total;
}

// Sum over rows of the row's mean absolute error, each difference taken in float64.
double absolute_errors(const float* P, const float* Y, std::size_t rows, std::size_t cols) {
  double total = 0.0;
  for (std::size_t r = 0; r < rows; ++r) {
    double row = 0.0;
    for (std::size_t c = 0; c < cols; ++c) {
      row += std::fabs(static_cast<double>(P[r * cols + c]) - static_cast<double>(Y[r * cols + c]));
    }
    total += row / static_cast<double>(cols);
  }
  return total;
}

}  // namespace

double task_metric(Task task, const float* P, const float* Y, std::size_t rows, std::size_t cols) {
  switch (task) {
    case Task::multilabel:
      return labels_right(P, Y, rows, cols);
    case Task::regression:
      return absolute_errors(P, Y, rows, cols);
    case Task::binary:
    case Task::multiclass:
      break;
  }
  return static_cast<double>(count_correct(P, Y, rows, cols));
}

}  // namespace fastmlp
