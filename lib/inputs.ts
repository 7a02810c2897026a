// Converts what users pass as X and y (nested arrays or row-major Float32Arrays) into the
// engines' row-major Float32Arrays, once per call, checking shape and finiteness first.
import { MAX_ELEMENTS } from './engine/contract.js';
import { type FloatAllocator, type LossName, plainArrays } from './engine/engine.js';
import { invalidArgument, isFiniteFloat32, outOfRange } from './validate.js';

/** Samples: rows of numbers, or a row-major Float32Array whose row width is the network's inputs. */
export type Features = number[][] | Float32Array;
/** Labels (binary or class indices), target rows (regression, one-hot), or either as Float32Array. */
export type Targets = number[] | number[][] | Float32Array;

export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
  /**
   * Set (to the argument's name) when data's values are not checked yet: the inference model
   * checks them as it reads them (uncheckedMatrix). Absent: checked.
   */
  unchecked?: string;
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
    const rows = float32Rows(X, name, cols);
    const data = copy ? into.allocateFloat32(X.length, true) : X; // the scan writes all of it
    const bad = into.scanFinite(X, copy ? data : null);
    if (bad >= 0) throw notFiniteAt(name, X, cols, bad);
    return { data, rows, cols };
  }
  if (!Array.isArray(X)) {
    throw invalidArgument(name, 'an array of rows (number[][]) or a row-major Float32Array', X);
  }
  if (X.length === 0) throw outOfRange(name, 'at least one sample', X);
  // The engines' element cap: a larger X could never reach them.
  if (X.length * cols > MAX_ELEMENTS) throw outOfRange(name, 'at most 2^31 values', X);
  const data = into.allocateFloat32(X.length * cols, true); // every row written below
  for (let r = 0; r < X.length; r++) writeRow(data, X[r], r, cols, name);
  return { data, rows: X.length, cols };
}

/**
 * A Float32Array X as rows, its shape checked but not its values (Matrix.unchecked): for predict,
 * whose inference model checks each block of rows just before its first layer reads them
 * (InferenceModel.predictChecked), which saves a pass over all of X; notFiniteAt then names the
 * bad value exactly as toMatrix does.
 */
export function uncheckedMatrix(X: Float32Array, name: string, cols: number): Matrix {
  return { data: X, rows: float32Rows(X, name, cols), cols, unchecked: name };
}

/** The error for the value of X (rows of cols values) at flat index i, not finite: named by row and column. */
export function notFiniteAt(name: string, X: Float32Array, cols: number, i: number): TypeError | RangeError {
  return notFinite(`${name}[${Math.floor(i / cols)}][${i % cols}]`, X[i]);
}

/** The rows of a Float32Array X of cols-wide rows: its length checked. */
function float32Rows(X: Float32Array, name: string, cols: number): number {
  if (X.length === 0) throw outOfRange(name, 'at least one sample', X);
  if (X.length > MAX_ELEMENTS) throw outOfRange(name, 'at most 2^31 values', X);
  if (X.length % cols !== 0) {
    throw outOfRange(name, `a Float32Array whose length is a multiple of ${cols} (the network's inputs)`, X);
  }
  return X.length / cols;
}

/**
 * Row r of X into data[r * cols, (r + 1) * cols), checked: copyFinite's one tight pass, and only
 * when it fails, a search for the element to name in the error.
 */
function writeRow(data: Float32Array, row: unknown, r: number, cols: number, name: string): void {
  if (!Array.isArray(row) && !(row instanceof Float32Array) && !(row instanceof Float64Array)) {
    throw invalidArgument(`${name}[${r}]`, `an array of ${cols} numbers`, row);
  }
  if (row.length !== cols)
    throw outOfRange(`${name}[${r}]`, `a row of ${cols} numbers (the network's inputs)`, row);
  if (copyFinite(data, row, r * cols, cols)) return;
  for (let c = 0; c < cols; c++) {
    const v = row[c];
    if (typeof v !== 'number' || !isFiniteFloat32(v)) throw notFinite(`${name}[${r}][${c}]`, v);
  }
}

/**
 * Stores row[0..cols) at data[at..] and tells whether all were numbers finite as float32 (what
 * is stored: 1e300 is finite as a double, Infinity in data): it sums f - f for f = Math.fround(v)
 * (0 for a finite float32, NaN otherwise) and stops at the first value that is no number. Four values
 * a step, each with its own sum, in a function of its own: V8 compiles it to a tighter loop than
 * when inlined in writeRow (bench/api-speed.ts: about 15% faster on 784-wide rows); typeof costs
 * nothing on an array of numbers.
 */
function copyFinite(data: Float32Array, row: ArrayLike<unknown>, at: number, cols: number): boolean {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let c = 0;
  for (; c + 4 <= cols; c += 4, at += 4) {
    const v0 = row[c];
    const v1 = row[c + 1];
    const v2 = row[c + 2];
    const v3 = row[c + 3];
    if (
      typeof v0 !== 'number' ||
      typeof v1 !== 'number' ||
      typeof v2 !== 'number' ||
      typeof v3 !== 'number'
    ) {
      return false;
    }
    data[at] = v0;
    data[at + 1] = v1;
    data[at + 2] = v2;
    data[at + 3] = v3;
    s0 += Math.fround(v0) - Math.fround(v0);
    s1 += Math.fround(v1) - Math.fround(v1);
    s2 += Math.fround(v2) - Math.fround(v2);
    s3 += Math.fround(v3) - Math.fround(v3);
  }
  for (; c < cols; c++, at++) {
    const v = row[c];
    if (typeof v !== 'number') return false;
    data[at] = v;
    s0 += Math.fround(v) - Math.fround(v);
  }
  return s0 + s1 + s2 + s3 === 0;
}

/** A value that should be a finite number: a TypeError when it is no number, a RangeError for NaN or +-Infinity. */
function notFinite(name: string, v: unknown): TypeError | RangeError {
  if (typeof v !== 'number') return invalidArgument(name, 'a finite number', v);
  // finite as a double but not as the float32 it is stored as (|v| > 3.4028235e38)
  return outOfRange(
    name,
    Number.isFinite(v) ? 'a number finite as float32 (|x| <= 3.4e38)' : 'a finite number',
    v,
  );
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
    if (typeof v !== 'number' || !isFiniteFloat32(v)) throw notFinite(`${name}[${r}]`, v);
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
      if (typeof v !== 'number' || !isFiniteFloat32(v)) throw notFinite(`${name}[${r}][${c}]`, v);
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
        if (!isFiniteFloat32(v)) throw notFinite(at, v);
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
