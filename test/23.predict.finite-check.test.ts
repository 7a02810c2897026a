// predict's finiteness check inside the inference model (InferenceModel.predictChecked): each
// block's rows of X are checked just before its first layer reads them, on each thread its own
// rows (the native model splits a block's rows over its threads), instead of in a pass over all of
// X first. The index reported is X's first non-finite value wherever the bad values sit (first,
// later and last blocks, either thread's rows, several bad values), as a plain search finds it;
// a finite X gets predict's bits; Network.predict names the value as before and keeps its state.
import { describe, expect, it } from 'vitest';
import type { Engine, ModelPlan } from '../lib/engine/engine.js';
import { inferenceBlockRows } from '../lib/engine/ts/model.js';
import { Network } from '../lib/index.js';
import { engineNames } from './helpers/engine-names.js';
import { engines } from './helpers/engines.js';

// 64-256-10: blocks of 502 rows (2 x 256 + 10 floats a row within the workspace floor), each
// worth splitting over 2 threads: rows [0, SECOND_LANE) and [SECOND_LANE, BLOCK), the first
// lane's rows a multiple of 24 (model.cpp kLaneRows).
const INPUTS = 64;
const HIDDEN = 256;
const OUTPUTS = 10;
const ROWS_PER_LANE_GROUP = 24;

function plan(threads: number): ModelPlan {
  return {
    layers: [
      { inputs: INPUTS, units: HIDDEN, activation: 'relu', useBias: true },
      { inputs: HIDDEN, units: OUTPUTS, activation: 'softmax', useBias: true },
    ],
    loss: 'cross-entropy',
    threads,
  };
}

const PARAMS = INPUTS * HIDDEN + HIDDEN + HIDDEN * OUTPUTS + OUTPUTS;
const BLOCK = inferenceBlockRows(plan(1).layers, PARAMS);
const SECOND_LANE = Math.floor(BLOCK / 2 / ROWS_PER_LANE_GROUP) * ROWS_PER_LANE_GROUP;
const ROWS = 3 * BLOCK + 40; // three whole blocks and a short one
const params = Float32Array.from({ length: PARAMS }, (_, i) => Math.sin(i * 0.37) * 0.2);
const finite = Float32Array.from({ length: ROWS * INPUTS }, (_, i) => Math.cos(i * 0.11));

/** finite with `bad` written at each (row, column). */
function withBad(bad: [number, number, number][]): Float32Array {
  const X = finite.slice();
  for (const [r, c, v] of bad) X[r * INPUTS + c] = v;
  return X;
}

/** The plain answer: X's first value that is not finite, or -1. */
const firstBad = (X: Float32Array): number => X.findIndex((v) => !Number.isFinite(v));

// [what, bad values as (row, column, value)]
const CASES: [string, [number, number, number][]][] = [
  ['the first value', [[0, 0, Number.NaN]]],
  ['the last value', [[ROWS - 1, INPUTS - 1, Number.POSITIVE_INFINITY]]],
  ['the second thread of the first block', [[SECOND_LANE, 5, Number.NEGATIVE_INFINITY]]],
  ['the first thread of a later block', [[2 * BLOCK + 3, 63, Number.NaN]]],
  ['the last row of a block', [[BLOCK - 1, 0, Number.NaN]]],
  ['the short last block', [[3 * BLOCK + 7, 9, Number.NaN]]],
  [
    'both threads of one block and later blocks: the first',
    [
      [BLOCK + SECOND_LANE + 1, 1, Number.NaN],
      [BLOCK + 10, 40, Number.POSITIVE_INFINITY],
      [BLOCK + 10, 41, Number.NaN],
      [3 * BLOCK + 1, 0, Number.NaN],
    ],
  ],
];

describe.each(engines.map((e) => [e.name, e] as const))(
  'predictChecked, %s engine',
  (_name, engine: Engine) => {
    it.each([1, 2])('a finite X: -1 and the bits of predict (%i thread(s))', (threads) => {
      const model = engine.createModel(plan(threads), params);
      const want = new Float32Array(ROWS * OUTPUTS);
      model.predict(finite, ROWS, want);
      const got = new Float32Array(ROWS * OUTPUTS);
      expect(model.predictChecked(finite, ROWS, got)).toBe(-1);
      expect(got).toEqual(want);
      model.dispose();
    });

    it.each(CASES)('a bad value at %s: its index, on 1 and 2 threads', (_what, bad) => {
      const X = withBad(bad);
      const want = firstBad(X);
      expect(want).toBeGreaterThanOrEqual(0);
      for (const threads of [1, 2]) {
        const model = engine.createModel(plan(threads), params);
        expect(model.predictChecked(X, ROWS, new Float32Array(ROWS * OUTPUTS))).toBe(want);
        // rows before the bad one only: -1
        const rows = Math.floor(want / INPUTS);
        if (rows > 0) expect(model.predictChecked(X, rows, new Float32Array(rows * OUTPUTS))).toBe(-1);
        model.dispose();
      }
    });

    it('checks only the rows asked, and its arguments as predict does', () => {
      const model = engine.createModel(plan(2), params);
      const X = withBad([[10, 0, Number.NaN]]);
      expect(model.predictChecked(X, 10, new Float32Array(10 * OUTPUTS))).toBe(-1);
      expect(model.predictChecked(X, 11, new Float32Array(11 * OUTPUTS))).toBe(10 * INPUTS);
      const out = new Float32Array(1);
      expect(() => model.predictChecked(X, 11, out)).toThrow(RangeError);
      expect(() => model.predict(X, 11, out)).toThrow(RangeError);
      model.dispose();
    });
  },
);

describe.each(engineNames)('Network.predict of a Float32Array with a bad value, %s engine', (engine) => {
  const net = (threads: number) =>
    new Network({
      inputs: INPUTS,
      layers: [
        { units: HIDDEN, activation: 'relu' },
        { units: OUTPUTS, activation: 'softmax' },
      ],
      seed: 5,
      engine,
      threads,
    });

  it.each([1, 2])(
    'names the first bad value, as toMatrix did, and keeps its state (%i thread(s))',
    (threads) => {
      const n = net(threads);
      const params0 = n.getParameters();
      const before = n.predict(finite);
      for (const [, bad] of CASES) {
        const X = withBad(bad);
        const i = firstBad(X);
        const v = X[i];
        const message = `Expected a finite number for X[${Math.floor(i / INPUTS)}][${i % INPUTS}] but received ${v}`;
        expect(() => n.predict(X)).toThrow(new RangeError(message));
        expect(() => n.predictClasses(X)).toThrow(new RangeError(message));
        // one row: the small-output path
        const row = X.slice(Math.floor(i / INPUTS) * INPUTS, (Math.floor(i / INPUTS) + 1) * INPUTS);
        expect(() => n.predict(row)).toThrow(
          new RangeError(`Expected a finite number for X[0][${i % INPUTS}] but received ${v}`),
        );
      }
      expect(n.getParameters()).toEqual(params0);
      expect(n.predict(finite)).toEqual(before);
      n.dispose();
    },
  );

  it('with inputScaling, the scaled copy is checked as before', () => {
    const n = net(2);
    n.inputScaling = { mean: new Array(INPUTS).fill(0.5), std: new Array(INPUTS).fill(2) };
    const X = withBad([[130, 3, Number.NaN]]);
    expect(() => n.predict(X)).toThrow(
      new RangeError('Expected a finite number for X[130][3] but received NaN'),
    );
    n.dispose();
  });
});
