// trainTestSplit: a seeded shuffle split into train and test parts (sklearn's train_test_split),
// optionally stratified so each class keeps its share in both parts.

import { Random } from '../random.js';
import {
  checkBoolean,
  checkMatrix,
  checkNumber,
  checkOptions,
  checkSeed,
  invalidType,
  invalidValue,
} from './validate.js';

export interface SplitOptions {
  /**
   * Size of the test part: a fraction strictly between 0 and 1 (rounded up, as sklearn does), or an
   * integer count from 1 to rows - 1. Default 0.25.
   */
  testSize?: number;
  /** Seed for the shuffle, an integer in 0..2^32-1. Default 0. */
  seed?: number;
  /**
   * Keep each class's share in both parts (largest-remainder rounding). Classes are the y values, or
   * the rows of y when it is one-hot / multi-column. Default false.
   */
  stratify?: boolean;
}

export interface Split<T> {
  XTrain: number[][];
  XTest: number[][];
  yTrain: T[];
  yTest: T[];
}

/** trainTestSplit's parts for a row-major Float32Array X: Float32Arrays, X's row width kept. */
export interface Float32Split {
  XTrain: Float32Array;
  XTest: Float32Array;
  yTrain: Float32Array;
  yTest: Float32Array;
}

/**
 * Splits rows of X and y (a label per row, or a target row per row) into train and test parts.
 * The returned rows are copies, so the caller may scale or mutate them freely. X may also be a
 * row-major Float32Array (a generator's `float32: true` output) with y one label per row (a
 * Float32Array or number[]): its row width is X.length / y.length, and the parts are Float32Arrays,
 * copied with no array per row. The same seed picks the same rows in either form.
 */
export function trainTestSplit(
  X: Float32Array,
  y: Float32Array | number[],
  options?: SplitOptions,
): Float32Split;
export function trainTestSplit<T extends number | number[]>(
  X: number[][],
  y: T[],
  options?: SplitOptions,
): Split<T>;
export function trainTestSplit<T extends number | number[]>(
  X: number[][] | Float32Array,
  y: T[] | Float32Array,
  options?: SplitOptions,
): Split<T> | Float32Split {
  const o = checkOptions('trainTestSplit', options, ['testSize', 'seed', 'stratify']);
  if (X instanceof Float32Array) return splitFloat32(X, y, o);
  checkMatrix('X', X);
  const n = X.length;
  if (!Array.isArray(y)) throw invalidType('y', 'an array', y);
  if (y.length !== n) {
    throw invalidValue('y', `an array of length ${n} (one per row of X)`, y);
  }
  for (let i = 0; i < n; i++) checkTarget(i, y[i]);
  const [train, test] = splitIndices(X, y, o);
  const copyRow = (i: number): number[] => X[i].slice();
  const copyY = (i: number): T => (Array.isArray(y[i]) ? (y[i] as number[]).slice() : y[i]) as T;
  return {
    XTrain: train.map(copyRow),
    XTest: test.map(copyRow),
    yTrain: train.map(copyY),
    yTest: test.map(copyY),
  };
}

function splitFloat32(X: Float32Array, y: unknown, o: Record<string, unknown>): Float32Split {
  if (!(y instanceof Float32Array) && !Array.isArray(y))
    throw invalidType('y', 'a Float32Array or an array of labels (X is a Float32Array)', y);
  const n = y.length;
  for (let i = 0; i < n; i++) {
    if (typeof y[i] !== 'number') throw invalidType(`y[${i}]`, 'a number (one label per row)', y[i]);
    if (!Number.isFinite(y[i])) throw invalidValue(`y[${i}]`, 'a finite number', y[i]);
  }
  if (n === 0 || X.length === 0 || X.length % n !== 0) {
    throw invalidValue(
      'X',
      `a Float32Array of y.length (${n}) rows: a non-empty length that is a multiple of ${n}`,
      X,
    );
  }
  const cols = X.length / n;
  for (let k = 0; k < X.length; k++)
    if (!Number.isFinite(X[k])) throw invalidValue(`X[${k}]`, 'a finite number', X[k]);
  const [train, test] = splitIndices(X, y, o);
  const rowsOf = (rows: number[]): Float32Array => {
    const out = new Float32Array(rows.length * cols);
    for (let r = 0; r < rows.length; r++)
      for (let j = 0, from = rows[r] * cols; j < cols; j++) out[r * cols + j] = X[from + j];
    return out;
  };
  const labelsOf = (rows: number[]): Float32Array => Float32Array.from(rows, (i) => y[i] as number);
  return { XTrain: rowsOf(train), XTest: rowsOf(test), yTrain: labelsOf(train), yTest: labelsOf(test) };
}

/** The train and test row indices, shuffled by the seed: one rule for both forms of X. */
function splitIndices(X: unknown, y: ArrayLike<unknown>, o: Record<string, unknown>): [number[], number[]] {
  const n = y.length;
  if (n < 2) throw invalidValue('X', 'at least 2 rows to split', X);
  const nTest = testCount(o.testSize ?? 0.25, n);
  const rng = new Random(checkSeed(o.seed ?? 0));
  const stratify = checkBoolean('stratify', o.stratify ?? false);
  if (stratify) return stratifiedIndices(y, nTest, rng);
  // sklearn's ShuffleSplit: one permutation, the first nTest rows are the test part
  const order = Array.from({ length: n }, (_, i) => i);
  rng.shuffle(order);
  return [order.slice(nTest), order.slice(0, nTest)];
}

function checkTarget(i: number, value: unknown): void {
  if (typeof value === 'number') return;
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return;
  throw invalidType(`y[${i}]`, 'a number or an array of numbers', value);
}

/** The number of test rows: ceil(fraction * n), or an integer count; both leave each part non-empty. */
function testCount(value: unknown, n: number): number {
  const t = checkNumber('testSize', value);
  const what = `a fraction between 0 and 1 (exclusive) or an integer from 1 to ${n - 1}`;
  let count: number;
  if (t > 0 && t < 1) count = Math.ceil(t * n);
  else if (Number.isInteger(t) && t >= 1 && t <= n - 1) count = t;
  else throw invalidValue('testSize', what, t);
  if (count >= n) throw invalidValue('testSize', `a fraction that leaves a training row out of ${n}`, t);
  return count;
}

/**
 * Per class, a test share proportional to its size: floor(nTest * size / n), then the rows left over
 * go to the classes with the largest remainders (ties: larger class, then first seen). Each class is
 * shuffled on its own; each part is then shuffled so the classes are interleaved.
 */
function stratifiedIndices(y: ArrayLike<unknown>, nTest: number, rng: Random): [number[], number[]] {
  const groups = new Map<string, number[]>();
  Array.prototype.forEach.call(y, (label: unknown, i: number) => {
    const key = Array.isArray(label) ? label.join(',') : String(label);
    let group = groups.get(key);
    if (!group) {
      group = [];
      groups.set(key, group);
    }
    group.push(i);
  });
  const classes = [...groups.values()];
  const n = y.length;
  const quotas = classes.map((g) => (nTest * g.length) / n);
  const counts = quotas.map(Math.floor);
  let left = nTest - counts.reduce((a, b) => a + b, 0);
  const byRemainder = classes
    .map((_group, c) => c)
    .sort(
      (a, b) =>
        quotas[b] - counts[b] - (quotas[a] - counts[a]) || classes[b].length - classes[a].length || a - b,
    );
  for (const c of byRemainder) {
    if (left === 0) break;
    counts[c]++;
    left--;
  }

  const train: number[] = [];
  const test: number[] = [];
  classes.forEach((group, c) => {
    const members = group.slice();
    rng.shuffle(members);
    test.push(...members.slice(0, counts[c]));
    train.push(...members.slice(counts[c]));
  });
  rng.shuffle(train);
  rng.shuffle(test);
  return [train, test];
}
