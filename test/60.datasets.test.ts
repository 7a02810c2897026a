// Data sets and data preparation (lib/data): bad input first (exact messages), then the generators'
// shapes, balance, determinism and geometry, the shipped digits/iris, splitting and scaling.
// Expected values come from the definitions (sklearn's algorithms, the files' known counts).

import { describe, expect, it } from 'vitest';
import {
  applyStandardize,
  argmax,
  circles,
  classification,
  type Dataset,
  dataDirectory,
  datasets,
  digits,
  heights,
  iris,
  moons,
  oneHot,
  standardize,
  trainTestSplit,
  trask,
  xor,
} from '../lib/data/index.js';

// --- bad input: each case is the call, the error class and the exact message

type Case = { call: () => unknown; type: ErrorConstructor; message: string };
const R = (call: () => unknown, message: string): Case => ({ call, type: RangeError, message });
const T = (call: () => unknown, message: string): Case => ({ call, type: TypeError, message });
const SAMPLES = 'Expected a positive integer for samples but received';
const NOISE = 'Expected a finite number >= 0 for noise but received';
const FACTOR = 'Expected a number between 0 and 1 (exclusive) for factor but received';
const SEED = 'Expected an integer in 0..2^32-1 for seed but received';
const badOptions: Case[] = [
  R(() => moons({ samples: -3 }), `${SAMPLES} -3`),
  R(() => xor({ samples: 0 }), `${SAMPLES} 0`),
  R(() => circles({ samples: 2.5 }), `${SAMPLES} 2.5`),
  T(() => moons({ samples: '100' as never }), "Expected a number for samples but received '100'"),
  R(() => classification({ samples: 1e9 }), 'Expected at most 10000000 for samples but received 1000000000'),
  R(() => moons({ noise: -0.1 }), `${NOISE} -0.1`),
  R(() => circles({ noise: Number.NaN }), `${NOISE} NaN`),
  R(() => xor({ noise: Infinity }), `${NOISE} Infinity`),
  R(() => circles({ factor: 1 }), `${FACTOR} 1`),
  R(() => circles({ factor: 0 }), `${FACTOR} 0`),
  R(() => moons({ seed: -1 }), `${SEED} -1`),
  R(() => xor({ seed: 0.5 }), `${SEED} 0.5`),
  R(() => classification({ classSep: 0 }), 'Expected a finite number > 0 for classSep but received 0'),
  R(() => classification({ flipY: 2 }), 'Expected a number from 0 to 1 for flipY but received 2'),
  T(() => moons(5 as never), 'Expected an object for the options of moons but received 5'),
  T(() => moons({ sample: 10 } as never), "Unknown option 'sample' for moons; did you mean 'samples'?"),
  T(() => circles({ fctor: 0.5 } as never), "Unknown option 'fctor' for circles; did you mean 'factor'?"),
  T(() => moons({ zzzzzzzz: 1 } as never), "Unknown option 'zzzzzzzz' for moons"),
];

const X4 = [[1], [2], [3], [4]];
const y4 = [0, 1, 0, 1];
const TEST_SIZE =
  'Expected a fraction between 0 and 1 (exclusive) or an integer from 1 to 3 for testSize but received';
const EMPTY = 'Expected a non-empty array of rows for X but received an array of length 0';
const badData: Case[] = [
  R(() => trainTestSplit(X4, y4, { testSize: 0 }), `${TEST_SIZE} 0`),
  R(() => trainTestSplit(X4, y4, { testSize: 1.5 }), `${TEST_SIZE} 1.5`),
  R(() => trainTestSplit(X4, y4, { testSize: 4 }), `${TEST_SIZE} 4`),
  R(() => trainTestSplit(X4, y4, { testSize: -0.1 }), `${TEST_SIZE} -0.1`),
  R(
    () => trainTestSplit(X4, y4, { testSize: 0.9 }),
    'Expected a fraction that leaves a training row out of 4 for testSize but received 0.9',
  ),
  R(
    () => trainTestSplit(X4, [0, 1]),
    'Expected an array of length 4 (one per row of X) for y but received an array of length 2',
  ),
  R(() => trainTestSplit([], []), EMPTY),
  R(
    () => trainTestSplit([[1]], [0]),
    'Expected at least 2 rows to split for X but received an array of length 1',
  ),
  R(
    () => trainTestSplit([[1], [Number.NaN]], [0, 1]),
    'Expected a finite number for X[1][0] but received NaN',
  ),
  R(
    () => trainTestSplit([[1, 2], [3]], [0, 1]),
    'Expected a row of length 2 for X[1] but received an array of length 1',
  ),
  T(
    () => trainTestSplit(X4, [0, 1, 'a', 1] as never),
    "Expected a number or an array of numbers for y[2] but received 'a'",
  ),
  T(
    () => trainTestSplit(X4, y4, { stratify: 'yes' as never }),
    "Expected a boolean for stratify but received 'yes'",
  ),
  T(
    () => trainTestSplit(X4, y4, { test_size: 0.5 } as never),
    "Unknown option 'test_size' for trainTestSplit; did you mean 'testSize'?",
  ),
  R(() => standardize([]), EMPTY),
  R(() => standardize([[1], [Number.NaN]]), 'Expected a finite number for X[1][0] but received NaN'),
  R(
    () => applyStandardize([[1, 2]], { mean: [0], std: [1] }),
    'Expected an array of 2 numbers (one per column of X) for scaling.mean but received an array of length 1',
  ),
  R(() => oneHot([0, 3], 3), 'Expected a label below 3 for labels[1] but received 3'),
  R(() => oneHot([-1]), 'Expected a non-negative integer label for labels[0] but received -1'),
  R(() => oneHot([0.5]), 'Expected a non-negative integer label for labels[0] but received 0.5'),
  R(
    () => oneHot([]),
    'Expected a non-empty array of class indices for labels but received an array of length 0',
  ),
  R(() => oneHot([0], 0), 'Expected a positive integer for classes but received 0'),
  R(() => argmax([]), 'Expected a non-empty array of numbers for row but received an array of length 0'),
  R(() => argmax([1, Number.NaN]), 'Expected a number (not NaN) for row[1] but received NaN'),
];

describe('bad input', () => {
  it.each([...badOptions, ...badData])('$message', ({ call, type, message }) => {
    let thrown: unknown;
    try {
      call();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(type);
    expect((thrown as Error).message).toBe(message);
  });
});

// --- generators

const count = (y: number[], label: number): number => y.filter((v) => v === label).length;

describe('generators', () => {
  // number[][] outputs (each generator's float32 overload aside: test/34 checks those)
  const generators: Record<
    string,
    (options?: { samples?: number; noise?: number; seed?: number }) => Dataset
  > = { moons, circles, classification };

  it.each(Object.entries(generators))('%s: shape, defaults and balance', (_name, make) => {
    const d = make();
    expect(d.X).toHaveLength(100);
    expect(d.y).toHaveLength(100);
    for (const row of d.X) expect(row).toHaveLength(2);
    expect(new Set(d.y)).toEqual(new Set([0, 1]));
    const odd = make({ samples: 101 });
    expect(odd.X).toHaveLength(101);
    // classification flips ~1% of labels at random (sklearn's flip_y), so allow a little slack there
    expect(Math.abs(count(odd.y, 0) - count(odd.y, 1))).toBeLessThanOrEqual(
      _name === 'classification' ? 5 : 1,
    );
  });

  it('moons and circles give the outer shape floor(samples / 2) points, as sklearn does', () => {
    expect(count(moons({ samples: 101 }).y, 0)).toBe(50);
    expect(count(circles({ samples: 101 }).y, 0)).toBe(50);
  });

  it.each(Object.entries(generators))('%s: same seed, same data; another seed, other data', (_name, make) => {
    const opts = _name === 'classification' ? {} : { noise: 0.1 };
    expect(make({ ...opts, seed: 7 })).toEqual(make({ ...opts, seed: 7 }));
    expect(make({ ...opts, seed: 7 }).X).not.toEqual(make({ ...opts, seed: 8 }).X);
  });

  it('moons without noise lie on the two half circles', () => {
    const { X, y } = moons({ samples: 200 });
    X.forEach(([a, b], i) => {
      if (y[i] === 0) {
        expect(Math.hypot(a, b)).toBeCloseTo(1, 12);
        expect(b).toBeGreaterThanOrEqual(0);
      } else {
        expect(Math.hypot(a - 1, b - 0.5)).toBeCloseTo(1, 12);
        expect(b).toBeLessThanOrEqual(0.5 + 1e-12);
      }
    });
    // the end points of both half circles (t = 0 and t = pi) are included
    expect(X).toContainEqual([1, 0]);
    expect(X).toContainEqual([0, 0.5]);
  });

  it('circles without noise have radius exactly 1 and factor', () => {
    const { X, y } = circles({ samples: 64, factor: 0.3 });
    const radii = X.map(([a, b]) => Math.hypot(a, b));
    radii.forEach((r, i) => {
      expect(r).toBeCloseTo(y[i] === 0 ? 1 : 0.3, 14);
    });
    // angles 0, 2pi/32, ... without the endpoint: no duplicated point at angle 0 = 2pi
    expect(new Set(X.map((r) => r.map((v) => v.toFixed(9)).join())).size).toBe(64);
  });

  it('noise moves points off the curves by about its standard deviation', () => {
    const { X, y } = moons({ samples: 2000, noise: 0.1, seed: 3 });
    const radial = X.map(([a, b], i) => (y[i] === 0 ? Math.hypot(a, b) : Math.hypot(a - 1, b - 0.5)) - 1);
    const rms = Math.sqrt(radial.reduce((s, r) => s + r * r, 0) / radial.length);
    expect(rms).toBeGreaterThan(0.08);
    expect(rms).toBeLessThan(0.12);
  });

  it('classification is close to linearly separable, like sklearn make_classification', () => {
    // logistic regression by full-batch gradient descent, in plain loops
    const linearAccuracy = (X: number[][], y: number[]): number => {
      let [w0, w1, b] = [0, 0, 0];
      for (let epoch = 0; epoch < 500; epoch++) {
        let [g0, g1, gb] = [0, 0, 0];
        X.forEach(([x0, x1], i) => {
          const d = 1 / (1 + Math.exp(-(w0 * x0 + w1 * x1 + b))) - y[i];
          g0 += d * x0;
          g1 += d * x1;
          gb += d;
        });
        [w0, w1, b] = [w0 - g0 / X.length, w1 - g1 / X.length, b - gb / X.length];
      }
      return X.filter(([x0, x1], i) => (w0 * x0 + w1 * x1 + b > 0 ? 1 : 0) === y[i]).length / X.length;
    };
    const accuracies = Array.from({ length: 20 }, (_, seed) => {
      const d = classification({ seed });
      return linearAccuracy(d.X, d.y);
    });
    // sklearn itself (make_classification + the seeds' jitter, random_state 0..49) gives a linear fit
    // 0.89 on average and 0.75 at worst: the clusters, 2 apart with std ~0.8, do overlap a little.
    const mean = accuracies.reduce((a, b) => a + b) / accuracies.length;
    expect(mean).toBeGreaterThan(0.85);
    expect(mean).toBeLessThan(0.95);
    expect(Math.min(...accuracies)).toBeGreaterThanOrEqual(0.8);
    expect(linearAccuracy(classification().X, classification().y)).toBeGreaterThanOrEqual(0.85);
    // a wider class separation makes it separable for every seed
    for (let seed = 0; seed < 10; seed++) {
      const d = classification({ seed, classSep: 2 });
      expect(linearAccuracy(d.X, d.y)).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('xor: 4 samples are the truth table; more are noisy copies of the corners', () => {
    // rows compared as 'x0,x1' strings to keep the tables on one line
    expect(xor().X.map(String)).toEqual(['0,0', '0,1', '1,0', '1,1']);
    expect(xor().y).toEqual([0, 1, 1, 0]);
    const { X, y } = xor({ samples: 400, noise: 0.1, seed: 1 });
    expect(X).toHaveLength(400);
    expect(count(y, 1)).toBe(200);
    expect(X.map(([a, b]) => Math.round(a) ^ Math.round(b))).toEqual(y);
    expect(xor({ samples: 40, noise: 0.1, seed: 1 })).not.toEqual(xor({ samples: 40, noise: 0.1, seed: 2 }));
  });

  it("the seeds' tables", () => {
    expect(trask().X.map(String)).toEqual(['0,0,1', '1,1,1', '1,0,1', '0,1,1']);
    expect(trask().y).toEqual([0, 1, 1, 0]);
    const h = heights();
    expect(h.X.map(String)).toEqual(['-2,-1', '25,6', '17,4', '-15,-6']);
    expect(h.y).toEqual([1, 0, 0, 1]);
    expect(h.names).toEqual(['Alice', 'Bob', 'Charlie', 'Diana']);
    expect(h.queries).toEqual({ Emily: [-7, -3], Frank: [20, 2] });
    h.X[0][0] = 99; // fresh tables per call
    expect(heights().X[0][0]).toBe(-2);
  });

  it('datasets groups every data set', () => {
    expect(Object.keys(datasets).sort()).toEqual(
      [
        'circles',
        'classification',
        'digits',
        'fromArrow',
        'fromCSV',
        'fromParquet',
        'heights',
        'iris',
        'moons',
        'streamCSV',
        'trask',
        'xor',
      ].sort(),
    );
  });
});

// --- real data

describe('shipped data', () => {
  it('is found in the package data/ folder', () => {
    expect(dataDirectory()).toMatch(/[/\\]data$/);
  });

  it('digits: 1797 images of 8x8 pixels 0..16, classes 0..9 with known counts', () => {
    const d = digits();
    expect(d.X).toHaveLength(1797);
    expect(d.X.every((row) => row.length === 64)).toBe(true);
    expect(d.X.flat().every((v) => Number.isInteger(v) && v >= 0 && v <= 16)).toBe(true);
    const counts = Array.from({ length: 10 }, (_, c) => count(d.y, c));
    expect(counts).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    expect(d.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(d.featureNames?.[9]).toBe('pixel_1_1');
    expect(d.X[0].slice(0, 8)).toEqual([0, 0, 5, 13, 9, 1, 0, 0]);
  });

  it('iris: 150 x 4, 50 of each class, names from the header', () => {
    const d = iris();
    expect(d.X).toHaveLength(150);
    for (const row of d.X) expect(row).toHaveLength(4);
    expect([0, 1, 2].map((c) => count(d.y, c))).toEqual([50, 50, 50]);
    expect(d.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(d.X[0]).toEqual([5.1, 3.5, 1.4, 0.2]);
  });

  it('returns fresh copies: mutating one result does not change the next', () => {
    const a = iris();
    a.X[0][0] = -1;
    a.y[0] = 9;
    a.classNames?.pop();
    const b = iris();
    expect(b.X[0][0]).toBe(5.1);
    expect(b.y[0]).toBe(0);
    expect(b.classNames).toHaveLength(3);
  });
});

// --- splitting

describe('trainTestSplit', () => {
  // rows tagged with their index so the parts can be traced back
  const X = Array.from({ length: 150 }, (_, i) => [i, i % 7]);
  const { y } = iris();

  it('splits a fraction (rounded up) or a count, into disjoint parts covering every row', () => {
    const s = trainTestSplit(X, y);
    expect(s.XTest).toHaveLength(38); // ceil(0.25 * 150)
    expect(s.XTrain).toHaveLength(112);
    const ids = [...s.XTrain, ...s.XTest].map((r) => r[0]);
    expect(new Set(ids).size).toBe(150);
    // labels travel with their rows
    expect(s.yTest).toEqual(s.XTest.map((row) => y[row[0]]));
    expect(trainTestSplit(X, y, { testSize: 30 }).XTest).toHaveLength(30);
    expect(trainTestSplit(X, y, { testSize: 0.4 }).XTest).toHaveLength(60);
  });

  it('is seeded', () => {
    expect(trainTestSplit(X, y, { seed: 42 })).toEqual(trainTestSplit(X, y, { seed: 42 }));
    expect(trainTestSplit(X, y, { seed: 42 }).XTest).not.toEqual(trainTestSplit(X, y, { seed: 43 }).XTest);
    // shuffled, not a prefix
    expect(trainTestSplit(X, y).XTest.map((r) => r[0])).not.toEqual(Array.from({ length: 38 }, (_, i) => i));
  });

  it('stratify keeps class shares in both parts', () => {
    const s = trainTestSplit(X, y, { testSize: 0.2, stratify: true, seed: 5 });
    expect([0, 1, 2].map((c) => count(s.yTest, c))).toEqual([10, 10, 10]);
    expect([0, 1, 2].map((c) => count(s.yTrain, c))).toEqual([40, 40, 40]);
    // uneven: 38 test rows over three classes of 50 -> 13, 13, 12 in some order
    const uneven = trainTestSplit(X, y, { stratify: true });
    expect([0, 1, 2].map((c) => count(uneven.yTest, c)).sort()).toEqual([12, 13, 13]);
    // test rows are interleaved, not grouped by class
    expect(s.yTest.slice(0, 10)).not.toEqual(new Array(10).fill(s.yTest[0]));
  });

  it('accepts one-hot targets and stratifies by row', () => {
    const Y = oneHot(y);
    const s = trainTestSplit(X, Y, { testSize: 0.2, stratify: true });
    expect(s.yTest).toHaveLength(30);
    expect([0, 1, 2].map((c) => s.yTest.filter((r) => argmax(r) === c).length)).toEqual([10, 10, 10]);
    expect(s.yTest).toEqual(s.XTest.map((row) => Y[row[0]]));
  });

  it('copies rows, leaving the inputs untouched', () => {
    const s = trainTestSplit(X, y);
    s.XTrain[0][0] = -1;
    expect(X.every((row, i) => row[0] === i)).toBe(true);
  });
});

// --- scaling and encoding

describe('standardize, oneHot, argmax', () => {
  const columnStats = (X: number[][], j: number): [number, number] => {
    const mean = X.reduce((s, r) => s + r[j], 0) / X.length;
    return [mean, Math.sqrt(X.reduce((s, r) => s + (r[j] - mean) ** 2, 0) / X.length)];
  };

  it('scales every column to mean 0 and std 1, and reports the scaling', () => {
    const raw = iris().X;
    const { X, mean, std } = standardize(raw);
    for (let j = 0; j < 4; j++) {
      const [m, s] = columnStats(X, j);
      expect(m).toBeCloseTo(0, 12);
      expect(s).toBeCloseTo(1, 12);
    }
    expect(mean[0]).toBeCloseTo(5.8433, 4);
    expect(std[0]).toBeCloseTo(0.8253, 4); // population std, as StandardScaler
    expect(raw[0]).toEqual([5.1, 3.5, 1.4, 0.2]); // input untouched
    expect(applyStandardize(raw, { mean, std })).toEqual(X);
  });

  it('leaves constant columns at 0 instead of NaN', () => {
    const { X, mean, std } = standardize([
      [0.1, 1],
      [0.1, 3],
      [0.1, 5],
    ]);
    expect(X.map((r) => r[0])).toEqual([0, 0, 0]);
    expect([mean[0], std[0]]).toEqual([0.1, 1]);
    expect(applyStandardize([[2, 3]], { mean: [1, 3], std: [0, 2] })).toEqual([[1, 0]]);
  });

  it('oneHot and argmax invert each other', () => {
    expect(oneHot([2, 0])).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    expect(oneHot([1], 4)).toEqual([[0, 1, 0, 0]]);
    const labels = iris().y;
    expect(oneHot(labels).map(argmax)).toEqual(labels);
    expect(argmax([0.2, 0.5, 0.5])).toBe(1); // first on ties
    expect(argmax(new Float32Array([-3, -1, -2]))).toBe(1);
  });
});
