// The per-epoch training metric by task, so fit reports accuracy (or mae) from the forward pass it
// already made (the contract is in engine.ts, TrainChunk.metric); the twin of native/core/metrics.cpp.
import type { TaskName } from '../contract.js';

/** Rows of P (rows, cols) whose class matches Y's: p >= 0.5 for one output, else first argmax. */
export function countCorrect(P: Float32Array, Y: Float32Array, rows: number, cols: number): number {
  let right = 0;
  if (cols === 1) {
    for (let r = 0; r < rows; r++) if (P[r] >= 0.5 === Y[r] >= 0.5) right++;
    return right;
  }
  for (let r = 0, base = 0; r < rows; r++, base += cols) {
    let p = 0;
    let y = 0;
    for (let c = 1; c < cols; c++) {
      if (P[base + c] > P[base + p]) p = c;
      if (Y[base + c] > Y[base + y]) y = c;
    }
    if (p === y) right++;
  }
  return right;
}

/** Sum over rows of the fraction of the row's labels thresholded right ((p >= 0.5) == (y >= 0.5)). */
function labelsRight(P: Float32Array, Y: Float32Array, rows: number, cols: number): number {
  let total = 0;
  for (let r = 0, base = 0; r < rows; r++, base += cols) {
    let right = 0;
    for (let c = 0; c < cols; c++) if (P[base + c] >= 0.5 === Y[base + c] >= 0.5) right++;
    total += right / cols;
  }
  return total;
}

/** Sum over rows of the row's mean absolute error (float64, as the C++ twin). */
function absoluteErrors(P: Float32Array, Y: Float32Array, rows: number, cols: number): number {
  let total = 0;
  for (let r = 0, base = 0; r < rows; r++, base += cols) {
    let row = 0;
    for (let c = 0; c < cols; c++) row += Math.abs(P[base + c] - Y[base + c]);
    total += row / cols;
  }
  return total;
}

/**
 * The batch's share of the training metric: binary and multiclass the rows classified right,
 * multilabel the sum of the rows' fractions of labels right, regression the sum of the rows' mean
 * absolute errors. Summed over an epoch and divided by its rows: accuracy, or mae.
 */
export function taskMetric(
  task: TaskName,
  P: Float32Array,
  Y: Float32Array,
  rows: number,
  cols: number,
): number {
  if (task === 'multilabel') return labelsRight(P, Y, rows, cols);
  if (task === 'regression') return absoluteErrors(P, Y, rows, cols);
  return countCorrect(P, Y, rows, cols);
}
