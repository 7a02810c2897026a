// Converts what users pass as X and y (nested arrays or row-major Float32Arrays) into the
// engines' row-major Float32Arrays, once per call, checking shape and finiteness first.
import { MAX_ELEMENTS } from './engine/contract.js';
import { type FloatAllocator, type LossName, plainArrays } from './engine/engine.js';
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

/**
 * X as checked row-major rows. A Float32Array X is returned as is, or, with `copy`, copied into an
 * array from `into` in the same pass that checks it (Allocator.scanFinite); rows of numbers are
 * written into an array from `into` in one pass, checked as they go.
 */
export function toMatrix(
  X: unknown,
  name: string,
  cols: number,
  into: FloatAllocator = plainArrays,
  copy = false,
): Matrix {
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
    const data = copy ? into.allocateFloat32(X.length) : X;
    const bad = into.scanFinite(X, copy ? data : null);
    if (bad >= 0) throw notFinite(`${name}[${Math.floor(bad / cols)}][${bad % cols}]`, X[bad]);
    return { data, rows: X.length / cols, cols };
  }
  if (!Array.isArray(X)) {
    throw invalidArgument(name, 'an array of rows (number[][]) or a row-major Float32Array', X);
  }
  if (X.length === 0) throw outOfRange(name, 'at least one sample', X);
  // The engines' element cap: a larger X could never reach them.
  if (X.length * cols > MAX_ELEMENTS) throw outOfRange(name, 'at most 2^31 values', X);
  const data = into.allocateFloat32(X.length * cols);
  for (let r = 0; r < X.length; r++) writeRow(data, X[r], r, cols, name);
  return { data, rows: X.length, cols };
}

/**
 * Row r of X into data[r * cols, (r + 1) * cols): one tight loop that stores each value and sums
 * v - v (0 for finite numbers, NaN otherwise); only a row whose sum is not 0, or holding a value
 * that is no number, is searched again for the error to throw.
 */
function writeRow(data: Float32Array, row: unknown, r: number, cols: number, name: string): void {
  if (!Array.isArray(row) && !(row instanceof Float32Array) && !(row instanceof Float64Array)) {
    throw invalidArgument(`${name}[${r}]`, `an array of ${cols} numbers`, row);
  }
  if (row.length !== cols)
    throw outOfRange(`${name}[${r}]`, `a row of ${cols} numbers (the network's inputs)`, row);
  const base = r * cols;
  let sum = 0;
  let numbers = true;
  for (let c = 0; c < cols; c++) {
    const v = row[c];
    if (typeof v !== 'number') {
      numbers = false;
      break;
    }
    data[base + c] = v;
    sum += v - v;
  }
  if (numbers && sum === 0) return;
  for (let c = 0; c < cols; c++) {
    const v = row[c];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw notFinite(`${name}[${r}][${c}]`, v);
  }
}

/** A value that should be a finite number: a TypeError when it is no number, a RangeError for NaN or +-Infinity. */
function notFinite(name: string, v: unknown): TypeError | RangeError {
  return typeof v === 'number'
    ? outOfRange(name, 'a finite number', v)
    : invalidArgument(name, 'a finite number', v);
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
  into: FloatAllocator = plainArrays,
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
