// Reading a network's outputs: rows for callers, the predicted class, accuracy.

export interface Evaluation {
  loss: number;
  /** Fraction of samples whose predicted class (argmax, or p >= 0.5 for one output) matches. */
  accuracy: number;
}

export function toRows(data: Float32Array, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from(data.subarray(r * cols, (r + 1) * cols)));
}

/** Class of row r: argmax (first maximum), or p >= 0.5 when there is one output. */
export function classOf(values: Float32Array, r: number, cols: number): number {
  if (cols === 1) return values[r] >= 0.5 ? 1 : 0;
  let best = 0;
  for (let c = 1; c < cols; c++) if (values[r * cols + c] > values[r * cols + best]) best = c;
  return best;
}

/**
 * Fraction of rows whose predicted class matches the target's; with weights, the fraction of the
 * total weight (0 when that is 0).
 */
export function accuracy(
  predicted: Float32Array,
  targets: Float32Array,
  rows: number,
  cols: number,
  weights: Float32Array | null = null,
): number {
  let correct = 0;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const w = weights === null ? 1 : weights[r];
    total += w;
    if (classOf(predicted, r, cols) === classOf(targets, r, cols)) correct += w;
  }
  return total === 0 ? 0 : correct / total;
}
