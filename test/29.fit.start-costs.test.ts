// What a fit or predict call costs before the engine runs (issue 13): a recycled copy of X is not
// zeroed before the scan overwrites it (FitArrays, allocateFloat32's `overwrite`), rows of numbers
// are copied four values a step (lib/inputs.ts copyFinite), and a one-sample predict never starts
// the thread pool. Each against what it replaces: the same weights bit for bit, the same outputs,
// the same errors naming the same element.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Allocator, Engine } from '../lib/engine/engine.js';
import { scanFinite as jsScanFinite } from '../lib/engine/finite.js';
import { nativeStatus } from '../lib/engine/native.js';
import { FitArrays } from '../lib/fit-arrays.js';
import { Network } from '../lib/index.js';
import { toMatrix } from '../lib/inputs.js';
import { Random } from '../lib/random.js';
import { engines } from './helpers/engines.js';

const INPUTS = 7; // not a multiple of 4: copyFinite's tail runs too

function data(rows: number, seed: number): { X: Float32Array; y: number[] } {
  const rng = new Random(seed);
  const X = new Float32Array(rows * INPUTS);
  for (let i = 0; i < X.length; i++) X[i] = rng.range(-2, 2);
  const y = Array.from({ length: rows }, (_, r) => (X[r * INPUTS] - X[r * INPUTS + 3] > 0 ? 1 : 0));
  return { X, y };
}

const rowsOf = (X: Float32Array, cols: number): number[][] =>
  Array.from({ length: X.length / cols }, (_, r) => Array.from(X.subarray(r * cols, (r + 1) * cols)));

function network(engine: Engine['name']): Network {
  return new Network({
    inputs: INPUTS,
    layers: [
      { units: 9, activation: 'relu' },
      { units: 2, activation: 'softmax' },
    ],
    loss: 'cross-entropy',
    optimizer: { name: 'adam', learningRate: 0.01 },
    seed: 3,
    engine,
  });
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const bits = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

// --- FitArrays: overwrite ---------------------------------------------------------------------

describe('FitArrays: an array the caller overwrites', () => {
  const plain = (): Allocator => ({
    allocateFloat32: (n: number) => new Float32Array(n),
    allocateUint32: (n: number) => new Uint32Array(n),
    scanFinite: jsScanFinite,
  });

  it('comes back as the last fit left it; any other comes back zeroed', () => {
    const arrays = new FitArrays(plain());
    arrays.begin();
    const x = arrays.allocateFloat32(6, true);
    const y = arrays.allocateFloat32(4);
    const order = arrays.allocateUint32(3);
    x.fill(5);
    y.fill(6);
    order.fill(7);
    arrays.end();
    arrays.begin();
    const x2 = arrays.allocateFloat32(6, true);
    const y2 = arrays.allocateFloat32(4);
    const order2 = arrays.allocateUint32(3);
    expect([x2, y2, order2]).toEqual([x, y, order]); // the same arrays...
    expect(x2).toBe(x);
    expect(Array.from(x2)).toEqual([5, 5, 5, 5, 5, 5]); // ...this one not zeroed
    expect(Array.from(y2)).toEqual([0, 0, 0, 0]);
    expect(Array.from(order2)).toEqual([0, 0, 0]);
    arrays.end();
    arrays.begin();
    expect(Array.from(arrays.allocateFloat32(6))).toEqual([0, 0, 0, 0, 0, 0]); // zeroed when asked plainly
    arrays.end();
  });

  it("a recycled copy of X holds exactly the new X, whatever the last fit's X was", () => {
    const arrays = new FitArrays(plain());
    const first = data(5, 1).X;
    const second = data(5, 2).X;
    for (const [a, b] of [
      [first, second],
      [second, first],
    ]) {
      arrays.begin();
      toMatrix(a, 'X', INPUTS, arrays, true);
      arrays.end();
      arrays.begin();
      const m = toMatrix(b, 'X', INPUTS, arrays, true);
      expect(bits(m.data).equals(bits(b))).toBe(true);
      const r = toMatrix(rowsOf(a, INPUTS), 'X', INPUTS, arrays); // rows over a recycled array
      expect(bits(r.data).equals(bits(a))).toBe(true);
      arrays.end();
    }
  });
});

describe.each(engines)('$name engine: fits over recycled arrays that held other data', (engine: Engine) => {
  it('give the weights of the same fits on fresh arrays, bit for bit', async () => {
    const sets = [data(120, 11), data(120, 12), data(120, 13)];
    const recycled = network(engine.name);
    const fresh = network(engine.name);
    // X changes from fit to fit; the arrays keep their lengths, so each fit takes the last one's
    const runs: [number, 'fit' | 'fitSync', object, boolean][] = [
      [0, 'fit', { epochs: 2, batchSize: 16 }, false],
      [1, 'fitSync', { epochs: 1, batchSize: 8 }, true],
      [2, 'fit', { epochs: 1, batchSize: 32, validationSplit: 0.25 }, false],
      [0, 'fit', { epochs: 1, batchSize: 16, sampleWeight: sets[0].y.map((v) => 2 - v) }, true],
      [1, 'fitSync', { epochs: 3, batchSize: 120, shuffle: false }, false],
    ];
    const run = async (net: Network, k: number, how: string, options: object, rows: boolean) => {
      const X = rows ? rowsOf(sets[k].X, INPUTS) : sets[k].X;
      if (how === 'fit') await net.fit(X, sets[k].y, options);
      else net.fitSync(X, sets[k].y, options);
    };
    for (const [k, how, options, rows] of runs) await run(recycled, k, how, options, rows);
    for (const [k, how, options, rows] of runs) {
      await run(fresh, k, how, options, rows);
      await turn(); // fresh's arrays are let go: each of its fits allocates new ones
    }
    expect(bits(recycled.getParameters()).equals(bits(fresh.getParameters()))).toBe(true);
    expect(recycled.steps).toBe(fresh.steps);
  });

  it('a fit refused for a NaN leaves its partly written copy behind: the next fit is not affected', async () => {
    const { X, y } = data(40, 21);
    const net = network(engine.name);
    const reference = network(engine.name);
    const bad = rowsOf(X, INPUTS);
    bad[30][6] = Number.NaN;
    await expect(net.fit(bad, y, { epochs: 1, batchSize: 8 })).rejects.toThrow(
      'Expected a finite number for X[30][6] but received NaN',
    );
    await net.fit(data(40, 22).X, y, { epochs: 1, batchSize: 8 });
    await reference.fit(data(40, 22).X, y, { epochs: 1, batchSize: 8 });
    expect(bits(net.getParameters()).equals(bits(reference.getParameters()))).toBe(true);
  });
});

// --- the JS scan: sums of values, not of v - v ----------------------------------------------------

describe.each(engines)('$name engine: scanFinite on the largest float32 values', (engine: Engine) => {
  // whole blocks of 4096 of the largest magnitude (their float64 sum stays finite), in the JS
  // scan and, from NATIVE_SCAN_MIN floats, the addon's
  it.each([784, 4096, 3 * 4096 + 5, 20000])(
    '%i floats of +-3.4e38: finite; one Infinity among them is found',
    (n) => {
      const max = 3.4028234663852886e38;
      for (const sign of [1, -1]) {
        const src = new Float32Array(n).fill(sign * max);
        expect(engine.scanFinite(src, null)).toBe(-1);
        for (const at of [0, 7, n - 1]) {
          const bad = src.slice();
          bad[at] = -sign * Number.POSITIVE_INFINITY; // beside values of the other sign
          expect(engine.scanFinite(bad, null)).toBe(at);
        }
      }
    },
  );
});

// --- rows of numbers, four values a step ----------------------------------------------------------

describe.each(engines)('$name engine: predict from rows of any width', (engine: Engine) => {
  it.each([1, 2, 3, 4, 5, 8, 9, 13])(
    '%i inputs: the outputs of the same Float32Array, bit for bit',
    (cols) => {
      const net = new Network({
        inputs: cols,
        layers: [{ units: 3, activation: 'sigmoid' }],
        seed: 4,
        engine: engine.name,
      });
      const rng = new Random(cols);
      const X = new Float32Array(6 * cols);
      for (let i = 0; i < X.length; i++) X[i] = rng.range(-3, 3);
      X[0] = -0;
      X[X.length - 1] = 3.4028234663852886e38; // the largest float32 is finite
      const fromRows = net.predict(rowsOf(X, cols)).flat();
      expect(fromRows).toEqual(Array.from(net.predict(X)));
    },
  );

  // every position of a row (each lane of the step of four, and the tail), each kind of bad value
  const bad: [string, unknown, ErrorConstructor, string][] = [
    ['NaN', Number.NaN, RangeError, 'NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, RangeError, 'Infinity'],
    ['-Infinity', Number.NEGATIVE_INFINITY, RangeError, '-Infinity'],
    ['a string', '1', TypeError, "'1'"],
    ['undefined', undefined, TypeError, 'undefined'],
  ];
  it.each(bad)('names the element that is %s, at every column', (_kind, value, type, shown) => {
    const net = network(engine.name);
    const rows = rowsOf(data(3, 31).X, INPUTS);
    for (let c = 0; c < INPUTS; c++) {
      const withBad = rows.map((r) => r.slice()) as unknown[][];
      withBad[2][c] = value;
      if (c + 1 < INPUTS) withBad[2][c + 1] = Number.NaN; // a later bad value is not the one named
      const call = () => net.predict(withBad as number[][]);
      expect(call).toThrow(type);
      expect(call).toThrow(`Expected a finite number for X[2][${c}] but received ${shown}`);
    }
  });

  it('names a hole in a row as undefined', () => {
    const net = network(engine.name);
    const rows = rowsOf(data(2, 32).X, INPUTS);
    const holey = rows[1].slice();
    delete holey[5];
    expect(() => net.predict([rows[0], holey])).toThrow(
      'Expected a finite number for X[1][5] but received undefined',
    );
  });
});

// --- one sample: no thread started ------------------------------------------------------------

// Linux (/proc/self/task), with a second hardware thread for the pool to start
const linux = process.platform === 'linux' && nativeStatus().available && availableParallelism() > 1;
describe.skipIf(!linux)('native engine: a one-sample predict never starts the thread pool', () => {
  it("leaves the process's thread count as it was; a 1,024-row predict then starts a worker", () => {
    // in a fresh process: the pool is one per isolate, and this one's may have started already
    const child = fileURLToPath(new URL('fixtures/one-sample-threads.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', child], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.stderr).toBe('');
    const { before, afterOne, afterBatch } = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}');
    expect(afterOne).toBe(before);
    expect(afterBatch).toBeGreaterThan(afterOne); // the count can see a worker start
  });
});

describe.each(engines)('the $name engine: number[][] values past float32', (engine) => {
  // 1e300 is a finite double but Infinity as the float32 the engines compute with: refused, the
  // error naming the element, on every path that converts rows (predict, fit's X and y).
  const net = () =>
    new Network({
      inputs: 2,
      layers: [{ units: 1, activation: 'linear' }],
      loss: 'mse',
      seed: 1,
      engine: engine.name,
    });

  it.each([1e300, -1e39, 3.5e38])('predict refuses %s in a row, naming it', (big) => {
    expect(() =>
      net().predict([
        [0, 1],
        [2, big],
      ]),
    ).toThrow('Expected a number finite as float32 (|x| <= 3.4e38) for X[1][1]');
  });

  it('predict names a bad value deep in many rows: its row, its column, the value the caller gave', () => {
    // 1,000 rows: several of the model's blocks
    const rows = Array.from({ length: 1000 }, (_, r) => [r / 1000, 1 - r / 1000]);
    rows[700][1] = 1e300;
    expect(() => net().predict(rows)).toThrow(
      'Expected a number finite as float32 (|x| <= 3.4e38) for X[700][1]',
    );
    rows[700][1] = Number.NaN;
    expect(() => net().predict(rows)).toThrow(/Expected a finite number for X\[700\]\[1\] but received NaN/);
    rows[700][1] = 0;
    rows[900][0] = 'a' as unknown as number;
    expect(() => net().predict(rows)).toThrow(/Expected a finite number for X\[900\]\[0\] but received 'a'/);
  });

  it('keeps accepting the largest float32 values', () => {
    const max = 3.4028234663852886e38;
    expect(net().predict([[max, -max]])[0]).toHaveLength(1);
  });

  it('fit refuses such a value in X or y and leaves the network untouched', async () => {
    const n = net();
    const before = n.getParameters();
    await expect(
      n.fit(
        [
          [0, 1],
          [1e300, 0],
        ],
        [0, 1],
        { epochs: 1 },
      ),
    ).rejects.toThrow('X[1][0]');
    await expect(
      n.fit(
        [
          [0, 1],
          [1, 0],
        ],
        [[0], [1e300]],
        { epochs: 1 },
      ),
    ).rejects.toThrow('y[1]');
    expect(n.getParameters()).toEqual(before);
  });
});
