// Property-based bad input (fast-check), on every engine: random shapes, wrong types, NaN and
// Infinity, empty and huge sizes, mismatched X / y, detached and shared buffers, inputs mutated
// while an async fit runs; then the engine boundary (gemm, trainers) with hostile arguments.
// Each call returns the right result or throws a TypeError / RangeError naming the argument, and
// a failed call leaves the network (parameters, steps) as it was. FASTMLP_PROPERTY_RUNS scales
// the run counts (default: about 6,000 cases in all).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ELEMENTS, RANGES } from '../lib/engine/contract.js';
import type { Engine, LayerPlan, LossName, OptimizerPlan } from '../lib/engine/engine.js';
import { paramLayout, stateSize } from '../lib/engine/layout.js';
import { Network } from '../lib/index.js';
import { engineNames } from './helpers/engine-names.js';
import { engines } from './helpers/engines.js';
import { referenceForward, referenceGemm, referenceTrain } from './helpers/reference.js';

const SCALE = Number(process.env.FASTMLP_PROPERTY_RUNS ?? 1) || 1;
/** Runs of one property: `base` in CI, times FASTMLP_PROPERTY_RUNS (e.g. 10) on demand. */
const runs = (base: number) => ({ numRuns: Math.max(1, Math.round(base * SCALE)) });

// --- hostile values ---------------------------------------------------------------------------

function detachedF32(n: number): Float32Array {
  const a = new Float32Array(n);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

function sharedF32(values: ArrayLike<number>): Float32Array {
  const a = new Float32Array(new SharedArrayBuffer(values.length * 4));
  a.set(values);
  return a;
}

/** An error thrown for a bad argument: the right class and the argument named the usual way. */
function expectNamedError(run: () => unknown, name: string, kinds: ErrorConstructor[]): void {
  let caught: unknown = null;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected an error naming ${name}`).toBeInstanceOf(Error);
  const error = caught as Error;
  expect(
    kinds.some((k) => error.constructor === k),
    `${error.constructor.name}: ${error.message}`,
  ).toBe(true);
  expect(error.message).toContain(`for ${name} but received`);
}

// --- networks and data -------------------------------------------------------------------------

type Head = 'bce' | 'softmax' | 'mse';
interface NetSpec {
  inputs: number;
  hidden: number;
  outputs: number;
  head: Head;
  seed: number;
}

const netSpec: fc.Arbitrary<NetSpec> = fc
  .record({
    inputs: fc.integer({ min: 1, max: 4 }),
    hidden: fc.integer({ min: 0, max: 6 }),
    head: fc.constantFrom<Head>('bce', 'softmax', 'mse'),
    outputs: fc.integer({ min: 2, max: 4 }),
    seed: fc.nat(1000),
  })
  .map((s) => ({ ...s, outputs: s.head === 'bce' ? 1 : s.head === 'mse' ? s.outputs - 1 : s.outputs }));

function build(s: NetSpec, engine: string): Network {
  const head = {
    units: s.outputs,
    activation: s.head === 'bce' ? 'sigmoid' : s.head === 'softmax' ? 'softmax' : 'linear',
  };
  const layers = s.hidden > 0 ? [{ units: s.hidden, activation: 'tanh' }, head] : [head];
  return new Network({
    inputs: s.inputs,
    layers: layers as never,
    optimizer: { name: 'sgd', learningRate: 0.01 },
    seed: s.seed,
    engine: engine as 'ts' | 'native',
  });
}

function planOf(net: Network): LayerPlan[] {
  return net.layers.map((l) => ({ ...l, activation: l.activation as LayerPlan['activation'] }));
}

const value = fc.double({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true });
const nonFinite = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);
const notANumber = fc.constantFrom<unknown>('1', null, undefined, {}, [], true, 1n);
const notAnArray = fc.constantFrom<unknown>(
  'abc',
  42,
  null,
  undefined,
  { length: 2, 0: [1, 2] },
  new Float64Array(4),
  new Int32Array(4),
  new Map(),
);

/** Valid labels for the head: 0/1 (bce), class indices (softmax), target rows (mse). */
function labels(s: NetSpec, rows: number): fc.Arbitrary<number[] | number[][]> {
  if (s.head === 'bce') return fc.array(fc.constantFrom(0, 1), { minLength: rows, maxLength: rows });
  if (s.head === 'softmax')
    return fc.array(fc.integer({ min: 0, max: s.outputs - 1 }), { minLength: rows, maxLength: rows });
  return fc.array(fc.array(value, { minLength: s.outputs, maxLength: s.outputs }), {
    minLength: rows,
    maxLength: rows,
  });
}

interface Case<T> {
  value: T;
  /** null: valid. Else the argument the error must name and the classes allowed. */
  bad: { name: string; kinds: ErrorConstructor[] } | null;
  what: string;
}

const ok = <T>(v: T, what = 'valid'): Case<T> => ({ value: v, bad: null, what });
const bad = <T>(v: unknown, name: string, kinds: ErrorConstructor[], what: string): Case<T> => ({
  value: v as T,
  bad: { name, kinds },
  what,
});

/** X as rows or Float32Array (plain or shared), or corrupted in one of many ways. */
function featuresCase(rows: number, cols: number, name = 'X'): fc.Arbitrary<Case<unknown>> {
  const grid = fc.array(fc.array(value, { minLength: cols, maxLength: cols }), {
    minLength: rows,
    maxLength: rows,
  });
  const at = fc.record({ r: fc.nat(rows - 1), c: fc.nat(cols - 1) });
  return fc.oneof(
    { weight: 4, arbitrary: grid.map((g) => ok(g, 'rows')) },
    { weight: 2, arbitrary: grid.map((g) => ok(Float32Array.from(g.flat()), 'Float32Array')) },
    { weight: 1, arbitrary: grid.map((g) => ok(sharedF32(g.flat()), 'SharedArrayBuffer')) },
    {
      weight: 1,
      arbitrary: grid.map((g) =>
        ok(
          g.map((row) => Float64Array.from(row)),
          'Float64Array rows',
        ),
      ),
    },
    { weight: 2, arbitrary: notAnArray.map((v) => bad(v, name, [TypeError], 'not an array')) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        bad([], name, [RangeError], 'empty'),
        bad(new Float32Array(0), name, [RangeError], 'empty Float32Array'),
        bad(detachedF32(rows * cols), name, [RangeError], 'detached'),
        bad(Object.assign([], { length: MAX_ELEMENTS + 1 }), name, [RangeError], 'huge'),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(grid, fc.nat(rows - 1), fc.integer({ min: 0, max: cols + 3 })).map(([g, r, n]) => {
        if (n === cols) return ok(g);
        g[r] = Array.from({ length: n }, () => 0.5);
        return bad(g, `${name}[${r}]`, [RangeError], 'row length');
      }),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          grid,
          fc.nat(rows - 1),
          notAnArray.filter((v) => !(v instanceof Float64Array)),
        )
        .map(([g, r, v]) => {
          (g as unknown[])[r] = v;
          return bad(g, `${name}[${r}]`, [TypeError], 'row not an array');
        }),
    },
    {
      weight: 3,
      arbitrary: fc.tuple(grid, at, fc.oneof(nonFinite, notANumber)).map(([g, { r, c }, v]) => {
        (g[r] as unknown[])[c] = v;
        const kinds = typeof v === 'number' ? [RangeError] : [TypeError];
        return bad(g, `${name}[${r}][${c}]`, kinds, `value ${String(v)}`);
      }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(grid, at, nonFinite).map(([g, { r, c }, v]) => {
        const flat = Float32Array.from(g.flat());
        flat[r * cols + c] = v;
        return bad(flat, `${name}[${r}][${c}]`, [RangeError], `Float32Array ${v}`);
      }),
    },
    {
      weight: cols > 1 ? 1 : 0,
      arbitrary: grid.map((g) => bad(Float32Array.from(g.flat()).subarray(1), name, [RangeError], 'ragged')),
    },
  );
}

/** y for fit / evaluate, valid or corrupted (wrong length, type, value, class). */
function targetsCase(s: NetSpec, rows: number): fc.Arbitrary<Case<unknown>> {
  const good = labels(s, rows);
  const cases: fc.WeightedArbitrary<Case<unknown>>[] = [
    { weight: 5, arbitrary: good.map((y) => ok(y)) },
    { weight: 1, arbitrary: good.map((y) => ok(Float32Array.from(y.flat()), 'Float32Array')) },
    { weight: 1, arbitrary: good.map((y) => ok(sharedF32(y.flat()), 'SharedArrayBuffer')) },
    {
      weight: 2,
      arbitrary: fc
        .integer({ min: 0, max: rows + 3 })
        .filter((n) => n !== rows)
        .chain((n) => labels(s, n))
        .map((y) => bad(y, 'y', [RangeError], 'length mismatch')),
    },
    {
      weight: 2,
      arbitrary: notAnArray.map((v) => bad(v, 'y', [TypeError], 'not an array')),
    },
    { weight: 1, arbitrary: fc.constant(bad(detachedF32(rows), 'y', [RangeError], 'detached')) },
    {
      weight: 3,
      arbitrary: fc.tuple(good, fc.nat(rows - 1), fc.oneof(nonFinite, notANumber)).map(([y, r, v]) => {
        const kinds = typeof v === 'number' ? [RangeError] : [TypeError];
        if (Array.isArray(y[r])) {
          (y[r] as unknown[])[0] = v;
          return bad(y, `y[${r}][0]`, kinds, `target ${String(v)}`);
        }
        (y as unknown[])[r] = v;
        // an array where a label goes is read as a target row, of the wrong length here
        if (Array.isArray(v)) return bad(y, `y[${r}]`, [RangeError], 'empty row for a label');
        return bad(y, `y[${r}]`, kinds, `label ${String(v)}`);
      }),
    },
  ];
  if (s.head !== 'mse') {
    const wrong = s.head === 'bce' ? fc.constantFrom(-1, 2, 1.5) : fc.constantFrom(-1, s.outputs, 0.5, 1e9);
    cases.push({
      weight: 2,
      arbitrary: fc.tuple(good, fc.nat(rows - 1), wrong).map(([y, r, v]) => {
        (y as number[])[r] = v;
        return bad(y, `y[${r}]`, [RangeError], `label ${v}`);
      }),
    });
  }
  return fc.oneof(...cases);
}

/** fit options: valid ones, or one bad option. */
function optionsCase(rows: number): fc.Arbitrary<Case<Record<string, unknown>>> {
  const valid = fc.record({
    epochs: fc.integer({ min: 1, max: 3 }),
    batchSize: fc.oneof(fc.integer({ min: 1, max: rows + 2 }), fc.constant('full' as const)),
    shuffle: fc.boolean(),
  });
  // [option, value, class, the name the message uses when not the option's]
  const badOne = fc.constantFrom<[string, unknown, ErrorConstructor[], string?]>(
    ['epochs', 0, [RangeError]],
    ['epochs', 1.5, [RangeError]],
    ['epochs', Number.NaN, [RangeError]],
    ['epochs', Number.POSITIVE_INFINITY, [RangeError]],
    ['epochs', 2e9, [RangeError]],
    ['epochs', '3', [TypeError]],
    ['batchSize', 0, [RangeError]],
    ['batchSize', -4, [RangeError]],
    ['batchSize', Number.NaN, [RangeError]],
    ['batchSize', 'all', [TypeError]],
    ['batchSize', null, [TypeError]],
    ['shuffle', 1, [TypeError]],
    ['validationSplit', 1, [RangeError]],
    ['validationSplit', Number.NaN, [RangeError]],
    ['onEpochEnd', 'log', [TypeError]],
    ['signal', {}, [TypeError]],
    ['logEvery', -1, [RangeError]],
    // each at the contract's bound (lib/engine/contract.ts RANGES), one past it
    ['epochs', RANGES.epochs.max + 1, [RangeError]],
    ['batchSize', RANGES.batchSize.max + 1, [RangeError]],
    ['validationSplit', '0.2', [TypeError]],
    ['validationSplit', 0, [RangeError]],
    ['logEvery', RANGES.logEvery.max + 1, [RangeError]],
    ['logEvery', '2', [TypeError]],
    ['earlyStopping', { patience: 0 }, [RangeError], 'earlyStopping.patience'],
    ['earlyStopping', { patience: 2.5 }, [RangeError], 'earlyStopping.patience'],
    ['earlyStopping', { patience: '3' }, [TypeError], 'earlyStopping.patience'],
    ['earlyStopping', { minDelta: -0.1 }, [RangeError], 'earlyStopping.minDelta'],
    ['earlyStopping', { minDelta: Number.POSITIVE_INFINITY }, [RangeError], 'earlyStopping.minDelta'],
    ['earlyStopping', { minDelta: null }, [TypeError], 'earlyStopping.minDelta'],
  );
  return fc.oneof(
    { weight: 3, arbitrary: valid.map((o) => ok(o as Record<string, unknown>)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(valid, badOne)
        .map(([o, [key, v, kinds, name]]) =>
          bad<Record<string, unknown>>({ ...o, [key]: v }, name ?? key, kinds, key),
        ),
    },
  );
}

function snapshot(net: Network) {
  return { params: net.getParameters(), steps: net.steps };
}

function expectUnchanged(net: Network, before: ReturnType<typeof snapshot>): void {
  expect(net.getParameters()).toEqual(before.params);
  expect(net.steps).toBe(before.steps);
  expect(net.training).toBe(false);
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    if (!(diff <= tol * (1 + Math.abs(expected[i])))) {
      expect.fail(`element ${i}: ${actual[i]} vs ${expected[i]}`);
    }
  }
}

/** Valid X (rows, or a Float32Array) as a fresh row-major Float32Array. */
function flatten(X: unknown): Float32Array {
  if (X instanceof Float32Array) return X.slice();
  return Float32Array.from((X as ArrayLike<number>[]).flatMap((r) => Array.from(r)));
}

const dims = fc.integer({ min: 1, max: 12 });

// --- the public API ------------------------------------------------------------------------------

describe.each(engineNames)('public API under hostile input on the %s engine', (engine) => {
  it('predict: the right outputs for any valid X, a named error and no change for any bad X', () => {
    const arb = fc
      .tuple(netSpec, dims)
      .chain(([s, rows]) => fc.tuple(fc.constant(s), featuresCase(rows, s.inputs)));
    fc.assert(
      fc.property(arb, ([s, x]) => {
        const net = build(s, engine);
        const before = snapshot(net);
        if (x.bad) {
          expectNamedError(() => net.predict(x.value as number[][]), x.bad.name, x.bad.kinds);
          // a regression network has no classes: refused whatever X is (test/33)
          if (s.head !== 'mse') {
            expectNamedError(() => net.predictClasses(x.value as number[][]), x.bad.name, x.bad.kinds);
          }
          expectUnchanged(net, before);
          return;
        }
        const out: number[][] | Float32Array = net.predict(x.value as number[][] | Float32Array);
        const flat = x.value instanceof Float32Array ? (out as Float32Array) : (out as number[][]).flat();
        expect(x.value instanceof Float32Array ? out instanceof Float32Array : Array.isArray(out)).toBe(true);
        const X = flatten(x.value);
        const rows = X.length / s.inputs;
        const reference = referenceForward(planOf(net), net.getParameters(), X, rows).A.at(-1)!;
        close(flat, reference);
        expectUnchanged(net, before);
      }),
      runs(600),
    );
  });

  it('evaluate: a finite loss and an accuracy (or mae) in range, or the bad argument named', () => {
    const arb = fc
      .tuple(netSpec, dims)
      .chain(([s, rows]) => fc.tuple(fc.constant(s), featuresCase(rows, s.inputs), targetsCase(s, rows)));
    fc.assert(
      fc.property(arb, ([s, x, y]) => {
        const net = build(s, engine);
        const before = snapshot(net);
        const call = () => net.evaluate(x.value as number[][], y.value as number[]);
        if (x.bad) expectNamedError(call, x.bad.name, x.bad.kinds);
        else if (y.bad) expectNamedError(call, y.bad.name, y.bad.kinds);
        else {
          const e = call();
          expect(Number.isFinite(e.loss)).toBe(true);
          if (e.task === 'regression') {
            expect(e.mae).toBeGreaterThanOrEqual(0);
            expect(Number.isFinite(e.rmse)).toBe(true);
          } else {
            expect(e.accuracy).toBeGreaterThanOrEqual(0);
            expect(e.accuracy).toBeLessThanOrEqual(1);
          }
        }
        expectUnchanged(net, before);
      }),
      runs(500),
    );
  });

  it('fitSync: trains the expected number of steps, or names the bad argument and changes nothing', () => {
    const arb = fc
      .tuple(netSpec, dims)
      .chain(([s, rows]) =>
        fc.tuple(fc.constant(s), featuresCase(rows, s.inputs), targetsCase(s, rows), optionsCase(rows)),
      );
    fc.assert(
      fc.property(arb, ([s, x, y, o]) => {
        const net = build(s, engine);
        const before = snapshot(net);
        const call = () => net.fitSync(x.value as number[][], y.value as number[], o.value);
        const firstBad = x.bad ?? y.bad ?? o.bad;
        if (firstBad) {
          // options are checked first, then X, then y
          const expected = o.bad ?? x.bad ?? y.bad!;
          expectNamedError(call, expected.name, expected.kinds);
          expectUnchanged(net, before);
          expect(net.predict(new Float32Array(s.inputs)).every(Number.isFinite)).toBe(true);
          return;
        }
        const history = call();
        const rows =
          (x.value as { length: number }).length / (x.value instanceof Float32Array ? s.inputs : 1);
        const epochs = o.value.epochs as number;
        const batch = o.value.batchSize === 'full' ? rows : Math.min(o.value.batchSize as number, rows);
        expect(history.epochs).toBe(epochs);
        expect(net.steps).toBe(epochs * Math.ceil(rows / batch));
        expect(net.getParameters().every(Number.isFinite)).toBe(true);
        // the same data as nested rows and as a Float32Array trains bit-identically
        const twin = build(s, engine);
        twin.fitSync(flatten(x.value), y.value as number[], o.value);
        expect(twin.getParameters()).toEqual(net.getParameters());
      }),
      runs(500),
    );
  });

  it('async fit rejects bad input the same way and leaves the network idle and unchanged', async () => {
    const arb = fc
      .tuple(netSpec, dims)
      .chain(([s, rows]) => fc.tuple(fc.constant(s), featuresCase(rows, s.inputs), targetsCase(s, rows)))
      .filter(([, x, y]) => x.bad !== null || y.bad !== null);
    await fc.assert(
      fc.asyncProperty(arb, async ([s, x, y]) => {
        const net = build(s, engine);
        const before = snapshot(net);
        const expected = x.bad ?? y.bad!;
        const error = await net.fit(x.value as number[][], y.value as number[]).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(Error);
        expect(expected.kinds.some((k) => (error as Error).constructor === k)).toBe(true);
        expect((error as Error).message).toContain(`for ${expected.name} but received`);
        expectUnchanged(net, before);
      }),
      runs(200),
    );
  });

  it('inputs mutated or detached while an async fit runs do not change its result', async () => {
    const arb = fc.record({
      rows: fc.integer({ min: 2, max: 40 }),
      epochs: fc.integer({ min: 2, max: 6 }),
      batchSize: fc.integer({ min: 1, max: 16 }),
      seed: fc.nat(1000),
      garbage: fc.constantFrom(Number.NaN, 1e30, -7, 0),
      when: fc.constantFrom('sync', 'callback', 'timer', 'transfer'),
    });
    await fc.assert(
      fc.asyncProperty(arb, async (p) => {
        const make = () =>
          new Network({
            inputs: 3,
            layers: [
              { units: 6, activation: 'tanh' },
              { units: 2, activation: 'softmax' },
            ],
            optimizer: { name: 'adam', learningRate: 0.01 },
            seed: p.seed,
            engine,
          });
        const X = Float32Array.from({ length: p.rows * 3 }, (_, i) => Math.sin(i * 0.37 + p.seed));
        const y = Array.from({ length: p.rows }, (_, i) => (i * 7 + p.seed) % 2);
        const yRows = y.map((c) => (c === 0 ? [1, 0] : [0, 1]));
        const options = {
          epochs: p.epochs,
          batchSize: p.batchSize,
          validationData: [X.slice(), y] as [Float32Array, number[]],
        };
        const alone = make();
        alone.fitSync(X.slice(), y, options);

        const net = make();
        const mutX = X.slice();
        const mutRows = yRows.map((r) => r.slice());
        const vX = X.slice();
        const vy = y.slice();
        const spoil = () => {
          if (mutX.buffer.byteLength > 0) mutX.fill(p.garbage);
          for (const row of mutRows) row.fill(p.garbage);
          vX.fill(p.garbage);
          vy.fill(p.garbage);
        };
        let timer: NodeJS.Timeout | null = null;
        const running = net.fit(mutX, mutRows, {
          ...options,
          validationData: [vX, vy],
          onEpochEnd: p.when === 'callback' ? spoil : undefined,
        });
        if (p.when === 'sync') spoil();
        if (p.when === 'timer') timer = setInterval(spoil, 0);
        if (p.when === 'transfer') {
          structuredClone(mutX.buffer, { transfer: [mutX.buffer] });
          spoil();
        }
        const history = await running;
        if (timer) clearInterval(timer);
        expect(history.epochs).toBe(p.epochs);
        expect(net.getParameters()).toEqual(alone.getParameters());
        expect(net.steps).toBe(alone.steps);
      }),
      runs(60),
    );
  });
});

// --- the engine boundary ----------------------------------------------------------------------

const size = fc.integer({ min: 0, max: 6 });
const hostileSize = fc.constantFrom<unknown>(
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 40,
  2 ** 53,
  '2',
  null,
);
const hostileArray = (n: number) =>
  fc.constantFrom<unknown>(
    new Float64Array(n),
    new Int32Array(n),
    new Uint32Array(n),
    Array.from({ length: n }, () => 0),
    { length: n },
    'abcdef',
    null,
    undefined,
    new DataView(new ArrayBuffer(4 * n)),
  );

/** A Float32Array argument of at least `n` elements, or a hostile stand-in. */
function arrayArg(n: number): fc.Arbitrary<{ v: unknown; ok: boolean; kind: 'type' | 'length' | null }> {
  const values = fc.array(fc.float({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n });
  return fc.oneof(
    { weight: 6, arbitrary: values.map((a) => ({ v: Float32Array.from(a), ok: true, kind: null })) },
    {
      weight: 1,
      arbitrary: fc.tuple(values, fc.integer({ min: 1, max: 3 })).map(([a, extra]) => ({
        v: Float32Array.from([...a, ...Array.from({ length: extra }, () => 9)]),
        ok: true,
        kind: null,
      })),
    },
    { weight: 1, arbitrary: values.map((a) => ({ v: sharedF32(a), ok: true, kind: null })) },
    { weight: 1, arbitrary: hostileArray(n).map((v) => ({ v, ok: false, kind: 'type' as const })) },
    {
      weight: n > 0 ? 1 : 0,
      arbitrary: fc.constant({ v: new Float32Array(Math.max(0, n - 1)), ok: false, kind: 'length' as const }),
    },
    {
      weight: n > 0 ? 1 : 0,
      arbitrary: fc.constant({ v: detachedF32(n), ok: false, kind: 'type' as const }),
    },
  );
}

type ErrorClass = typeof TypeError | typeof RangeError;

/** The class a hostile scalar earns: a number (NaN, out of range, fractional) a RangeError, else a TypeError. */
const scalarKind = (v: unknown): ErrorClass => (typeof v === 'number' ? RangeError : TypeError);
/** The class a hostile array argument earns: the wrong kind (or detached) a TypeError, too short a RangeError. */
const arrayKind = (a: { kind: 'type' | 'length' | null }): ErrorClass =>
  a.kind === 'length' ? RangeError : TypeError;

/** When exactly one argument is bad, the class its error must have; with several, the first checked wins. */
function onlyBad(bad: (ErrorClass | null)[]): ErrorClass | null {
  const found = bad.filter((k) => k !== null);
  return found.length === 1 ? found[0] : null;
}

describe.each(engines)('engine boundary under hostile arguments on the $name engine', (engine: Engine) => {
  // Both engines re-check every argument and never trust the layer above (the TS engine's
  // lib/engine/ts/checks.ts mirrors the addon's guards.cpp): a bad argument is always rejected,
  // named in the message, with the state untouched. Where exactly one argument is bad, the error's
  // class is asserted exactly; with several, the first one checked decides it.

  it('gemm: the reference product, or a named error with C untouched', () => {
    const arb = fc
      .record({
        transA: fc.oneof(
          { weight: 9, arbitrary: fc.boolean() },
          { weight: 1, arbitrary: fc.constantFrom<unknown>(1, 'true', null) },
        ),
        transB: fc.boolean(),
        m: fc.oneof({ weight: 9, arbitrary: size }, { weight: 1, arbitrary: hostileSize }),
        n: fc.oneof({ weight: 9, arbitrary: size }, { weight: 1, arbitrary: hostileSize }),
        k: fc.oneof({ weight: 9, arbitrary: size }, { weight: 1, arbitrary: hostileSize }),
        alpha: fc.oneof(
          { weight: 9, arbitrary: fc.double({ min: -2, max: 2, noNaN: true }) },
          { weight: 1, arbitrary: fc.constantFrom<unknown>(Number.NaN, Number.NEGATIVE_INFINITY, '1', null) },
        ),
        beta: fc.oneof(
          { weight: 9, arbitrary: fc.constantFrom(0, 1, -0.5) },
          { weight: 1, arbitrary: fc.constantFrom<unknown>(Number.NaN, Number.POSITIVE_INFINITY, undefined) },
        ),
      })
      .chain((d) => {
        const n = (v: unknown) =>
          typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= 6 ? v : 2;
        return fc.tuple(
          fc.constant(d),
          arrayArg(n(d.m) * n(d.k)),
          arrayArg(n(d.k) * n(d.n)),
          arrayArg(n(d.m) * n(d.n)),
        );
      });
    fc.assert(
      fc.property(arb, ([d, A, B, C]) => {
        const goodSize = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 6;
        const valid =
          typeof d.transA === 'boolean' &&
          goodSize(d.m) &&
          goodSize(d.n) &&
          goodSize(d.k) &&
          Number.isFinite(d.alpha) &&
          Number.isFinite(d.beta) &&
          A.ok &&
          B.ok &&
          C.ok;
        const before = C.v instanceof Float32Array && C.v.buffer.byteLength > 0 ? C.v.slice() : null;
        const call = () =>
          (engine.gemm as (...a: unknown[]) => void)(
            d.transA,
            d.transB,
            d.m,
            d.n,
            d.k,
            d.alpha,
            A.v,
            B.v,
            d.beta,
            C.v,
          );
        if (valid) {
          const [m, n, k] = [d.m, d.n, d.k] as number[];
          const expected = referenceGemm(
            d.transA as boolean,
            d.transB,
            m,
            n,
            k,
            d.alpha as number,
            A.v as Float32Array,
            B.v as Float32Array,
            d.beta as number,
            C.v as Float32Array,
          );
          call();
          close((C.v as Float32Array).subarray(0, m * n), expected, 1e-5);
          if (before) expect((C.v as Float32Array).subarray(m * n)).toEqual(before.subarray(m * n));
          return;
        }
        let error: unknown = null;
        try {
          call();
        } catch (e) {
          error = e;
        }
        expect(error, 'gemm must reject').toBeInstanceOf(Error);
        expect([TypeError, RangeError]).toContain((error as Error).constructor);
        {
          const size = (v: unknown) => (goodSize(v) ? null : scalarKind(v));
          const only = onlyBad([
            typeof d.transA === 'boolean' ? null : TypeError,
            size(d.m),
            size(d.n),
            size(d.k),
            Number.isFinite(d.alpha) ? null : scalarKind(d.alpha),
            Number.isFinite(d.beta) ? null : scalarKind(d.beta),
            A.ok ? null : arrayKind(A),
            B.ok ? null : arrayKind(B),
            C.ok ? null : arrayKind(C),
          ]);
          if (only) expect((error as Error).constructor, (error as Error).message).toBe(only);
          expect((error as Error).message).toMatch(
            /^Expected .* for (transA|m|n|k|alpha|A|B|beta|C) but received/,
          );
          if (before) expect(C.v).toEqual(before);
        }
      }),
      runs(1500),
    );
  });

  it('trainers: the float64 reference step, or a named error with params and state untouched', () => {
    const opt: OptimizerPlan = {
      kind: 'momentum',
      learningRate: 0.05,
      momentum: 0.9,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0,
      rho: 0.99,
      clipNorm: 0,
      clipValue: 0,
    };
    const layers: LayerPlan[] = [
      { inputs: 3, units: 4, activation: 'tanh', useBias: true },
      { inputs: 4, units: 2, activation: 'sigmoid', useBias: true },
    ];
    const loss: LossName = 'mse';
    const P = paramLayout(layers).size;
    const plan = { layers, loss, optimizer: opt, batchSize: 4, threads: 1 };
    const arb = fc
      .record({
        rows: fc.oneof(
          { weight: 9, arbitrary: fc.integer({ min: 1, max: 6 }) },
          { weight: 1, arbitrary: fc.constantFrom<unknown>(0, 2 ** 31, -1, 2.5, Number.NaN, '3') },
        ),
        epochs: fc.oneof(
          { weight: 9, arbitrary: fc.integer({ min: 0, max: 2 }) },
          { weight: 1, arbitrary: hostileSize },
        ),
        batchSize: fc.oneof(
          { weight: 9, arbitrary: fc.integer({ min: 1, max: 4 }) },
          { weight: 1, arbitrary: fc.constantFrom<unknown>(0, 5, 1.5, Number.NaN, 'full') },
        ),
        step: fc.oneof(
          { weight: 9, arbitrary: fc.integer({ min: 0, max: 5 }) },
          { weight: 1, arbitrary: fc.constantFrom<unknown>(-1, 0.5, Number.NaN, 2 ** 60) },
        ),
        ordered: fc.boolean(),
        seed: fc.nat(),
      })
      .chain((d) => {
        const rows =
          typeof d.rows === 'number' && Number.isInteger(d.rows) && d.rows >= 1 && d.rows <= 6 ? d.rows : 2;
        const epochs =
          typeof d.epochs === 'number' && Number.isInteger(d.epochs) && d.epochs >= 0 && d.epochs <= 6
            ? d.epochs
            : 1;
        const order = fc.oneof(
          {
            weight: 6,
            arbitrary: fc
              .array(fc.nat(rows - 1), { minLength: epochs * rows, maxLength: epochs * rows })
              .map((a) => ({ v: Uint32Array.from(a) as unknown, ok: true })),
          },
          {
            weight: 1,
            arbitrary: fc.constant({
              v: Uint32Array.from({ length: epochs * rows }, () => rows) as unknown,
              ok: epochs === 0,
            }),
          },
          {
            weight: 1,
            arbitrary: fc
              .constantFrom<unknown>(new Int32Array(epochs * rows), new Float32Array(epochs * rows), [0])
              .map((v) => ({ v, ok: false })),
          },
        );
        const losses = fc.oneof(
          { weight: 6, arbitrary: fc.constant({ v: new Float64Array(epochs) as unknown, ok: true }) },
          {
            weight: 1,
            arbitrary: fc
              .constantFrom<unknown>(new Float32Array(epochs), [0, 0], null)
              .map((v) => ({ v, ok: false })),
          },
        );
        return fc.tuple(fc.constant(d), arrayArg(rows * 3), arrayArg(rows * 2), order, losses);
      });
    fc.assert(
      fc.property(arb, ([d, X, Y, order, losses]) => {
        const params = Float32Array.from({ length: P }, (_, i) => Math.sin(i + d.seed) * 0.5);
        const state = new Float32Array(stateSize(opt.kind, P));
        const trainer = engine.createTrainer(plan, params, state);
        const before = params.slice();
        const rowsOk = typeof d.rows === 'number' && Number.isInteger(d.rows) && d.rows >= 1 && d.rows <= 6;
        const epochsOk =
          typeof d.epochs === 'number' && Number.isInteger(d.epochs) && d.epochs >= 0 && d.epochs <= 6;
        const batchOk =
          typeof d.batchSize === 'number' &&
          Number.isInteger(d.batchSize) &&
          d.batchSize >= 1 &&
          d.batchSize <= 4;
        const stepOk = typeof d.step === 'number' && Number.isSafeInteger(d.step) && d.step >= 0;
        const orderValue = d.ordered ? order.v : null;
        const orderOk = !d.ordered || order.ok;
        const valid = rowsOk && epochsOk && batchOk && stepOk && orderOk && X.ok && Y.ok && losses.ok;
        const chunk = {
          X: X.v,
          Y: Y.v,
          rows: d.rows,
          order: orderValue,
          epochs: d.epochs,
          batchSize: d.batchSize,
          step: d.step,
          losses: losses.v,
          metric: null, // no per-epoch training metric (an optional field of newer TrainChunks)
        } as never;
        try {
          if (valid) {
            const rows = d.rows as number;
            const refParams = Float64Array.from(params);
            const refState = new Float64Array(state.length);
            const expected = referenceTrain(
              {
                layers,
                loss,
                optimizer: opt,
                X: X.v as Float32Array,
                Y: Y.v as Float32Array,
                rows,
                order: orderValue as Uint32Array | null,
                epochs: d.epochs as number,
                batchSize: d.batchSize as number,
                step: d.step as number,
              },
              refParams,
              refState,
            );
            const step = trainer.trainEpochs(chunk);
            expect(step).toBe(
              (d.step as number) + (d.epochs as number) * Math.ceil(rows / (d.batchSize as number)),
            );
            close((losses.v as Float64Array).subarray(0, d.epochs as number), expected, 1e-4);
            close(params, refParams, 1e-4);
            const out = new Float32Array(rows * 2);
            trainer.predict(X.v as Float32Array, rows, out);
            close(out, referenceForward(layers, params, X.v as Float32Array, rows).A[1], 1e-4);
            return;
          }
          let error: unknown = null;
          try {
            trainer.trainEpochs(chunk);
          } catch (e) {
            error = e;
          }
          {
            expect(error, 'a bad argument must be rejected').toBeInstanceOf(Error);
            expect((error as Error).message).toMatch(
              /for (X|Y|rows|order|epochs|batchSize|step|losses) but received/,
            );
            const only = onlyBad([
              rowsOk ? null : scalarKind(d.rows),
              epochsOk ? null : scalarKind(d.epochs),
              batchOk ? null : scalarKind(d.batchSize),
              stepOk ? null : scalarKind(d.step),
              orderOk ? null : order.v instanceof Uint32Array ? RangeError : TypeError,
              X.ok ? null : arrayKind(X),
              Y.ok ? null : arrayKind(Y),
              losses.ok ? null : TypeError,
            ]);
            if (only) expect((error as Error).constructor, (error as Error).message).toBe(only);
          }
          {
            expect([TypeError, RangeError]).toContain((error as Error).constructor);
            expect(params).toEqual(before);
            expect(state.every((v) => v === 0)).toBe(true);
            // the trainer is still usable after a rejected call
            const out = new Float32Array(2);
            trainer.predict(new Float32Array(3), 1, out);
            expect(out.every(Number.isFinite)).toBe(true);
          }
        } finally {
          trainer.dispose();
        }
      }),
      runs(1000),
    );
  });

  it('trainers reject hostile predict / evaluate arguments by name', () => {
    const layers: LayerPlan[] = [{ inputs: 2, units: 3, activation: 'softmax', useBias: true }];
    const opt: OptimizerPlan = {
      kind: 'sgd',
      learningRate: 0.1,
      momentum: 0,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0,
      rho: 0.99,
      clipNorm: 0,
      clipValue: 0,
    };
    const trainer = engine.createTrainer(
      { layers, loss: 'cross-entropy', optimizer: opt, batchSize: 4, threads: 1 },
      new Float32Array(9).fill(0.1),
      new Float32Array(0),
    );
    const arb = fc
      .record({
        rows: fc.oneof(
          { weight: 4, arbitrary: fc.integer({ min: 1, max: 9 }) },
          { weight: 1, arbitrary: hostileSize },
        ),
      })
      .chain((d) => {
        const rows =
          typeof d.rows === 'number' && Number.isInteger(d.rows) && d.rows >= 1 && d.rows <= 9 ? d.rows : 2;
        return fc.tuple(fc.constant(d), arrayArg(rows * 2), arrayArg(rows * 3), arrayArg(rows * 3));
      });
    fc.assert(
      fc.property(arb, ([d, X, Y, out]) => {
        const rowsOk = typeof d.rows === 'number' && Number.isInteger(d.rows) && d.rows >= 1 && d.rows <= 9;
        const validPredict = rowsOk && X.ok && out.ok;
        const validEvaluate = validPredict && Y.ok;
        const predict = () => (trainer.predict as (...a: unknown[]) => void)(X.v, d.rows, out.v);
        const evaluate = () => (trainer.evaluate as (...a: unknown[]) => number)(X.v, Y.v, d.rows, out.v);
        for (const [valid, call] of [
          [validPredict, predict],
          [validEvaluate, evaluate],
        ] as const) {
          let error: unknown = null;
          try {
            call();
          } catch (e) {
            error = e;
          }
          if (valid) expect(error).toBeNull();
          else {
            expect([TypeError, RangeError]).toContain((error as Error)?.constructor);
            const only = onlyBad([
              rowsOk ? null : scalarKind(d.rows),
              X.ok ? null : arrayKind(X),
              call === evaluate && !Y.ok ? arrayKind(Y) : null,
              out.ok ? null : arrayKind(out),
            ]);
            if (only) expect((error as Error).constructor, (error as Error).message).toBe(only);
            expect((error as Error).message).toMatch(/for (X|Y|rows|out) but received/);
          }
        }
      }),
      runs(600),
    );
    trainer.dispose();
  });
});
