// The per-epoch training metric (TrainChunk.metric in engine.ts): what a batch's forward pass got
// right, by the network's task (contract.hpp task_of). Summed over an epoch's batches and divided
// by its rows it is the epoch's accuracy, or its mean absolute error for regression.
#pragma once

#include <cstddef>

#include "contract.hpp"

namespace fastmlp {

// Rows of P (rows, cols) whose class matches Y's: p >= 0.5 for one output, else the first argmax.
std::size_t count_correct(const float* P, const float* Y, std::size_t rows, std::size_t cols);

// The batch's share of the metric: binary and multiclass the rows classified right
// (count_correct); multilabel the sum over rows of (labels with (p >= 0.5) == (y >= 0.5)) / cols;
// regression the sum over rows of mean |p - y| over the row's outputs. In float64, row by row,
// in the order the TS engine's taskMetric (lib/engine/ts/metrics.ts) takes.
double task_metric(Task task, const float* P, const float* Y, std::size_t rows, std::size_t cols);

}  // namespace fastmlp
