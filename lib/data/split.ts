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

/**
 * Splits rows of X and y (a label per row, or a target row per row) into train and test parts.
 * The returned rows are copies, so the caller may scale or mutate them freely.
 */
export function trainTestSplit<T extends number | number[]>(
  X: number[][],
  y: T[],
  options?: SplitOptions,
): Split<T> {
  const o = checkOptions('trainTestSplit', options, ['testSize', 'seed', 'stratify']);
  checkMatrix('X', X);
  const n = X.length;
  if (!Array.isArray(y)) throw invalidType('y', 'an array', y);
  if (y.length !== n) {
    throw invalidValue('y', `an array of length ${n} (one per row of X)`, y);
  }
  for (let i = 0; i < n; i++) checkTarget(i, y[i]);
  if (n < 2) throw invalidValue('X', 'at least 2 rows to split', X);
  const nTest = testCount(o.testSize ?? 0.25, n);
  const rng = new Random(checkSeed(o.seed ?? 0));
  const stratify = checkBoolean('stratify', o.stratify ?? false);

  let test: number[];
  let train: number[];
  if (stratify) {
    [train, test] = stratifiedIndices(y, nTest, rng);
  } else {
    // sklearn's ShuffleSplit: one permutation, the first nTest rows are the test part
    const order = Array.from({ length: n }, (_, i) => i);
    rng.shuffle(order);
    test = order.slice(0, nTest);
    train = order.slice(nTest);
  }
  const copyRow = (i: number): number[] => X[i].slice();
  const copyY = (i: number): T => (Array.isArray(y[i]) ? (y[i] as number[]).slice() : y[i]) as T;
  return {
    XTrain: train.map(copyRow),
    XTest: test.map(copyRow),
    yTrain: train.map(copyY),
    yTest: test.map(copyY),
  };
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
function stratifiedIndices<T>(y: T[], nTest: number, rng: Random): [number[], number[]] {
  const groups = new Map<string, number[]>();
  y.forEach((label, i) => {
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
