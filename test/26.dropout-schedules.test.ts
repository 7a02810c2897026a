// Dropout and learning-rate schedules on every engine. Dropout: the float64 reference with a
// fixed mask against central differences, each engine's gradient against it with the masks it
// drew (the same words as lib/random.ts draws in engine.ts's order), never at inference, rate 0
// bit-identical to none, native and TS drawing the same masks over 100 epochs. Schedules: each
// rate against hand-computed values, the engines applying them, continuation across fits and
// save/load, reproducibility, and every bad field refused.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, test } from 'vitest';
import { SCHEDULE_CODES } from '../lib/engine/contract.js';
import type { ChunkSchedule, Engine, LayerPlan, OptimizerPlan, TrainChunk } from '../lib/engine/engine.js';
import { stateSize } from '../lib/engine/layout.js';
import { nativeEngine } from '../lib/engine/native.js';
import { tsEngine } from '../lib/engine/ts/index.js';
import { type FitOptions, Network, type NetworkOptions } from '../lib/index.js';
import { Random } from '../lib/random.js';
import { FitSchedule, type ResolvedSchedule } from '../lib/schedule.js';
import { referenceMaskedLossAndGradient, referenceMasks } from './helpers/dropout-reference.js';
import { engineNames } from './helpers/engine-names.js';
import { makeProblem, optimizer, type Problem, stack, trainerPlan } from './helpers/engine-problems.js';
import { engines } from './helpers/engines.js';

const dir = mkdtempSync(join(tmpdir(), 'fastmlp-26-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WORDS = [0x12345678, 0x9abcdef0, 0x0fedcba9, 0x87654321];

/** A problem whose hidden layers drop out (the output layer never does). */
function dropoutProblem(
  rates: number[],
  loss: 'mse' | 'bce' | 'cross-entropy',
  rows: number,
  seed: number,
): Problem {
  const output = loss === 'bce' ? 'sigmoid' : loss === 'cross-entropy' ? 'softmax' : 'linear';
  const sizes = [3, ...rates.map((_, i) => 5 + i), 2];
  const layers: LayerPlan[] = stack(sizes, 'tanh', output).map((layer, l) =>
    l < rates.length ? { ...layer, dropout: rates[l] } : layer,
  );
  return makeProblem(layers, loss, rows, seed);
}

/** One full-batch SGD step of learning rate 1 on the engine with the generator at `words`: loss, gradient, generator after. */
function engineStep(engine: Engine, p: Problem, words: number[]) {
  const params = p.params.slice();
  const trainer = engine.createTrainer(
    trainerPlan(p.layers, p.loss, optimizer('sgd', { learningRate: 1 }), p.rows),
    params,
    new Float32Array(0),
  );
  const losses = new Float64Array(1);
  const rng = Uint32Array.from(words);
  trainer.trainEpochs({
    X: p.X,
    Y: p.Y,
    rows: p.rows,
    order: null,
    epochs: 1,
    batchSize: p.rows,
    step: 0,
    losses,
    rng,
  });
  trainer.dispose();
  const grad = Float64Array.from(params, (v, i) => p.params[i] - v);
  return { loss: losses[0], grad, rng: Array.from(rng) };
}

describe('dropout: the float64 reference with a fixed mask', () => {
  test.each([
    ['one dropout layer, mse', [0.5], 'mse'],
    ['two dropout layers, bce', [0.3, 0.6], 'bce'],
    ['dropout then none, cross-entropy', [0.25, 0], 'cross-entropy'],
  ] as const)('%s: gradient equals central differences', (_, rates, loss) => {
    const p = dropoutProblem([...rates], loss, 6, 2600);
    const random = new Random(0);
    random.setState(WORDS);
    const masks = referenceMasks(random, p.layers, p.rows);
    expect(masks.some((m) => m?.some((v) => v === 0))).toBe(true); // something is dropped
    const params = Float64Array.from(p.params);
    const at = () => referenceMaskedLossAndGradient(p.layers, p.loss, params, p.X, p.Y, p.rows, masks);
    const { grad } = at();
    const h = 1e-6;
    for (let i = 0; i < params.length; i++) {
      const saved = params[i];
      params[i] = saved + h;
      const plus = at().loss;
      params[i] = saved - h;
      const minus = at().loss;
      params[i] = saved;
      const numeric = (plus - minus) / (2 * h);
      expect(Math.abs(grad[i] - numeric), `param ${i}`).toBeLessThan(1e-7 * (1 + Math.abs(numeric)));
    }
  });
});

describe.each(engines)('$name engine: dropout', (engine) => {
  test.each([
    ['one dropout layer, mse', [0.5], 'mse'],
    ['two dropout layers, bce', [0.3, 0.6], 'bce'],
    ['dropout then none, cross-entropy', [0.25, 0], 'cross-entropy'],
  ] as const)(
    '%s: loss, gradient and generator equal the reference with the masks the spec draws',
    (_, rates, loss) => {
      const p = dropoutProblem([...rates], loss, 6, 2600);
      const random = new Random(0);
      random.setState(WORDS);
      const masks = referenceMasks(random, p.layers, p.rows);
      const expected = referenceMaskedLossAndGradient(
        p.layers,
        p.loss,
        Float64Array.from(p.params),
        p.X,
        p.Y,
        p.rows,
        masks,
      );
      const actual = engineStep(engine, p, WORDS);
      expect(actual.rng).toEqual(random.getState());
      expect(Math.abs(actual.loss - expected.loss)).toBeLessThan(1e-6 * (1 + Math.abs(expected.loss)));
      for (let i = 0; i < expected.grad.length; i++) {
        const tol = 1e-5 + 1e-4 * Math.abs(expected.grad[i]);
        expect(Math.abs(actual.grad[i] - expected.grad[i]), `grad[${i}]`).toBeLessThan(tol);
      }
    },
  );

  it('mini-batches draw batch after batch, so the generator moves by every row of every epoch', () => {
    const p = dropoutProblem([0.4, 0.2], 'mse', 7, 2601);
    const rng = Uint32Array.from(WORDS);
    const params = p.params.slice();
    const trainer = engine.createTrainer(
      trainerPlan(p.layers, p.loss, optimizer('sgd'), 3),
      params,
      new Float32Array(0),
    );
    trainer.trainEpochs({
      X: p.X,
      Y: p.Y,
      rows: 7,
      order: null,
      epochs: 2,
      batchSize: 3,
      step: 0,
      losses: new Float64Array(2),
      rng,
    });
    trainer.dispose();
    const random = new Random(0);
    random.setState(WORDS);
    for (let i = 0; i < 2 * 7 * (5 + 6); i++) random.nextUint32();
    expect(Array.from(rng)).toEqual(random.getState());
  });

  it('dropout 0 draws nothing and trains bit-identically to a plan without the field', () => {
    const p = makeProblem(stack([3, 6, 2], 'relu', 'linear'), 'mse', 9, 2602);
    const run = (layers: LayerPlan[], rng: Uint32Array | null) => {
      const params = p.params.slice();
      const opt = optimizer('adam', { learningRate: 0.01 });
      const trainer = engine.createTrainer(
        trainerPlan(layers, 'mse', opt, 4),
        params,
        new Float32Array(stateSize('adam', params.length)),
      );
      trainer.trainEpochs({
        X: p.X,
        Y: p.Y,
        rows: 9,
        order: null,
        epochs: 5,
        batchSize: 4,
        step: 0,
        losses: new Float64Array(5),
        rng,
      });
      trainer.dispose();
      return params;
    };
    const rng = Uint32Array.from(WORDS);
    const zero = run(
      p.layers.map((layer) => ({ ...layer, dropout: 0 })),
      rng,
    );
    expect(zero).toEqual(run(p.layers, null));
    expect(Array.from(rng)).toEqual(WORDS);
  });
});

const tsVsNative = nativeEngine() ? test : test.skip;

/** Trains `epochs` epochs of `p` on an engine; per-epoch losses, rates, params and the generator after. */
function trainRun(
  engine: Engine,
  p: Problem,
  opt: OptimizerPlan,
  batch: number,
  epochs: number,
  schedule: ChunkSchedule | null,
  order: Uint32Array | null = null,
) {
  const params = p.params.slice();
  const trainer = engine.createTrainer(
    trainerPlan(p.layers, p.loss, opt, batch),
    params,
    new Float32Array(stateSize(opt.kind, params.length)),
  );
  const losses = new Float64Array(epochs);
  const learningRates = new Float64Array(epochs);
  const rng = Uint32Array.from(WORDS);
  const chunk: TrainChunk = {
    X: p.X,
    Y: p.Y,
    rows: p.rows,
    order,
    epochs,
    batchSize: batch,
    step: 0,
    losses,
    schedule,
    rng,
    learningRates,
  };
  trainer.trainEpochs(chunk);
  trainer.dispose();
  return { losses, learningRates, params, rng: Array.from(rng) };
}

function expectAgree(native: Float64Array, ts: Float64Array): void {
  for (let e = 0; e < ts.length; e++) {
    expect(Math.abs(native[e] - ts[e]), `epoch ${e}: ${native[e]} vs ${ts[e]}`).toBeLessThanOrEqual(
      1e-4 * Math.abs(ts[e]) + 1e-12,
    );
  }
}

function schedule(kind: keyof typeof SCHEDULE_CODES, fields: Partial<ChunkSchedule> = {}): ChunkSchedule {
  return {
    kind: SCHEDULE_CODES[kind],
    learningRate: 0.05,
    every: 1,
    gamma: 1,
    warmupSteps: 0,
    totalSteps: 1,
    minLearningRate: 0,
    epoch: 0,
    position: 0,
    ...fields,
  };
}

/** Shuffled orders of `epochs` epochs, seeded. */
function orders(rows: number, epochs: number): Uint32Array {
  const order = new Uint32Array(rows * epochs);
  const random = new Random(26);
  for (let e = 0; e < epochs; e++) {
    for (let i = 0; i < rows; i++) order[e * rows + i] = i;
    random.shuffle(order, rows, e * rows);
  }
  return order;
}

describe('native and TS agree over 100 epochs', () => {
  const p = dropoutProblem([0.3, 0.5], 'cross-entropy', 20, 2603);
  const q = makeProblem(stack([3, 8, 2], 'tanh', 'sigmoid'), 'bce', 23, 2604);
  const order = orders(20, 100);
  const CASES: [string, Problem, OptimizerPlan, number, ChunkSchedule | null][] = [
    [
      'dropout 0.3 and 0.5, adam, shuffled batches of 6',
      p,
      optimizer('adam', { learningRate: 0.01 }),
      6,
      null,
    ],
    ['dropout, momentum, full batch', p, optimizer('momentum', { learningRate: 0.05 }), 20, null],
    [
      'step schedule, sgd',
      q,
      optimizer('sgd', { learningRate: 0.5 }),
      5,
      schedule('step', { learningRate: 0.5, every: 10, gamma: 0.5 }),
    ],
    [
      'exponential schedule, adam',
      q,
      optimizer('adam'),
      5,
      schedule('exponential', { learningRate: 0.02, gamma: 0.97 }),
    ],
    [
      'cosine schedule with warm-up, nesterov',
      q,
      optimizer('nesterov', { learningRate: 0.1 }),
      5,
      schedule('cosine', { learningRate: 0.1, warmupSteps: 37, totalSteps: 500, minLearningRate: 0.001 }),
    ],
    [
      'constant schedule (reduceOnPlateau), dropout, sgd',
      p,
      optimizer('sgd'),
      6,
      schedule('constant', { learningRate: 0.02 }),
    ],
  ];
  tsVsNative.each(CASES)(
    '%s: per-epoch losses within 1e-4, the same rates and generator',
    (_, prob, opt, batch, s) => {
      const ord = prob.rows === 20 ? order : null;
      const native = trainRun(nativeEngine() as Engine, prob, opt, batch, 100, s, ord);
      const ts = trainRun(tsEngine, prob, opt, batch, 100, s, ord);
      expectAgree(native.losses, ts.losses);
      expect(native.rng).toEqual(ts.rng);
      // step and exponential multiply the same doubles in the same order; cosine calls each
      // platform's cos (Math.cos, std::cos), which may differ in the last bit
      native.learningRates.forEach((rate, e) =>
        expect(Math.abs(rate - ts.learningRates[e])).toBeLessThanOrEqual(1e-14 * ts.learningRates[e]),
      );
      if (s?.kind !== SCHEDULE_CODES.cosine) expect(native.learningRates).toEqual(ts.learningRates);
    },
  );
});

describe.each(engines)('$name engine: schedules inside the loop', (engine) => {
  const p = makeProblem(stack([3, 5, 2], 'tanh', 'linear'), 'mse', 8, 2605);

  /** The same run, epoch by epoch, each epoch a trainer whose plan's rate is the one given. */
  function byConstantRates(rates: number[], batch: number): Float32Array {
    const params = p.params.slice();
    const state = new Float32Array(stateSize('adam', params.length));
    let step = 0;
    for (const rate of rates) {
      const trainer = engine.createTrainer(
        trainerPlan(p.layers, 'mse', optimizer('adam', { learningRate: rate }), batch),
        params,
        state,
      );
      step = trainer.trainEpochs({
        X: p.X,
        Y: p.Y,
        rows: 8,
        order: null,
        epochs: 1,
        batchSize: batch,
        step,
        losses: new Float64Array(1),
      });
      trainer.dispose();
    }
    return params;
  }

  function scheduled(s: ChunkSchedule, epochs: number, batch: number) {
    const params = p.params.slice();
    const trainer = engine.createTrainer(
      trainerPlan(p.layers, 'mse', optimizer('adam', { learningRate: 0.5 }), batch),
      params,
      new Float32Array(stateSize('adam', params.length)),
    );
    const learningRates = new Float64Array(epochs);
    trainer.trainEpochs({
      X: p.X,
      Y: p.Y,
      rows: 8,
      order: null,
      epochs,
      batchSize: batch,
      step: 0,
      losses: new Float64Array(epochs),
      schedule: s,
      learningRates,
    });
    trainer.dispose();
    return { params, learningRates: Array.from(learningRates) };
  }

  it('step: lr * gamma^floor(E / every), from the chunk epoch on; the same weights as those rates as constants', () => {
    const s = schedule('step', { learningRate: 0.08, every: 3, gamma: 0.5, epoch: 2 });
    const expected = [0.08, 0.04, 0.04, 0.04, 0.02, 0.02, 0.02];
    const run = scheduled(s, 7, 3);
    expect(run.learningRates).toEqual(expected);
    expect(run.params).toEqual(byConstantRates(expected, 3));
  });

  it('exponential: lr * gamma^E', () => {
    const s = schedule('exponential', { learningRate: 0.1, gamma: 0.5, epoch: 1 });
    const expected = [0.05, 0.025, 0.0125, 0.00625];
    const run = scheduled(s, 4, 8);
    expect(run.learningRates).toEqual(expected);
    expect(run.params).toEqual(byConstantRates(expected, 8));
  });

  it('cosine: linear warm-up to lr, then half a cosine to the minimum at the last step', () => {
    // full batches: one step per epoch, so each epoch's rate is its step's
    const s = schedule('cosine', {
      learningRate: 0.04,
      warmupSteps: 4,
      totalSteps: 9,
      minLearningRate: 0.01,
    });
    const cos = (q: number) => 0.01 + 0.03 * 0.5 * (1 + Math.cos(Math.PI * q));
    const expected = [0.01, 0.02, 0.03, 0.04, cos(0), cos(0.25), cos(0.5), cos(0.75), cos(1)];
    const run = scheduled(s, 9, 8);
    run.learningRates.forEach((rate, i) => expect(rate).toBeCloseTo(expected[i], 15));
    expect(run.learningRates[3]).toBe(0.04);
    expect(run.learningRates[8]).toBeCloseTo(0.01, 15);
    expect(run.params).toEqual(byConstantRates(run.learningRates, 8));
  });

  it('cosine per step within an epoch: the epoch reports its last step, position continues across chunks', () => {
    const s = schedule('cosine', {
      learningRate: 0.04,
      warmupSteps: 2,
      totalSteps: 12,
      minLearningRate: 0,
      position: 3,
    });
    // batches of 3 over 8 rows: 3 steps per epoch, positions 3..5, 6..8, 9..11
    const run = scheduled(s, 3, 3);
    const rate = (k: number) => 0.04 * 0.5 * (1 + Math.cos((Math.PI * (k - 2)) / 9));
    expect(run.learningRates[0]).toBeCloseTo(rate(5), 15);
    expect(run.learningRates[1]).toBeCloseTo(rate(8), 15);
    expect(run.learningRates[2]).toBe(0);
  });

  it('without a schedule learningRates holds the plan rate and nothing else changes', () => {
    const run = (withRates: boolean) => {
      const params = p.params.slice();
      const trainer = engine.createTrainer(
        trainerPlan(p.layers, 'mse', optimizer('sgd', { learningRate: 0.03 }), 4),
        params,
        new Float32Array(0),
      );
      const learningRates = withRates ? new Float64Array(2) : null;
      trainer.trainEpochs({
        X: p.X,
        Y: p.Y,
        rows: 8,
        order: null,
        epochs: 2,
        batchSize: 4,
        step: 0,
        losses: new Float64Array(2),
        schedule: null,
        learningRates,
      });
      trainer.dispose();
      return { params, learningRates };
    };
    const a = run(true);
    expect(Array.from(a.learningRates as Float64Array)).toEqual([0.03, 0.03]);
    expect(a.params).toEqual(run(false).params);
  });
});

// --- the Network API ------------------------------------------------------------------------

const X = Array.from({ length: 40 }, (_, i) => [
  Math.sin(i * 0.7),
  Math.cos(i * 0.3),
  ((i * 7) % 11) / 11 - 0.5,
]);
const y = X.map(([a, b, c]) =>
  [a + b > 0 ? 1 : 0, b * c > 0 ? 1 : 0, a * c > 0 ? 1 : 0].indexOf(1) === 0 ? 0 : 1,
);

describe.each(engineNames)('Network on the %s engine', (engine) => {
  const make = (dropout: number | undefined, extra: Partial<NetworkOptions> = {}) =>
    new Network({
      inputs: 3,
      layers: [
        { units: 16, activation: 'relu', ...(dropout === undefined ? {} : { dropout }) },
        { units: 8, activation: 'tanh', ...(dropout === undefined ? {} : { dropout: dropout / 2 }) },
        { units: 1, activation: 'sigmoid' },
      ],
      optimizer: { name: 'adam', learningRate: 0.01 },
      seed: 7,
      engine,
      ...extra,
    });

  it('dropout is never applied in predict or evaluate', () => {
    const net = make(0.5);
    net.fitSync(X, y, { epochs: 3, batchSize: 8 });
    const plain = make(undefined);
    plain.setParameters(net.getParameters());
    const first = net.predict(X);
    expect(net.predict(X)).toEqual(first);
    expect(plain.predict(X)).toEqual(first);
    expect(net.evaluate(X, y)).toEqual(plain.evaluate(X, y));
    // and predicting draws nothing: the stream stands where training left it
    const before = net.toJSON().metadata.dropoutState;
    net.predict(X);
    net.evaluate(X, y);
    expect(net.toJSON().metadata.dropoutState).toEqual(before);
  });

  it('dropout 0 trains bit-identically to no dropout (the stream does not move)', () => {
    const zero = make(0);
    const none = make(undefined);
    const initial = zero.toJSON().metadata.dropoutState;
    const h0 = zero.fitSync(X, y, { epochs: 4, batchSize: 8 });
    const h1 = none.fitSync(X, y, { epochs: 4, batchSize: 8 });
    expect(zero.getParameters()).toEqual(none.getParameters());
    expect(h0.loss).toEqual(h1.loss);
    expect(zero.toJSON().metadata.dropoutState).toEqual(initial);
  });

  it('dropout changes training, and the same seed gives bit-identical runs (dropout and a schedule)', () => {
    const opts = { epochs: 6, batchSize: 8, schedule: { name: 'cosine', warmupSteps: 5 } } as const;
    const a = make(0.3);
    const b = make(0.3);
    const ha = a.fitSync(X, y, opts);
    const hb = b.fitSync(X, y, opts);
    expect(a.getParameters()).toEqual(b.getParameters());
    expect(ha).toEqual(hb);
    const none = make(undefined);
    none.fitSync(X, y, opts);
    expect(none.getParameters()).not.toEqual(a.getParameters());
  });

  it('logEvery (chunking) changes nothing: the stream is drawn inside the engine, apart from the shuffle', () => {
    const a = make(0.3);
    const b = make(0.3);
    a.fitSync(X, y, { epochs: 5, batchSize: 8 });
    b.fitSync(X, y, { epochs: 5, batchSize: 8, logEvery: 2, log: () => {} });
    expect(a.getParameters()).toEqual(b.getParameters());
  });

  it('two fits with dropout equal one, and a save/load in between changes nothing', async () => {
    const once = make(0.3);
    once.fitSync(X, y, { epochs: 6, batchSize: 8 });
    const twice = make(0.3);
    twice.fitSync(X, y, { epochs: 3, batchSize: 8 });
    const path = join(dir, `${engine}-dropout.safetensors`);
    await twice.save(path);
    const loaded = await Network.load(path, { engine });
    twice.fitSync(X, y, { epochs: 3, batchSize: 8 });
    loaded.fitSync(X, y, { epochs: 3, batchSize: 8 });
    expect(twice.getParameters()).toEqual(once.getParameters());
    expect(loaded.getParameters()).toEqual(once.getParameters());
    const json = Network.fromJSON(JSON.parse(JSON.stringify(once.toJSON())), { engine });
    expect(json.layers.map((l) => l.dropout)).toEqual([0.3, 0.15, 0]);
  });

  it('fit (off the event loop on the native engine) trains as fitSync with dropout and a schedule', async () => {
    const opts = { epochs: 5, batchSize: 8, schedule: { name: 'step', every: 2, gamma: 0.5 } } as const;
    const a = make(0.3);
    const b = make(0.3);
    const ha = await a.fit(X, y, opts);
    const hb = b.fitSync(X, y, opts);
    expect(a.getParameters()).toEqual(b.getParameters());
    expect(ha).toEqual(hb);
    expect(a.toJSON().metadata).toEqual(b.toJSON().metadata);
  });

  it('history.learningRate: the optimizer rate without a schedule, each schedule by its rule', () => {
    expect(make(undefined).fitSync(X, y, { epochs: 3 }).learningRate).toEqual([0.01, 0.01, 0.01]);
    const step = make(undefined).fitSync(X, y, {
      epochs: 5,
      schedule: { name: 'step', every: 2, gamma: 0.5 },
    });
    expect(step.learningRate).toEqual([0.01, 0.01, 0.005, 0.005, 0.0025]);
    const exp = make(undefined).fitSync(X, y, { epochs: 3, schedule: { name: 'exponential', gamma: 0.5 } });
    expect(exp.learningRate).toEqual([0.01, 0.005, 0.0025]);
    // 40 rows in batches of 10: 4 steps per epoch, 12 in all; no warm-up
    const cos = make(undefined).fitSync(X, y, {
      epochs: 3,
      batchSize: 10,
      schedule: { name: 'cosine', minLearningRate: 0.001 },
    });
    const at = (s: number) => 0.001 + 0.009 * 0.5 * (1 + Math.cos((Math.PI * s) / 11));
    expect(cos.learningRate[0]).toBeCloseTo(at(3), 15);
    expect(cos.learningRate[1]).toBeCloseTo(at(7), 15);
    expect(cos.learningRate[2]).toBeCloseTo(0.001, 15);
  });

  it("reduceOnPlateau follows Keras' rule on the monitored values the history records", () => {
    const net = make(undefined, { optimizer: { name: 'sgd', learningRate: 2 } });
    const schedule = {
      name: 'reduceOnPlateau',
      monitor: 'loss',
      factor: 0.5,
      patience: 2,
      minDelta: 0.01,
      minLearningRate: 0.3,
    } as const;
    const h = net.fitSync(X, y, { epochs: 30, batchSize: 4, schedule });
    // replay ReduceLROnPlateau (mode min, cooldown 0) on the recorded losses
    let best = Number.POSITIVE_INFINITY;
    let wait = 0;
    let rate = 2;
    const expected: number[] = [];
    for (const loss of h.loss) {
      expected.push(rate);
      if (loss < best - 0.01) {
        best = loss;
        wait = 0;
      } else if (++wait >= 2 && rate > 0.3) {
        rate = Math.max(rate * 0.5, 0.3);
        wait = 0;
      }
    }
    expect(h.learningRate).toEqual(expected);
    expect(new Set(h.learningRate).size).toBeGreaterThan(1); // it did reduce
  });

  it('reduceOnPlateau monitors val_loss by default when there is validation data', () => {
    const net = make(undefined);
    const h = net.fitSync(X, y, {
      epochs: 4,
      validationSplit: 0.25,
      schedule: { name: 'reduceOnPlateau', patience: 0, minDelta: 10 },
    });
    // minDelta 10: no epoch improves after the first, so every later epoch reduces
    [0.01, 0.01, 0.001, 0.0001].forEach((rate, e) => expect(h.learningRate[e]).toBeCloseTo(rate, 17));
    expect(net.toJSON().metadata.scheduleState).toEqual({
      schedule: {
        name: 'reduceOnPlateau',
        monitor: 'val_loss',
        factor: 0.1,
        patience: 0,
        minDelta: 10,
        cooldown: 0,
        minLearningRate: 0,
      },
      epochs: 4,
      reductions: 3,
    });
  });

  test.each([
    ['step', { name: 'step', every: 3, gamma: 0.5 }],
    ['exponential', { name: 'exponential', gamma: 0.8 }],
    [
      'reduceOnPlateau',
      { name: 'reduceOnPlateau', monitor: 'loss', patience: 1, minDelta: 0.05, factor: 0.5 },
    ],
  ] as const)('%s continues across fits and save/load exactly as one fit', async (name, schedule) => {
    const opts = { batchSize: 8, schedule };
    const once = make(0.2);
    const h = once.fitSync(X, y, { ...opts, epochs: 8 });
    const twice = make(0.2);
    const h1 = twice.fitSync(X, y, { ...opts, epochs: 4 });
    const path = join(dir, `${engine}-${name}.safetensors`);
    await twice.save(path);
    const loaded = await Network.load(path, { engine });
    const h2 = loaded.fitSync(X, y, { ...opts, epochs: 4 });
    if (name !== 'reduceOnPlateau') {
      // reduceOnPlateau keeps its reduced rate but, as Keras' callback, starts its patience afresh per fit
      expect([...h1.learningRate, ...h2.learningRate]).toEqual(h.learningRate);
      expect(loaded.getParameters()).toEqual(once.getParameters());
    } else {
      // the second fit starts at the rate the first fit's reductions left
      const reductions = twice.toJSON().metadata.scheduleState?.reductions as number;
      expect(reductions).toBeGreaterThan(0);
      expect(h2.learningRate[0]).toBe(0.01 * 0.5 ** reductions);
    }
    twice.fitSync(X, y, { ...opts, epochs: 4 });
    expect(twice.getParameters()).toEqual(loaded.getParameters());
  });

  it('cosine spans one fit: a second fit runs the whole warm-up and decay again', () => {
    const net = make(undefined);
    const opts = { epochs: 3, batchSize: 10, schedule: { name: 'cosine', warmupSteps: 2 } } as const;
    const h1 = net.fitSync(X, y, opts);
    const h2 = net.fitSync(X, y, opts);
    expect(h2.learningRate).toEqual(h1.learningRate);
  });

  it('another schedule, or none, starts from the optimizer rate', () => {
    const net = make(undefined);
    net.fitSync(X, y, { epochs: 3, schedule: { name: 'exponential', gamma: 0.5 } });
    expect(
      net.fitSync(X, y, { epochs: 1, schedule: { name: 'exponential', gamma: 0.25 } }).learningRate,
    ).toEqual([0.01]);
    expect(net.fitSync(X, y, { epochs: 1 }).learningRate).toEqual([0.01]);
    expect(net.toJSON().metadata.scheduleState).toBeNull();
    expect(
      net.fitSync(X, y, { epochs: 1, schedule: { name: 'exponential', gamma: 0.5 } }).learningRate,
    ).toEqual([0.01]);
  });

  test.each([
    [{ name: 'linear' }, RangeError, /schedule\.name/],
    [{ name: 'step' }, TypeError, /for schedule\.every but received undefined/],
    [{ name: 'step', every: 0 }, RangeError, /integer in 1\.\.1000000000 for schedule\.every/],
    [{ name: 'step', every: 2, gamma: 0 }, RangeError, /\(0, 1\] for schedule\.gamma but received 0/],
    [{ name: 'exponential' }, TypeError, /schedule\.gamma/],
    [{ name: 'exponential', gamma: 1.5 }, RangeError, /schedule\.gamma but received 1\.5/],
    [{ name: 'cosine', warmupSteps: -1 }, RangeError, /schedule\.warmupSteps/],
    [{ name: 'cosine', minLearningRate: Number.NaN }, RangeError, /schedule\.minLearningRate/],
    [{ name: 'cosine', every: 2 }, TypeError, /Unknown option 'every' for schedule 'cosine'/],
    [{ name: 'reduceOnPlateau', factor: 1 }, RangeError, /\(0, 1\) for schedule\.factor/],
    [{ name: 'reduceOnPlateau', patience: 1.5 }, RangeError, /schedule\.patience/],
    [{ name: 'reduceOnPlateau', monitor: 'accuracy' }, RangeError, /schedule\.monitor/],
    [
      { name: 'reduceOnPlateau', monitor: 'val_loss' },
      TypeError,
      /validationData or validationSplit for schedule\.monitor/,
    ],
    ['step', TypeError, /an object for schedule/],
  ])('schedule %j is refused (%s) and the network is untouched', (schedule, Kind, message) => {
    const net = make(undefined);
    const before = net.toJSON();
    expect(() => net.fitSync(X, y, { epochs: 1, schedule: schedule as never })).toThrow(Kind);
    expect(() => net.fitSync(X, y, { epochs: 1, schedule: schedule as never })).toThrow(message);
    expect(net.toJSON()).toEqual(before);
  });

  test.each([
    [
      [{ units: 4, dropout: 1 }, { units: 1 }],
      RangeError,
      /\[0, 1\) for layers\[0\]\.dropout but received 1/,
    ],
    [[{ units: 4, dropout: -0.1 }, { units: 1 }], RangeError, /layers\[0\]\.dropout/],
    [[{ units: 4, dropout: '0.2' }, { units: 1 }], TypeError, /layers\[0\]\.dropout but received '0\.2'/],
    [
      [{ units: 4 }, { units: 1, dropout: 0.2 }],
      RangeError,
      /dropout is for hidden layers.*layers\[1\]\.dropout/,
    ],
  ])('layers %j are refused', (layers, Kind, message) => {
    const build = () => new Network({ inputs: 3, layers: layers as never, engine });
    expect(build).toThrow(Kind);
    expect(build).toThrow(message);
  });
});

describe('without the new options nothing changed', () => {
  // The same training with the code before dropout and schedules existed (git 5189f56) gave
  // these SHA-256 prefixes of (parameter bytes, JSON of history.loss) on the TS engine (whose
  // arithmetic does not depend on the CPU; the native engine's was checked once the same way).
  it('the TS engine trains to the same bits as before', () => {
    const X = Array.from({ length: 50 }, (_, i) => [
      Math.sin(i * 0.7),
      Math.cos(i * 0.3),
      ((i * 7) % 11) / 11 - 0.5,
    ]);
    const y = X.map(([a, b]) => (a + b > 0 ? 1 : 0));
    const runs: [NetworkOptions['optimizer'], FitOptions, string][] = [
      [
        { name: 'adam', learningRate: 0.01, weightDecay: 0.001 },
        { epochs: 15, batchSize: 8, validationSplit: 0.2 },
        '8bc834eaf2974ae5',
      ],
      [
        { name: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: true },
        { epochs: 20, batchSize: 'full' },
        '3b08de37975812d6',
      ],
    ];
    for (const [optimizer, fit, expected] of runs) {
      const net = new Network({
        inputs: 3,
        layers: [
          { units: 16, activation: 'relu' },
          { units: 8, activation: 'tanh' },
          { units: 1, activation: 'sigmoid' },
        ],
        optimizer,
        seed: 11,
        engine: 'ts',
      });
      const h = net.fitSync(X, y, fit);
      const hash = createHash('sha256')
        .update(Buffer.from(net.getParameters().buffer))
        .update(JSON.stringify(h.loss))
        .digest('hex');
      expect(hash.slice(0, 16)).toBe(expected);
    }
  });
});

describe('reduceOnPlateau in the fit loop (FitSchedule)', () => {
  const plateau: ResolvedSchedule = {
    name: 'reduceOnPlateau',
    monitor: 'loss',
    factor: 0.5,
    patience: 2,
    minDelta: 0,
    cooldown: 0,
    minLearningRate: 0.1,
  };
  it('reduces after patience epochs without improvement, never below the minimum, and carries its reductions', () => {
    const s = new FitSchedule(plateau, 1, 10, null);
    const rates: number[] = [];
    for (const loss of [5, 4, 4, 4, 3.9, 4, 4, 4, 4, 4, 4, 4]) {
      rates.push(s.chunk().learningRate);
      s.afterEpoch({ loss });
    }
    expect(rates).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.1]);
    const next = new FitSchedule(plateau, 1, 10, s.state());
    expect(next.chunk().learningRate).toBe(0.1);
    // another schedule starts afresh
    expect(new FitSchedule({ ...plateau, factor: 0.25 }, 1, 10, s.state()).chunk().learningRate).toBe(1);
  });
});
