// The public API's fast paths (issue 13): the one-pass finiteness check and copy (Engine.scanFinite),
// fit's own arrays recycled from one fit to the next (lib/fit-arrays.ts), and predict's number[][]
// rows written into a reused scratch array (NetworkRuntime.callArrays). Bad input first, then each
// fast path against what it replaces: the same weights bit for bit, the same outputs.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { Allocator, Engine } from '../lib/engine/engine.js';
import { scanFinite as jsScanFinite } from '../lib/engine/finite.js';
import { addonPath, NATIVE_SCAN_MIN, type NativeAddon, packageRoot } from '../lib/engine/native.js';
import { FitArrays } from '../lib/fit-arrays.js';
import { Network } from '../lib/index.js';
import { SCRATCH_MAX } from '../lib/network-runtime.js';
import { Random } from '../lib/random.js';
import { engines } from './helpers/engines.js';

const INPUTS = 6;

function data(rows: number, seed = 5): { X: Float32Array; rows: number[][]; y: number[] } {
  const rng = new Random(seed);
  const X = new Float32Array(rows * INPUTS);
  for (let i = 0; i < X.length; i++) X[i] = rng.range(-2, 2);
  const y = Array.from({ length: rows }, (_, r) => (X[r * INPUTS] + X[r * INPUTS + 1] > 0 ? 1 : 0));
  return {
    X,
    rows: Array.from({ length: rows }, (_, r) => Array.from(X.subarray(r * INPUTS, (r + 1) * INPUTS))),
    y,
  };
}

function network(engine: Engine['name']): Network {
  return new Network({
    inputs: INPUTS,
    layers: [
      { units: 8, activation: 'tanh' },
      { units: 3, activation: 'softmax' },
    ],
    loss: 'cross-entropy',
    optimizer: { name: 'adam', learningRate: 0.01 },
    seed: 7,
    engine,
  });
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// --- Engine.scanFinite --------------------------------------------------------------------------

/** The engine's scan, and on the native engine the addon's own (which the engine uses from NATIVE_SCAN_MIN floats). */
function scanners(engine: Engine): [string, Engine['scanFinite']][] {
  if (engine.name !== 'native') return [['ts', engine.scanFinite]];
  const addon = createRequire(import.meta.url)(addonPath(packageRoot() ?? '.')) as Required<NativeAddon>;
  return [
    ['engine', engine.scanFinite],
    ['addon', (src, dst) => addon.scanFinite(src, dst)],
  ];
}

describe.each(engines)('$name engine: scanFinite', (engine: Engine) => {
  if (engine.name === 'native') {
    it('refuses a dst shorter than src, an overlapping dst and what is no Float32Array', () => {
      const scan = scanners(engine)[1][1];
      const src = new Float32Array(8);
      expect(() => scan(src, new Float32Array(7))).toThrow(RangeError);
      expect(() => scan(src, src.subarray(0, 8))).toThrow(/does not overlap/);
      const wide = new Float32Array(16);
      expect(() => scan(wide.subarray(0, 8), wide.subarray(4, 12))).toThrow(/does not overlap/);
      expect(() => scan(new Float64Array(8) as never, null)).toThrow(TypeError);
      expect(() => scan([1, 2] as never, null)).toThrow(TypeError);
      expect(() => (scan as (...a: unknown[]) => number)(src)).toThrow(TypeError);
    });
  }
  if (engine.name === 'native') {
    it('the engine refuses a short dst too (the JS scan below NATIVE_SCAN_MIN)', () => {
      const src = new Float32Array(8);
      expect(() => engine.scanFinite(src, new Float32Array(7))).toThrow(RangeError);
      const big = new Float32Array(NATIVE_SCAN_MIN);
      expect(() => engine.scanFinite(big, new Float32Array(NATIVE_SCAN_MIN - 1))).toThrow(RangeError);
    });
  } else {
    it('refuses a dst shorter than src', () => {
      expect(() => engine.scanFinite(new Float32Array(8), new Float32Array(7))).toThrow(RangeError);
    });
  }

  // around the native scan's blocks of 1024 floats, the TS scan's of 4096, and NATIVE_SCAN_MIN
  const sizes = [1, 3, 1023, 1024, 1025, 4096, 4097, 9000, NATIVE_SCAN_MIN - 1, NATIVE_SCAN_MIN + 1];
  const cases = scanners(engine).flatMap(([via, scan]) => sizes.map((n) => [via, n, scan] as const));
  it.each(cases)(
    '(%s) finds the first NaN / +-Infinity in %i floats, and copies all of src on the way',
    (_via, n, scan) => {
      const rng = new Random(n);
      const src = new Float32Array(n);
      for (let i = 0; i < n; i++) src[i] = rng.range(-1e30, 1e30);
      src[0] = -0;
      if (n > 2) src[1] = 3.4028234663852886e38; // the largest float32 is finite
      if (n > 3) src[2] = 1e-45; // and so is a denormal
      expect(scan(src, null)).toBe(-1);
      const positions = [
        ...new Set([0, n - 1, Math.floor(n / 2), 1023, 1024, 4095, 4096].filter((p) => p < n)),
      ];
      for (const p of positions) {
        for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
          const s = src.slice();
          s[p] = bad;
          if (p + 5 < n) s[p + 5] = Number.NaN; // a later one is not the answer
          const dst = new Float32Array(n + 2).fill(7);
          expect(scan(s, dst)).toBe(p);
          expect(scan(s, null)).toBe(p);
          expect(Object.is(dst[p], s[p]) || (Number.isNaN(dst[p]) && Number.isNaN(s[p]))).toBe(true);
          // every value copied, bad ones included; dst's tail untouched
          expect(Buffer.from(dst.buffer, 0, n * 4).equals(Buffer.from(s.buffer))).toBe(true);
          expect([dst[n], dst[n + 1]]).toEqual([7, 7]);
        }
      }
    },
  );

  it.each(scanners(engine))(
    '(%s) agrees with the TS scan on random arrays with sprinkled non-finite values',
    (_via, scan) => {
      const rng = new Random(11);
      for (let trial = 0; trial < 50; trial++) {
        const n = 1 + rng.int(3 * NATIVE_SCAN_MIN);
        const s = new Float32Array(n);
        for (let i = 0; i < n; i++) s[i] = rng.range(-5, 5);
        const hits = rng.int(3);
        for (let h = 0; h < hits; h++) s[rng.int(n)] = [Number.NaN, Number.POSITIVE_INFINITY][rng.int(2)];
        expect(scan(s, null)).toBe(jsScanFinite(s, null));
      }
    },
  );
});

// --- fit's arrays, recycled -------------------------------------------------------------------------

/** An allocator that counts what it allocates. */
function counting(): Allocator & { float32: number; uint32: number } {
  const a = {
    float32: 0,
    uint32: 0,
    allocateFloat32: (n: number) => {
      a.float32++;
      return new Float32Array(n);
    },
    allocateUint32: (n: number) => {
      a.uint32++;
      return new Uint32Array(n);
    },
    scanFinite: jsScanFinite,
  };
  return a;
}

describe('FitArrays', () => {
  it('hands the last fit its arrays again, zeroed, for its grace period (across turns of the event loop)', async () => {
    const source = counting();
    const grace = 30;
    const arrays = new FitArrays(source, grace);
    arrays.begin();
    const x = arrays.allocateFloat32(10);
    const order = arrays.allocateUint32(4);
    x.fill(3);
    order.fill(9);
    arrays.end();
    expect(arrays.spareCount).toBe(2);
    arrays.begin(); // back to back: the same arrays, no allocation
    const x2 = arrays.allocateFloat32(10);
    const order2 = arrays.allocateUint32(4);
    expect(x2).toBe(x);
    expect(order2).toBe(order);
    expect(Array.from(x2)).toEqual(new Array(10).fill(0));
    expect(Array.from(order2)).toEqual([0, 0, 0, 0]);
    const other = arrays.allocateFloat32(11); // another length: a new one
    expect(other).not.toBe(x);
    expect([source.float32, source.uint32]).toEqual([2, 1]);
    arrays.end();
    await turn();
    expect(arrays.spareCount).toBe(3); // a turn of the loop (another await between fits) keeps them
    await new Promise((resolve) => setTimeout(resolve, 3 * grace));
    expect(arrays.spareCount).toBe(0); // let go once the grace period passed
    arrays.begin();
    expect(arrays.allocateFloat32(10)).not.toBe(x);
    expect(source.float32).toBe(3);
    arrays.end();
    arrays.drop();
    expect(arrays.spareCount).toBe(0);
  });

  it('recycles the copies of the weights and state apart from the arrays of the rows', () => {
    const source = counting();
    const arrays = new FitArrays(source);
    arrays.begin();
    const params = arrays.allocateCopy(6);
    const state = arrays.allocateCopy(12);
    const x = arrays.allocateFloat32(10);
    params.fill(2);
    arrays.end();
    // the rows' arrays alone count as the fit's per-row memory; the copies are their own figure
    expect([arrays.spareCount, arrays.spareBytes, arrays.spareCopyBytes]).toEqual([1, 40, 72]);
    arrays.begin();
    expect(arrays.allocateFloat32(6)).not.toBe(params); // a copy is never handed out as a row array
    expect(arrays.allocateCopy(12)).toBe(state);
    const params2 = arrays.allocateCopy(6);
    expect(params2).toBe(params);
    expect(params2[0]).toBe(2); // not zeroed: the loop overwrites a copy before it reads it
    expect(arrays.allocateFloat32(10)).toBe(x);
    expect(source.float32).toBe(4);
    arrays.end();
    arrays.drop();
    expect(arrays.spareCopyBytes).toBe(0);
  });

  it('never hands one array out twice in one fit', () => {
    const arrays = new FitArrays(counting());
    arrays.begin();
    const a = arrays.allocateFloat32(5);
    arrays.end();
    arrays.begin();
    const b = arrays.allocateFloat32(5);
    const c = arrays.allocateFloat32(5);
    expect(b).toBe(a);
    expect(c).not.toBe(b);
    arrays.end();
  });
});

describe.each(engines)('$name engine: fits back to back', (engine: Engine) => {
  it('give the weights of fits with fresh arrays, bit for bit (fit, fitSync, shuffled, weighted, split)', async () => {
    const { X, y } = data(300);
    const recycled = network(engine.name);
    const fresh = network(engine.name);
    const runs: [string, object][] = [
      ['fit', { epochs: 2, batchSize: 16 }],
      ['fitSync', { epochs: 1, batchSize: 32, validationSplit: 0.2 }],
      ['fit', { epochs: 1, batchSize: 16, sampleWeight: y.map((v) => 1 + v) }],
      ['fitSync', { epochs: 2, batchSize: 300, shuffle: false }],
      ['fit', { epochs: 1, batchSize: 8 }],
    ];
    const spare = (net: Network): number =>
      (net as unknown as { runtime: { fitArrays: FitArrays } }).runtime.fitArrays.spareCount;
    const run = async (net: Network, how: string, options: object): Promise<void> => {
      if (how === 'fit') await net.fit(X, y, options);
      else net.fitSync(X, y, options);
    };
    for (const [how, options] of runs) {
      await run(recycled, how, options); // the next fit takes these arrays before the loop turns
      expect(spare(recycled)).toBeGreaterThan(0);
    }
    const fitArrays = (net: Network): FitArrays =>
      (net as unknown as { runtime: { fitArrays: FitArrays } }).runtime.fitArrays;
    for (const [how, options] of runs) {
      await run(fresh, how, options);
      await turn(); // a turn of the event loop keeps them for the next fit
      expect(spare(fresh)).toBeGreaterThan(0);
      fitArrays(fresh).drop(); // as when the grace period passes: the next fit allocates new ones
      expect(spare(fresh)).toBe(0);
    }
    expect(
      Buffer.from(recycled.getParameters().buffer).equals(Buffer.from(fresh.getParameters().buffer)),
    ).toBe(true);
    expect(recycled.steps).toBe(fresh.steps);
  });

  it('a fit after one refused for a NaN trains on the new data, and the refused one changed nothing', () => {
    const { X, y } = data(64);
    const net = network(engine.name);
    const before = net.getParameters();
    const bad = X.slice();
    bad[5 * INPUTS + 4] = Number.NaN;
    expect(() => net.fitSync(bad, y, { epochs: 1, batchSize: 8 })).toThrow(
      'Expected a finite number for X[5][4] but received NaN',
    );
    expect(net.getParameters()).toEqual(before);
    const reference = network(engine.name);
    net.fitSync(X, y, { epochs: 1, batchSize: 8 });
    reference.fitSync(X, y, { epochs: 1, batchSize: 8 });
    expect(net.getParameters()).toEqual(reference.getParameters());
  });
});

// --- predict: number[][] through the scratch array ---------------------------------------------

describe.each(engines)('$name engine: predict from number[][] and from a Float32Array', (engine: Engine) => {
  it('refuses a NaN, an Infinity or a non-number in rows, naming the element', () => {
    const net = network(engine.name);
    const { rows } = data(4);
    const withNaN = rows.map((r) => r.slice());
    withNaN[2][3] = Number.NaN;
    expect(() => net.predict(withNaN)).toThrow('Expected a finite number for X[2][3] but received NaN');
    const withInf = rows.map((r) => r.slice());
    withInf[3][5] = Number.NEGATIVE_INFINITY;
    expect(() => net.predict(withInf)).toThrow(RangeError);
    expect(() => net.predict(withInf)).toThrow('X[3][5]');
    const withString = rows.map((r) => r.slice()) as unknown[][];
    withString[1][0] = '1';
    expect(() => net.predict(withString as number[][])).toThrow(TypeError);
    expect(() => net.predict(withString as number[][])).toThrow('X[1][0]');
    const flat = data(4).X;
    flat[3 * INPUTS + 1] = Number.POSITIVE_INFINITY;
    expect(() => net.predict(flat)).toThrow('Expected a finite number for X[3][1] but received Infinity');
  });

  it('gives the same outputs, bit for bit, call after call of shrinking and growing sizes', () => {
    const net = network(engine.name);
    net.fitSync(data(100).X, data(100).y, { epochs: 1, batchSize: 10 });
    for (const n of [50, 3, 1, 50, 7]) {
      const { X, rows } = data(n, 100 + n);
      const fromRows = net.predict(rows);
      const fromArray = net.predict(X);
      expect(fromRows.flat()).toEqual(Array.from(fromArray));
      // one sample alone: what the batch gives its row (a batch may take another gemm path)
      const one = net.predict(X.subarray(0, INPUTS));
      for (let j = 0; j < 3; j++) expect(one[j]).toBeCloseTo(fromArray[j], 6);
    }
  });

  it('with inputScaling, scales a copy: the caller rows and Float32Array stay as given', () => {
    const net = network(engine.name);
    net.inputScaling = { mean: [1, 0, 0, 0, 0, -1], std: [2, 1, 1, 1, 1, 0.5] };
    const { X, rows } = data(20);
    const keepX = X.slice();
    const keepRows = rows.map((r) => r.slice());
    const a = net.predict(rows);
    const b = net.predict(X);
    expect(a.flat()).toEqual(Array.from(b));
    expect(X).toEqual(keepX);
    expect(rows).toEqual(keepRows);
    const scaled = X.map((v, i) => (v - [1, 0, 0, 0, 0, -1][i % INPUTS]) / [2, 1, 1, 1, 1, 0.5][i % INPUTS]);
    const plain = network(engine.name);
    expect(Array.from(plain.predict(new Float32Array(scaled)))).toEqual(Array.from(b));
  });

  it('writes rows into one scratch array reused call after call, and no larger than SCRATCH_MAX', () => {
    const net = network(engine.name);
    const arrays = (net as unknown as { runtime: { callArrays: Allocator } }).runtime.callArrays;
    const a = arrays.allocateFloat32(600);
    const b = arrays.allocateFloat32(300);
    expect(b.buffer).toBe(a.buffer); // no allocation for the second
    const big = arrays.allocateFloat32(SCRATCH_MAX + 1);
    expect(big.buffer).not.toBe(a.buffer);
    expect(arrays.allocateFloat32(600).buffer).toBe(a.buffer); // the large one is not kept
  });
});
