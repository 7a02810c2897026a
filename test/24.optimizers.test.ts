// The optimizers beyond sgd and adam, and gradient clipping, on every engine: adamw and rmsprop
// (with and without momentum) and clipNorm / clipValue on each kind, step by step against float64
// replays of PyTorch's formulas (test/helpers/reference.ts: torch.optim.AdamW, RMSprop,
// clip_grad_value_ then clip_grad_norm_); native and TS agree; a threshold never reached changes
// no bit; the clipped norm is the same on any thread count. Then the Network: options and their
// defaults, `net.optimizer = ...` between fits (busy, validation, what state carries over), and
// save / load of the new optimizers and fields.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, test } from 'vitest';
import type { OptimizerPlan, TrainChunk } from '../lib/engine/engine.js';
import { stateSize } from '../lib/engine/layout.js';
import { Network, type NetworkOptions } from '../lib/index.js';
import { engineNames } from './helpers/engine-names.js';
import { makeProblem, optimizer, type Problem, stack, trainerPlan } from './helpers/engine-problems.js';
import { engines } from './helpers/engines.js';
import { referenceClip, referenceTrain } from './helpers/reference.js';

type Engine = (typeof engines)[number];

/** 12 rows in batches of 4: one epoch is three optimizer steps. */
const ROWS = 12;
const BATCH = 4;

function train(engine: Engine, p: Problem, opt: OptimizerPlan, epochs: number, threads = 1) {
  const params = p.params.slice();
  const state = new Float32Array(stateSize(opt.kind, params.length));
  const trainer = engine.createTrainer(
    { ...trainerPlan(p.layers, p.loss, opt, BATCH), threads },
    params,
    state,
  );
  const chunk: TrainChunk = {
    X: p.X,
    Y: p.Y,
    rows: p.rows,
    order: null,
    epochs,
    batchSize: BATCH,
    step: 0,
    losses: new Float64Array(epochs),
  };
  const steps = trainer.trainEpochs(chunk);
  trainer.dispose();
  return { params, state, steps, losses: chunk.losses };
}

function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rel: number,
  abs: number,
  what: string,
) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = abs + rel * Math.abs(expected[i]);
    expect(Math.abs(actual[i] - expected[i]), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`).toBeLessThan(
      tol,
    );
  }
}

/** The problem every rule runs on: 3-5-2 tanh/sigmoid, mse, its gradients large enough to clip. */
const problem = () => makeProblem(stack([3, 5, 2], 'tanh', 'sigmoid'), 'mse', ROWS, 2424);

/** [what, the plan]: each new rule, and clipping on each kind (thresholds the gradients exceed). */
const RULES: [string, OptimizerPlan][] = [
  ['adamw', optimizer('adamw', { learningRate: 0.05, weightDecay: 0.1 })],
  ['adamw, default decay 0.01', optimizer('adamw', { learningRate: 0.01, weightDecay: 0.01 })],
  ['rmsprop without momentum', optimizer('rmsprop', { learningRate: 0.01, momentum: 0 })],
  [
    'rmsprop with momentum and L2',
    optimizer('rmsprop', { learningRate: 0.01, momentum: 0.9, rho: 0.9, weightDecay: 0.05 }),
  ],
  ['sgd, clipValue', optimizer('sgd', { learningRate: 0.5, momentum: 0, clipValue: 0.01 })],
  ['sgd, clipNorm', optimizer('sgd', { learningRate: 0.5, momentum: 0, clipNorm: 0.02 })],
  [
    'momentum, clipValue then clipNorm, L2 after',
    optimizer('momentum', { clipValue: 0.01, clipNorm: 0.02, weightDecay: 0.1 }),
  ],
  ['nesterov, clipNorm', optimizer('nesterov', { clipNorm: 0.02 })],
  ['adam, clipNorm and L2', optimizer('adam', { learningRate: 0.02, clipNorm: 0.02, weightDecay: 0.1 })],
  ['adamw, clipValue', optimizer('adamw', { learningRate: 0.02, clipValue: 0.005, weightDecay: 0.1 })],
  ['rmsprop, clipNorm', optimizer('rmsprop', { learningRate: 0.01, momentum: 0.5, clipNorm: 0.02 })],
];

describe.each(engines)('$name engine: optimizers and clipping', (engine) => {
  test.each(RULES)(
    `${engine.name}: %s: the first three steps match the float64 PyTorch formulas`,
    (_what, opt) => {
      const p = problem();
      for (const epochs of [1, 4]) {
        const run = train(engine, p, opt, epochs);
        expect(run.steps).toBe(3 * epochs);
        const refParams = Float64Array.from(p.params);
        const refState = new Float64Array(run.state.length);
        const refLosses = referenceTrain(
          {
            layers: p.layers,
            loss: p.loss,
            optimizer: opt,
            X: p.X,
            Y: p.Y,
            rows: ROWS,
            order: null,
            epochs,
            batchSize: BATCH,
            step: 0,
          },
          refParams,
          refState,
        );
        expectClose(run.losses, refLosses, 1e-5, 1e-7, 'losses');
        expectClose(run.params, refParams, 1e-4, 1e-6, 'params');
        // state elements of near-zero gradients carry float32 cancellation: bound them by the largest
        const largest = refState.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        expectClose(run.state, refState, 1e-4, 1e-7 + 1e-5 * largest, 'state');
      }
    },
  );

  test(`${engine.name}: the thresholds of RULES clip: the gradients exceed them`, () => {
    // (otherwise the clipping rows above would test nothing)
    const p = problem();
    const { grad } = gradientOf(p);
    let norm = 0;
    for (const g of grad) norm += g * g;
    expect(Math.sqrt(norm)).toBeGreaterThan(0.02 * 5);
    expect(Math.max(...grad.map(Math.abs))).toBeGreaterThan(0.01 * 3);
  });

  test(`${engine.name}: one sgd step with clipNorm moves the parameters by lr * clipNorm (hand-computed)`, () => {
    const p = problem();
    const opt = optimizer('sgd', { learningRate: 0.5, momentum: 0, clipNorm: 0.02 });
    const params = p.params.slice();
    const trainer = engine.createTrainer(
      trainerPlan(p.layers, p.loss, opt, ROWS),
      params,
      new Float32Array(0),
    );
    trainer.trainEpochs({
      X: p.X,
      Y: p.Y,
      rows: ROWS,
      order: null,
      epochs: 1,
      batchSize: ROWS,
      step: 0,
      losses: new Float64Array(1),
    });
    let moved = 0;
    for (let i = 0; i < params.length; i++) moved += (params[i] - p.params[i]) ** 2;
    const { grad } = gradientOf(p);
    let norm = 0;
    for (const g of grad) norm += g * g;
    norm = Math.sqrt(norm);
    // |delta w| = lr * |g| * clipNorm / (|g| + 1e-6)
    expect(Math.sqrt(moved)).toBeCloseTo((0.5 * norm * 0.02) / (norm + 1e-6), 6);
  });

  test(`${engine.name}: thresholds never reached change no bit of the training (no-clip path unchanged)`, () => {
    const p = problem();
    for (const kind of ['sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'rmsprop'] as const) {
      const plain = train(engine, p, optimizer(kind, { learningRate: 0.01, weightDecay: 0.01 }), 3);
      const far = train(
        engine,
        p,
        optimizer(kind, { learningRate: 0.01, weightDecay: 0.01, clipNorm: 1e30, clipValue: 1e30 }),
        3,
      );
      expect(Array.from(far.params), kind).toEqual(Array.from(plain.params));
      expect(Array.from(far.state), kind).toEqual(Array.from(plain.state));
      expect(Array.from(far.losses), kind).toEqual(Array.from(plain.losses));
    }
  });

  test(`${engine.name}: adamw with weightDecay 0 is adam; its decay leaves the biases alone`, () => {
    const p = problem();
    const adam = train(engine, p, optimizer('adam', { learningRate: 0.01 }), 2);
    const adamw0 = train(engine, p, optimizer('adamw', { learningRate: 0.01, weightDecay: 0 }), 2);
    expect(Array.from(adamw0.params)).toEqual(Array.from(adam.params));
    // one full-batch step: layer 0's biases (offsets 15..19 of the 3-5-2 layout) move the same
    // with and without decay, its weights do not
    const full = { ...p, rows: ROWS };
    const step = (weightDecay: number) => {
      const params = p.params.slice();
      const opt = optimizer('adamw', { learningRate: 0.01, weightDecay });
      const trainer = engine.createTrainer(
        trainerPlan(p.layers, p.loss, opt, ROWS),
        params,
        new Float32Array(2 * params.length),
      );
      trainer.trainEpochs({
        X: full.X,
        Y: full.Y,
        rows: ROWS,
        order: null,
        epochs: 1,
        batchSize: ROWS,
        step: 0,
        losses: new Float64Array(1),
      });
      return { params };
    };
    const decayed = step(0.5);
    const undecayed = step(0);
    expect(Array.from(decayed.params.subarray(15, 20))).toEqual(
      Array.from(undecayed.params.subarray(15, 20)),
    );
    expect(Array.from(decayed.params.subarray(0, 15))).not.toEqual(
      Array.from(undecayed.params.subarray(0, 15)),
    );
  });
});

/** The full-batch float64 gradient of problem() at its initial parameters. */
function gradientOf(p: Problem): { grad: number[] } {
  const opt = optimizer('sgd', { learningRate: 1, momentum: 0 });
  // one reference sgd step with lr 1 on the full batch: params - after = grad
  const before = Float64Array.from(p.params);
  const after = Float64Array.from(p.params);
  referenceTrain(
    {
      layers: p.layers,
      loss: p.loss,
      optimizer: opt,
      X: p.X,
      Y: p.Y,
      rows: ROWS,
      order: null,
      epochs: 1,
      batchSize: ROWS,
      step: 0,
    },
    after,
    new Float64Array(0),
  );
  return { grad: Array.from(before, (b, i) => b - after[i]) };
}

describe('the reference clip is PyTorch’s (value, then the global norm with 1e-6)', () => {
  it('clamps each value, then scales to clipNorm / (norm + 1e-6)', () => {
    const opt = optimizer('sgd', { clipValue: 2, clipNorm: 1 });
    const g = referenceClip(opt, [3, -4, 1]); // -> [2, -2, 1], norm 3
    expect(Array.from(g)).toEqual([2, -2, 1].map((x) => (x * 1) / (3 + 1e-6)));
    expect(Array.from(referenceClip(optimizer('sgd', { clipNorm: 10 }), [3, -4]))).toEqual([3, -4]);
  });
});

const native = engines.find((e) => e.name === 'native');
describe.runIf(native !== undefined)(
  'native and TS agree; the native norm does not depend on threads',
  () => {
    test.each(RULES)('%s: 40 epochs on both engines', (_what, opt) => {
      const p = problem();
      const ts = train(engines[0], p, opt, 40);
      const nat = train(native as Engine, p, opt, 40);
      expectClose(nat.params, ts.params, 1e-4, 1e-5, 'params');
      expectClose(nat.losses, ts.losses, 1e-4, 1e-7, 'losses');
    });

    test('clipNorm and clipValue on a 784-64-10 network: 1 thread and 2 threads give the same bits', () => {
      // 50,890 parameters: past the size at which the native update (and clipping) splits across threads
      const p = makeProblem(stack([784, 64, 10], 'tanh', 'softmax'), 'cross-entropy', 64, 77);
      for (const opt of [
        optimizer('adamw', { learningRate: 0.001, clipNorm: 0.5 }),
        optimizer('sgd', { learningRate: 0.1, momentum: 0, clipValue: 0.001, clipNorm: 0.05 }),
      ]) {
        const big = (threads: number) => {
          const params = p.params.slice();
          const state = new Float32Array(stateSize(opt.kind, params.length));
          const trainer = (native as Engine).createTrainer(
            { ...trainerPlan(p.layers, p.loss, opt, 64), threads },
            params,
            state,
          );
          trainer.trainEpochs({
            X: p.X,
            Y: p.Y,
            rows: 64,
            order: null,
            epochs: 2,
            batchSize: 64,
            step: 0,
            losses: new Float64Array(2),
          });
          trainer.dispose();
          return params;
        };
        const one = big(1);
        expect(one).not.toEqual(p.params);
        expect(Buffer.from(big(2).buffer).equals(Buffer.from(one.buffer))).toBe(true);
      }
    });
  },
);

// --- the Network ------------------------------------------------------------------------------

const X = Array.from({ length: 24 }, (_, i) => [Math.sin(i), Math.cos(0.7 * i), (i % 5) / 5]);
const y = X.map((_, i) => i % 3);

describe.each(engineNames)('optimizers of a Network on the %s engine', (engine) => {
  const make = (optimizer: NetworkOptions['optimizer']) =>
    new Network({
      inputs: 3,
      layers: [
        { units: 6, activation: 'tanh' },
        { units: 3, activation: 'softmax' },
      ],
      optimizer,
      seed: 9,
      engine,
    });

  it('adamw and rmsprop take PyTorch’s defaults; clipping reads null when off', () => {
    expect(make('adamw').optimizer).toEqual({
      kind: 'adamw',
      learningRate: 0.001,
      momentum: 0,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0.01,
      rho: 0.99,
      clipNorm: null,
      clipValue: null,
    });
    expect(make({ name: 'rmsprop', momentum: 0.5, clipNorm: 1, clipValue: 0.5 }).optimizer).toEqual({
      kind: 'rmsprop',
      learningRate: 0.01,
      momentum: 0.5,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0,
      rho: 0.99,
      clipNorm: 1,
      clipValue: 0.5,
    });
    expect(make('adam').optimizer.weightDecay).toBe(0);
  });

  it('bad settings are refused with the argument named', () => {
    const cases: [unknown, ErrorConstructor, string][] = [
      [
        { name: 'rmsprop', rho: 1 },
        RangeError,
        'Expected a number in [0, 1) for optimizer.rho but received 1',
      ],
      [
        { name: 'adam', clipNorm: 0 },
        RangeError,
        'Expected a positive finite float32 number for optimizer.clipNorm but received 0',
      ],
      [
        { name: 'sgd', clipValue: -1 },
        RangeError,
        'Expected a positive finite float32 number for optimizer.clipValue but received -1',
      ],
      [
        { name: 'sgd', clipValue: '1' },
        TypeError,
        "Expected a positive finite float32 number for optimizer.clipValue but received '1'",
      ],
      [{ name: 'adamw', clipnorm: 1 }, TypeError, 'clipnorm'],
      ['RMSprop', RangeError, 'optimizer.name'],
    ];
    for (const [optimizer, Kind, message] of cases) {
      const run = () => make(optimizer as NetworkOptions['optimizer']);
      expect(run, message).toThrow(Kind);
      expect(run, message).toThrow(message);
    }
  });

  it('net.optimizer = ... takes a name or settings, checked like the option; a bad one changes nothing', () => {
    const net = make({ name: 'adam', learningRate: 0.01 });
    net.fitSync(X, y, { epochs: 2, batchSize: 8 });
    const before = net.toJSON();
    for (const bad of [
      { name: 'adamw', beta2: 1 },
      'adamx',
      { learningRate: 0.1 },
      null,
      { name: 'sgd', clipNorm: -1 },
    ]) {
      expect(() => {
        net.optimizer = bad as never;
      }).toThrow(/optimizer/);
      expect(net.toJSON()).toEqual(before);
    }
    net.optimizer = 'sgd';
    expect(net.optimizer).toMatchObject({ kind: 'sgd', learningRate: 0.01 });
    net.optimizer = { name: 'sgd', learningRate: 0.2, momentum: 0.9, nesterov: true, clipNorm: 1 };
    expect(net.optimizer).toMatchObject({ kind: 'nesterov', learningRate: 0.2, clipNorm: 1 });
    // unset fields take the defaults, not the previous optimizer's
    net.optimizer = { name: 'sgd' };
    expect(net.optimizer).toMatchObject({ kind: 'sgd', learningRate: 0.01, clipNorm: null });
  });

  it('is refused while fit runs, and the fit is unharmed', async () => {
    const net = make('adam');
    const twin = make('adam');
    const running = net.fit(X, y, { epochs: 3, batchSize: 8 });
    expect(() => {
      net.optimizer = 'sgd';
    }).toThrow(
      'Cannot set optimizer while this network is training (fit() has not settled yet); await it first, or use a copy made with Network.fromJSON(net.toJSON())',
    );
    await running;
    twin.fitSync(X, y, { epochs: 3, batchSize: 8 });
    expect(net.optimizer.kind).toBe('adam');
    expect(net.getParameters()).toEqual(twin.getParameters());
  });

  /** A network trained 2 epochs with `from`, then switched to `to`; and its JSON before the switch. */
  const switched = (from: NetworkOptions['optimizer'], to: NonNullable<NetworkOptions['optimizer']>) => {
    const net = make(from);
    net.fitSync(X, y, { epochs: 2, batchSize: 8 });
    const json = net.toJSON();
    net.optimizer = to;
    return { net, json };
  };

  it.each([
    ['adam -> adamw', { name: 'adam', learningRate: 0.01 }, { name: 'adamw', learningRate: 0.005 }],
    [
      'adamw -> adam',
      { name: 'adamw', learningRate: 0.01 },
      { name: 'adam', learningRate: 0.01, clipNorm: 0.5 },
    ],
    ['momentum -> nesterov', { name: 'momentum' }, { name: 'sgd', momentum: 0.8, nesterov: true }],
    [
      'rmsprop -> rmsprop',
      { name: 'rmsprop', momentum: 0.9 },
      { name: 'rmsprop', momentum: 0.5, learningRate: 0.02 },
    ],
    ['sgd -> sgd', 'sgd', { name: 'sgd', learningRate: 0.1 }],
  ] as const)('%s keeps the optimizer state and the step count', (_what, from, to) => {
    const { net, json } = switched(from, to);
    expect(net.steps).toBe(json.steps);
    expect(net.toJSON().optimizerState).toEqual(json.optimizerState);
    // training on is exactly a network restored with that state and the new optimizer
    const restored = Network.fromJSON({ ...json, optimizer: net.optimizer }, { engine });
    net.fitSync(X, y, { epochs: 2, batchSize: 8 });
    restored.fitSync(X, y, { epochs: 2, batchSize: 8 });
    expect(net.getParameters()).toEqual(restored.getParameters());
    expect(net.toJSON().optimizerState).toEqual(restored.toJSON().optimizerState);
  });

  it.each([
    ['adam -> sgd', { name: 'adam' }, 'sgd'],
    ['adam -> rmsprop', { name: 'adam' }, 'rmsprop'],
    ['rmsprop -> adamw', { name: 'rmsprop', momentum: 0.9 }, 'adamw'],
    ['momentum -> adam', { name: 'momentum' }, 'adam'],
    ['sgd -> momentum', 'sgd', 'momentum'],
  ] as const)('%s starts the new optimizer fresh: zero state, steps 0', (_what, from, to) => {
    const { net, json } = switched(from, to);
    expect(json.steps).toBe(6);
    expect(net.steps).toBe(0);
    const state = net.toJSON().optimizerState;
    expect(state.length).toBe(stateSize(net.optimizer.kind, net.parameterCount));
    expect(state.every((v) => v === 0)).toBe(true);
    // and trains as a network that never had another optimizer, from the same weights
    const fresh = Network.fromJSON(
      { ...json, optimizer: net.optimizer, steps: 0, optimizerState: state },
      { engine },
    );
    net.fitSync(X, y, { epochs: 1, batchSize: 8 });
    fresh.fitSync(X, y, { epochs: 1, batchSize: 8 });
    expect(net.getParameters()).toEqual(fresh.getParameters());
  });

  it('rmsprop keeps its square average but drops the momentum buffer when momentum goes to 0', () => {
    const { net, json } = switched({ name: 'rmsprop', momentum: 0.9 }, { name: 'rmsprop' });
    const P = net.parameterCount;
    const state = net.toJSON().optimizerState;
    expect(state.slice(0, P)).toEqual(json.optimizerState.slice(0, P));
    expect(json.optimizerState.slice(P).some((v) => v !== 0)).toBe(true);
    expect(state.slice(P).every((v) => v === 0)).toBe(true);
    expect(net.steps).toBe(json.steps);
  });

  const dir = mkdtemp(join(tmpdir(), 'fastmlp-optimizers-'));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it.each([
    ['adamw', { name: 'adamw', learningRate: 0.01, weightDecay: 0.05, clipNorm: 0.5 }],
    ['rmsprop', { name: 'rmsprop', momentum: 0.9, rho: 0.9, clipValue: 0.1 }],
  ] as const)(
    '%s saves and loads with its state and clipping, and trains on identically',
    async (name, opt) => {
      const net = make(opt);
      net.fitSync(X, y, { epochs: 2, batchSize: 8 });
      const path = join(await dir, `${name}-${engine}.safetensors`);
      await net.save(path);
      const loaded = await Network.load(path, { engine });
      expect(loaded.toJSON()).toEqual(net.toJSON());
      expect(loaded.optimizer).toEqual(net.optimizer);
      const fromJSON = Network.fromJSON(JSON.parse(JSON.stringify(net.toJSON())), { engine });
      for (const n of [net, loaded, fromJSON]) n.fitSync(X, y, { epochs: 2, batchSize: 8 });
      expect(loaded.getParameters()).toEqual(net.getParameters());
      expect(fromJSON.getParameters()).toEqual(net.getParameters());
    },
  );

  it('a negative square average in a file is refused (its square root divides the step)', () => {
    const json = make({ name: 'rmsprop' }).toJSON();
    json.optimizerState[3] = -1;
    expect(() => Network.fromJSON(json)).toThrow(
      "Expected a non-negative number (rmsprop's square average) for json.optimizerState[3] but received -1",
    );
  });
});

// --- by hand: one linear unit without bias, w = (w0, w1), one sample x = (1, -2), y = 0, mse:
// p = w.x, g = 2 (p - y) x, starting at w = (0.5, -0.25): p = 1, g = (2, -4). Three steps of each rule, its formula written out in float64.
describe.each(engines)('$name engine: three steps by hand on a 2-weight linear unit', (engine) => {
  const x = [1, -2];
  const layers = stack([2, 1], 'linear', 'linear', false);
  const run = (opt: OptimizerPlan, w0: number[]): number[] => {
    const params = Float32Array.from(w0);
    const trainer = engine.createTrainer(
      trainerPlan(layers, 'mse', opt, 1),
      params,
      new Float32Array(stateSize(opt.kind, 2)),
    );
    const X = Float32Array.from(x);
    const Y = new Float32Array(1);
    trainer.trainEpochs({
      X,
      Y,
      rows: 1,
      order: null,
      epochs: 3,
      batchSize: 1,
      step: 0,
      losses: new Float64Array(3),
    });
    trainer.dispose();
    return Array.from(params);
  };
  const grad = (w: number[]) => {
    const p = w[0] * x[0] + w[1] * x[1];
    return x.map((xi) => 2 * p * xi);
  };
  const close = (got: number[], want: number[]) =>
    got.forEach((g, i) => expect(g, `w${i}: ${g} vs ${want[i]}`).toBeCloseTo(want[i], 5));

  test('adamw: w *= 1 - lr wd, then adam', () => {
    const [lr, wd, b1, b2, eps] = [0.1, 0.1, 0.9, 0.999, 1e-8];
    let w = [0.5, -0.25];
    const m = [0, 0];
    const v = [0, 0];
    for (let t = 1; t <= 3; t++) {
      const g = grad(w);
      w = w.map((wi, i) => {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2;
        const step = (lr * (m[i] / (1 - b1 ** t))) / (Math.sqrt(v[i] / (1 - b2 ** t)) + eps);
        return wi * (1 - lr * wd) - step;
      });
    }
    close(run(optimizer('adamw', { learningRate: lr, weightDecay: wd }), [0.5, -0.25]), w);
  });

  for (const mu of [0, 0.9]) {
    test(`rmsprop, momentum ${mu}: s = rho s + (1 - rho) g^2, w -= lr g / (sqrt(s) + eps)`, () => {
      const [lr, rho, eps] = [0.01, 0.99, 1e-8];
      const w = [0.5, -0.25];
      const s = [0, 0];
      const b = [0, 0];
      for (let t = 1; t <= 3; t++) {
        const g = grad(w);
        for (let i = 0; i < 2; i++) {
          s[i] = rho * s[i] + (1 - rho) * g[i] ** 2;
          const a = Math.sqrt(s[i]) + eps;
          b[i] = mu * b[i] + g[i] / a;
          w[i] -= lr * (mu > 0 ? b[i] : g[i] / a);
        }
      }
      close(run(optimizer('rmsprop', { learningRate: lr, rho, momentum: mu }), [0.5, -0.25]), w);
    });
  }

  test('sgd with clipValue 0.3, then clipNorm 0.2 (g = (0.3, -0.3) -> norm 0.424 -> scaled)', () => {
    const lr = 0.5;
    const w = [0.5, -0.25];
    for (let t = 1; t <= 3; t++) {
      const g = grad(w).map((gi) => Math.min(Math.max(gi, -0.3), 0.3));
      const norm = Math.hypot(g[0], g[1]);
      const scale = norm > 0.2 ? 0.2 / (norm + 1e-6) : 1;
      for (let i = 0; i < 2; i++) w[i] -= lr * g[i] * scale;
    }
    close(
      run(optimizer('sgd', { learningRate: lr, momentum: 0, clipValue: 0.3, clipNorm: 0.2 }), [0.5, -0.25]),
      w,
    );
  });
});
