// Converts what users pass as X and y (nested arrays or row-major Float32Arrays) into the
// engines' row-major Float32Arrays, once per call, checking shape and finiteness first.
import { MAX_ELEMENTS } from './engine/contract.js';
import { type Allocator, type LossName, plainArrays } from './engine/engine.js';
import { invalidArgument, outOfRange } from './validate.js';

/** Samples: rows of numbers, or a row-major Float32Array whose row width is the network's inputs. */
export type Features = number[][] | Float32Array;
/** Labels (binary or class indices), target rows (regression, one-hot), or either as Float32Array. */
export type Targets = number[] | number[][] | Float32Array;

export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

/** A Float32Array X is returned as is; rows are copied into an array from `into`. */
export function toMatrix(X: unknown, name: string, cols: number, into: Allocator = plainArrays): Matrix {
  if (X instanceof Float32Array) {
    if (X.length === 0) throw outOfRange(name, 'at least one sample', X);
    if (X.length > MAX_ELEMENTS) throw outOfRange(name, 'at most 2^31 values', X);
    if (X.length % cols !== 0) {
      throw outOfRange(
        name,
        `a Float32Array whose length is a multiple of ${cols} (the network's inputs)`,
        X,
      );
    }
    checkFinite(X, name, cols);
    return { data: X, rows: X.length / cols, cols };
  }
  if (!Array.isArray(X)) {
    throw invalidArgument(name, 'an array of rows (number[][]) or a row-major Float32Array', X);
  }
  if (X.length === 0) throw outOfRange(name, 'at least one sample', X);
  // The engines' element cap: a larger X could never reach them.
  if (X.length * cols > MAX_ELEMENTS) throw outOfRange(name, 'at most 2^31 values', X);
  const data = into.allocateFloat32(X.length * cols);
  for (let r = 0; r < X.length; r++) {
    const row = X[r] as unknown;
    if (!Array.isArray(row) && !(row instanceof Float32Array) && !(row instanceof Float64Array)) {
      throw invalidArgument(`${name}[${r}]`, `an array of ${cols} numbers`, row);
    }
    if (row.length !== cols)
      throw outOfRange(`${name}[${r}]`, `a row of ${cols} numbers (the network's inputs)`, row);
    for (let c = 0; c < cols; c++) {
      const v = row[c];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw notFinite(`${name}[${r}][${c}]`, v);
      data[r * cols + c] = v;
    }
  }
  return { data, rows: X.length, cols };
}

/** A value that should be a finite number: a TypeError when it is no number, a RangeError for NaN or +-Infinity. */
function notFinite(name: string, v: unknown): TypeError | RangeError {
  return typeof v === 'number'
    ? outOfRange(name, 'a finite number', v)
    : invalidArgument(name, 'a finite number', v);
}

function checkFinite(data: Float32Array, name: string, cols: number): void {
  if (allFinite(data)) return;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw notFinite(`${name}[${Math.floor(i / cols)}][${i % cols}]`, data[i]);
    }
  }
}

/** v - v is 0 for a finite v and NaN for NaN or +-Infinity; four sums let V8 pipeline the loop. */
function allFinite(data: Float32Array): boolean {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = data.length - (data.length % 4);
  let i = 0;
  for (; i < n; i += 4) {
    s0 += data[i] - data[i];
    s1 += data[i + 1] - data[i + 1];
    s2 += data[i + 2] - data[i + 2];
    s3 += data[i + 3] - data[i + 3];
  }
  for (; i < data.length; i++) s0 += data[i] - data[i];
  return s0 + s1 + s2 + s3 === 0;
}

/**
 * Targets as a (rows, outputs) Float32Array. A flat list (number[] or a Float32Array of length
 * rows) holds one label per sample: with one output it is the target itself (0/1 for bce), with
 * several outputs a class index in [0, outputs), one-hot encoded here.
 */
export function toTargets(
  y: unknown,
  name: string,
  rows: number,
  outputs: number,
  loss: LossName,
  into: Allocator = plainArrays,
): Float32Array {
  const probabilities = loss === 'bce' || loss === 'cross-entropy';
  const out = into.allocateFloat32(rows * outputs);
  const setLabel = (r: number, v: unknown): void => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw notFinite(`${name}[${r}]`, v);
    if (outputs === 1) {
      if (probabilities && (v < 0 || v > 1))
        throw outOfRange(`${name}[${r}]`, `a label in [0, 1] for loss '${loss}'`, v);
      out[r] = v;
      return;
    }
    if (!Number.isInteger(v) || v < 0 || v >= outputs) {
      throw outOfRange(`${name}[${r}]`, `a class index in 0..${outputs - 1}`, v);
    }
    out[r * outputs + v] = 1;
  };
  const setRow = (r: number, row: unknown): void => {
    if (!Array.isArray(row)) throw invalidArgument(`${name}[${r}]`, `an array of ${outputs} numbers`, row);
    if (row.length !== outputs)
      throw outOfRange(`${name}[${r}]`, `a row of ${outputs} numbers (the outputs)`, row);
    for (let c = 0; c < outputs; c++) {
      const v = row[c];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw notFinite(`${name}[${r}][${c}]`, v);
      if (probabilities && (v < 0 || v > 1)) {
        throw outOfRange(`${name}[${r}][${c}]`, `a target in [0, 1] for loss '${loss}'`, v);
      }
      out[r * outputs + c] = v;
    }
  };
  if (y instanceof Float32Array) {
    if (y.length === rows) {
      for (let r = 0; r < rows; r++) setLabel(r, y[r]);
    } else if (y.length === rows * outputs) {
      for (let i = 0; i < y.length; i++) {
        const v = y[i];
        const at = `${name}[${Math.floor(i / outputs)}][${i % outputs}]`;
        if (!Number.isFinite(v)) throw notFinite(at, v);
        if (probabilities && (v < 0 || v > 1))
          throw outOfRange(at, `a target in [0, 1] for loss '${loss}'`, v);
        out[i] = v;
      }
    } else {
      throw outOfRange(name, `a Float32Array of ${rows} labels or ${rows}x${outputs} targets`, y);
    }
    return out;
  }
  if (!Array.isArray(y))
    throw invalidArgument(name, 'an array of labels or target rows, or a Float32Array', y);
  if (y.length !== rows) {
    throw outOfRange(name, `${rows} labels or rows (one per sample of X)`, y);
  }
  for (let r = 0; r < rows; r++) {
    const v = y[r] as unknown;
    if (Array.isArray(v)) setRow(r, v);
    else setLabel(r, v);
  }
  return out;
}
