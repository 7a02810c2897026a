// Feature scaling and label encoding: standardize / applyStandardize (sklearn's StandardScaler),
// oneHot and argmax. Pure functions: inputs are never modified.

import { checkLabel, checkMatrix, checkSamples, invalidType, invalidValue } from './validate.js';

export interface Scaling {
  /** Per-column mean of the data the scaling was fitted on. */
  mean: number[];
  /** Per-column population standard deviation (ddof 0, like StandardScaler); 1 for constant columns. */
  std: number[];
}

/**
 * Scales every column to mean 0 and standard deviation 1, and returns the scaling so the same
 * transform can be applied to test data or new inputs with applyStandardize.
 */
export function standardize(X: number[][]): Scaling & { X: number[][] } {
  const cols = checkMatrix('X', X);
  const n = X.length;
  const mean = new Array<number>(cols).fill(0);
  const std = new Array<number>(cols).fill(0);
  for (const row of X) for (let j = 0; j < cols; j++) mean[j] += row[j];
  for (let j = 0; j < cols; j++) mean[j] /= n;
  // two passes (mean, then squared deviations) rather than sum-of-squares, which cancels badly
  for (const row of X) {
    for (let j = 0; j < cols; j++) {
      const d = row[j] - mean[j];
      std[j] += d * d;
    }
  }
  for (let j = 0; j < cols; j++) {
    std[j] = Math.sqrt(std[j] / n);
    if (X.every((row) => row[j] === X[0][j])) {
      // a constant column: rounding can leave a std of ~1e-17 that would blow tiny errors up to +-1,
      // so centre it exactly and leave its scale alone (sklearn also maps a zero scale to 1)
      mean[j] = X[0][j];
      std[j] = 1;
    }
  }
  return { X: scaleRows(X, mean, std), mean, std };
}

/** Applies a scaling from standardize to other rows with the same columns: (x - mean) / std. */
export function applyStandardize(X: number[][], scaling: Scaling): number[][] {
  const cols = checkMatrix('X', X);
  if (scaling === null || typeof scaling !== 'object')
    throw invalidType('scaling', 'an object { mean, std }', scaling);
  const { mean, std } = scaling;
  checkVector('scaling.mean', mean, cols);
  checkVector('scaling.std', std, cols);
  for (let j = 0; j < cols; j++)
    if (std[j] < 0) throw invalidValue(`scaling.std[${j}]`, 'a number >= 0', std[j]);
  // a zero std (a hand-made scaling) is treated as 1, as in standardize, so no column becomes NaN
  return scaleRows(
    X,
    mean,
    std.map((s) => (s === 0 ? 1 : s)),
  );
}

function scaleRows(X: number[][], mean: number[], std: number[]): number[][] {
  return X.map((row) => row.map((v, j) => (v - mean[j]) / std[j]));
}

function checkVector(name: string, v: unknown, length: number): asserts v is number[] {
  if (!Array.isArray(v)) throw invalidType(name, `an array of ${length} numbers`, v);
  if (v.length !== length) throw invalidValue(name, `an array of ${length} numbers (one per column of X)`, v);
  v.forEach((x, j) => {
    if (typeof x !== 'number') throw invalidType(`${name}[${j}]`, 'a number', x);
    if (!Number.isFinite(x)) throw invalidValue(`${name}[${j}]`, 'a finite number', x);
  });
}

/**
 * One row per label with a 1 in the label's column: oneHot([2, 0], 3) is [[0, 0, 1], [1, 0, 0]].
 * `classes` defaults to the largest label + 1.
 */
export function oneHot(labels: number[], classes?: number): number[][] {
  if (!Array.isArray(labels)) throw invalidType('labels', 'an array of class indices', labels);
  if (labels.length === 0) throw invalidValue('labels', 'a non-empty array of class indices', labels);
  const k = classes === undefined ? undefined : checkSamples(classes, 'classes');
  let max = 0;
  labels.forEach((label, i) => {
    max = Math.max(max, checkLabel(`labels[${i}]`, label, k));
  });
  const width = k ?? max + 1;
  return labels.map((label) => {
    const row = new Array<number>(width).fill(0);
    row[label] = 1;
    return row;
  });
}

/** Index of the largest value in a row (the first, on ties): the predicted class of a probability row. */
export function argmax(row: ArrayLike<number>): number {
  if (row === null || typeof row !== 'object' || typeof row.length !== 'number') {
    throw invalidType('row', 'an array of numbers', row);
  }
  if (row.length === 0) throw invalidValue('row', 'a non-empty array of numbers', row);
  let best = 0;
  for (let j = 0; j < row.length; j++) {
    const v = row[j];
    if (typeof v !== 'number' || Number.isNaN(v)) throw invalidValue(`row[${j}]`, 'a number (not NaN)', v);
    if (v > row[best]) best = j;
  }
  return best;
}
