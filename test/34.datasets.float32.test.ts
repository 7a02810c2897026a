// The generators' float32 output and trainTestSplit on a row-major Float32Array: what a server that
// retrains on its event loop generates its data with (examples/server.ts), no array per row. The
// values are the number[][] form's, rounded to float32 once; the split picks the same rows for a
// seed in either form; fit takes the parts as they are and trains as on the same rows as numbers.
import { describe, expect, test } from 'vitest';
import { circles, classification, moons, Network, trainTestSplit, xor } from '../lib/index.js';
import { engineNames } from './helpers/engine-names.js';

const float32Rows = (X: number[][]) => Float32Array.from(X.flat());

describe('bad input', () => {
  test('float32 must be a boolean, named', () => {
    expect(() => moons({ float32: 1 as never })).toThrow(
      new TypeError('Expected a boolean for float32 but received 1'),
    );
    expect(() => xor({ float32: 'yes' as never })).toThrow(TypeError);
  });

  const X = Float32Array.of(0, 1, 2, 3, 4, 5); // 3 rows of 2 with 3 labels
  test.each([
    [() => trainTestSplit(X, Float32Array.of(0, 1, 0, 1)), RangeError, /multiple of 4 for X/],
    [() => trainTestSplit(new Float32Array(0), []), RangeError, /non-empty length/],
    [() => trainTestSplit(X, 'abc' as never), TypeError, /Float32Array or an array of labels .* for y/],
    [() => trainTestSplit(X, [0, '1', 0] as never), TypeError, /a number \(one label per row\) for y\[1\]/],
    [() => trainTestSplit(X, [0, Number.NaN, 1]), RangeError, /finite number for y\[1\] but received NaN/],
    [
      () => trainTestSplit(Float32Array.of(0, 1, Infinity, 3), [0, 1]),
      RangeError,
      /for X\[2\] but received Infinity/,
    ],
    [() => trainTestSplit(Float32Array.of(0, 1), [0]), RangeError, /at least 2 rows to split for X/],
    [() => trainTestSplit(X, [0, 1, 0], { testSize: 3 }), RangeError, /testSize/],
  ])('%#: refused, naming the argument', (call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});

describe('generators with float32: true', () => {
  const cases = [
    ['moons', (o: { samples: number; seed: number; float32?: boolean }) => moons({ ...o, noise: 0.2 })],
    ['circles', (o: { samples: number; seed: number; float32?: boolean }) => circles({ ...o, noise: 0.1 })],
    ['classification', (o: { samples: number; seed: number; float32?: boolean }) => classification(o)],
    ['xor', (o: { samples: number; seed: number; float32?: boolean }) => xor({ ...o, noise: 0.1 })],
  ] as const;
  test.each(cases)('%s: the number[][] values, rounded to float32, in one row-major array', (_name, make) => {
    for (const samples of [1, 4, 5, 101]) {
      for (const seed of [0, 9]) {
        const rows = make({ samples, seed });
        const flat = make({ samples, seed, float32: true });
        if (!('columns' in flat) || 'columns' in rows) throw new Error('wrong output form');
        expect(flat.X).toBeInstanceOf(Float32Array);
        expect(flat.y).toBeInstanceOf(Float32Array);
        expect(flat.columns).toBe(2);
        expect(flat.X).toEqual(float32Rows(rows.X));
        expect(flat.y).toEqual(Float32Array.from(rows.y));
      }
    }
  });

  test('float32: false is the number[][] form', () => {
    expect(moons({ samples: 10, seed: 3, float32: false })).toEqual(moons({ samples: 10, seed: 3 }));
  });
});

describe('trainTestSplit of a Float32Array', () => {
  test.each([false, true])(
    'stratify %s: the rows the number[][] split picks, as Float32Arrays',
    (stratify) => {
      const rows = moons({ samples: 203, noise: 0.3, seed: 4 });
      const flat = moons({ samples: 203, noise: 0.3, seed: 4, float32: true });
      const expected = trainTestSplit(rows.X, rows.y, { testSize: 0.3, seed: 11, stratify });
      for (const y of [flat.y, Array.from(flat.y)]) {
        const got = trainTestSplit(flat.X, y, { testSize: 0.3, seed: 11, stratify });
        expect(got.XTrain).toEqual(float32Rows(expected.XTrain));
        expect(got.XTest).toEqual(float32Rows(expected.XTest));
        expect(got.yTrain).toEqual(Float32Array.from(expected.yTrain));
        expect(got.yTest).toEqual(Float32Array.from(expected.yTest));
      }
    },
  );

  test('a row width other than 2 and copies the caller may change', () => {
    const X = Float32Array.from({ length: 30 }, (_, k) => k); // 10 rows of 3: row i is 3i, 3i+1, 3i+2
    const y = Float32Array.from({ length: 10 }, (_, i) => i);
    const { XTrain, XTest, yTrain, yTest } = trainTestSplit(X, y, { testSize: 4, seed: 2 });
    expect([XTrain.length, XTest.length, yTrain.length, yTest.length]).toEqual([18, 12, 6, 4]);
    const check = (part: Float32Array, labels: Float32Array) =>
      labels.forEach((i, r) =>
        expect(Array.from(part.subarray(3 * r, 3 * r + 3))).toEqual([3 * i, 3 * i + 1, 3 * i + 2]),
      );
    check(XTrain, yTrain);
    check(XTest, yTest);
    expect([...yTrain, ...yTest].sort((a, b) => a - b)).toEqual(Array.from(y));
    XTrain.fill(-1);
    expect(X[29]).toBe(29);
  });
});

describe.each(engineNames)('%s engine: fit from the float32 parts', (engine) => {
  test('trains as from the same values in rows', async () => {
    const flat = moons({ samples: 300, noise: 0.2, seed: 1, float32: true });
    const split = trainTestSplit(flat.X, flat.y, { testSize: 0.2, seed: 1 });
    const net = () =>
      new Network({
        inputs: 2,
        layers: [
          { units: 8, activation: 'tanh' },
          { units: 1, activation: 'sigmoid' },
        ],
        seed: 3,
        engine,
      });
    const a = net();
    const b = net();
    const rowsOf = (X: Float32Array) =>
      Array.from({ length: X.length / 2 }, (_, i) => [X[2 * i], X[2 * i + 1]]);
    await a.fit(split.XTrain, split.yTrain, { epochs: 3, batchSize: 32 });
    await b.fit(rowsOf(split.XTrain), Array.from(split.yTrain), { epochs: 3, batchSize: 32 });
    expect(a.getParameters()).toEqual(b.getParameters());
    expect(a.evaluate(split.XTest, split.yTest)).toEqual(
      b.evaluate(rowsOf(split.XTest), Array.from(split.yTest)),
    );
  });
});
