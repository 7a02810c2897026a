// Losses mae and huber, and sample weights (engine weights, fit's sampleWeight, classWeight,
// validationSampleWeight), on both engines: the float64 reference against finite differences,
// each engine against the reference (weighted, shuffled, a batch of weight 0), hand-computed
// values, the equivalences weights promise (weight-0 rows are absent, an integer weight is a
// repeated row, unit weights are no weights bit for bit), scikit-learn's 'balanced' weights,
// model files, and every bad option rejected before anything changes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { LossName, OptimizerPlan, TrainChunk } from '../lib/engine/engine.js';
import { stateSize } from '../lib/engine/layout.js';
import { Network, type NetworkOptions } from '../lib/index.js';
import { Random } from '../lib/random.js';
import { balancedClassWeights } from '../lib/sample-weights.js';
import { makeProblem, optimizer, type Problem, stack, trainerPlan } from './helpers/engine-problems.js';
import { engines } from './helpers/engines.js';
import { type LossOptions, referenceLossAndGradient, referenceTrain } from './helpers/reference.js';

type Engine = (typeof engines)[number];
const engineNames = engines.map((e) => e.name);

// --- helpers --------------------------------------------------------------------------------

/** Per-epoch shuffles of 0..rows-1. */
function shuffledOrder(rows: number, epochs: number, seed: number): Uint32Array {
  const rng = new Random(seed);
  const order = new Uint32Array(rows * epochs);
  for (let e = 0; e < epochs; e++) {
    for (let i = 0; i < rows; i++) order[e * rows + i] = i;
    rng.shuffle(order, rows, e * rows);
  }
  return order;
}

function trainEngine(
  engine: Engine,
  p: Problem,
  opt: OptimizerPlan,
  run: {
    epochs: number;
    batchSize: number;
    order?: Uint32Array | null;
    weights?: Float32Array | null;
    delta?: number;
  },
) {
  const params = p.params.slice();
  const state = new Float32Array(stateSize(opt.kind, params.length));
  const plan = { ...trainerPlan(p.layers, p.loss, opt, run.batchSize), huberDelta: run.delta ?? 1 };
  const trainer = engine.createTrainer(plan, params, state);
  const losses = new Float64Array(run.epochs);
  const chunk: TrainChunk = {
    X: p.X,
    Y: p.Y,
    rows: p.rows,
    order: run.order ?? null,
    epochs: run.epochs,
    batchSize: run.batchSize,
    step: 0,
    losses,
    weights: run.weights ?? null,
  };
  const step = trainer.trainEpochs(chunk);
  trainer.dispose();
  return { params, state, losses, step };
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

function expectIdentical(a: ArrayLike<number>, b: ArrayLike<number>, what: string) {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++)
    expect(Object.is(a[i], b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`).toBe(true);
}

/** Central finite differences of the reference loss against its backpropagated gradient. */
function checkReferenceGradient(p: Problem, options: LossOptions) {
  const params = Float64Array.from(p.params);
  const { grad } = referenceLossAndGradient(p.layers, p.loss, params, p.X, p.Y, p.rows, options);
  const h = 1e-6;
  for (let i = 0; i < params.length; i++) {
    const saved = params[i];
    params[i] = saved + h;
    const plus = referenceLossAndGradient(p.layers, p.loss, params, p.X, p.Y, p.rows, options).loss;
    params[i] = saved - h;
    const minus = referenceLossAndGradient(p.layers, p.loss, params, p.X, p.Y, p.rows, options).loss;
    params[i] = saved;
    const numeric = (plus - minus) / (2 * h);
    expect(Math.abs(grad[i] - numeric), `param ${i}: ${grad[i]} vs ${numeric}`).toBeLessThan(
      1e-7 * (1 + Math.abs(numeric)),
    );
  }
}

/** Weights in [0, 2] with some exact zeros, float32. */
function randomWeights(rows: number, seed: number): Float32Array {
  const rng = new Random(seed);
  const w = new Float32Array(rows);
  for (let r = 0; r < rows; r++) w[r] = r % 4 === 3 ? 0 : rng.range(0, 2);
  return w;
}

const LOSS_CASES: [LossName, string, number][] = [
  ['mae', 'linear', 1],
  ['mae', 'tanh', 1],
  ['huber', 'linear', 1],
  ['huber', 'sigmoid', 0.3],
  ['huber', 'softmax', 0.05],
  ['mse', 'linear', 1],
  ['sse', 'tanh', 1],
  ['bce', 'sigmoid', 1],
  ['cross-entropy', 'softmax', 1],
];

// --- the float64 reference -----------------------------------------------------------------

describe('float64 reference: mae and huber, weighted', () => {
  test.each(LOSS_CASES)(
    '%s with a %s output (delta %s): gradient equals central differences, unweighted and weighted',
    (loss, output, delta) => {
      const p = makeProblem(stack([3, 4, 2], 'tanh', output as never), loss, 6, 2500 + delta * 100);
      checkReferenceGradient(p, { delta });
      checkReferenceGradient(p, { delta, weights: randomWeights(6, 7) });
    },
  );
});

// --- each engine against the reference -----------------------------------------------------

describe.each(engines)('$name engine: weighted losses against the reference', (engine) => {
  test.each(LOSS_CASES)(
    `${engine.name}: %s with a %s output (delta %s): shuffled mini-batches with weights (one batch of weight 0) under adam equal the float64 replay`,
    (loss, output, delta) => {
      const p = makeProblem(stack([3, 5, 2], 'tanh', output as never), loss, 9, 2600 + delta * 100);
      // rows 3, 4 and 5 weigh 0 and are the second batch of the first epoch's order
      const weights = new Float32Array([1.5, 0.25, 2, 0, 0, 0, 1, 0.5, 3]);
      const order = shuffledOrder(9, 3, 11);
      order.set([0, 1, 2, 3, 4, 5, 6, 7, 8], 0);
      const opt = optimizer('adam', { learningRate: 0.01 });
      const run = { epochs: 3, batchSize: 3, order, weights, delta };
      const actual = trainEngine(engine, p, opt, run);
      const params = Float64Array.from(p.params);
      const state = new Float64Array(actual.state.length);
      const losses = referenceTrain(
        { ...run, layers: p.layers, loss, optimizer: opt, X: p.X, Y: p.Y, rows: 9, step: 0 },
        params,
        state,
      );
      expect(actual.step).toBe(9); // the weight-0 batch still counts as a step
      expectClose(actual.losses, losses, 1e-5, 1e-6, 'losses');
      expectClose(actual.params, params, 1e-4, 1e-5, 'params');
    },
  );

  test(`${engine.name}: a batch of weight 0 has loss 0 and changes neither the params nor the optimizer state`, () => {
    const p = makeProblem(stack([3, 4, 1], 'tanh', 'linear'), 'huber', 4, 2700);
    const opt = optimizer('adam', { learningRate: 0.1, weightDecay: 0.5 });
    const out = trainEngine(engine, p, opt, { epochs: 2, batchSize: 4, weights: new Float32Array(4) });
    expect(out.step).toBe(2);
    expect(Array.from(out.losses)).toEqual([0, 0]);
    expectIdentical(out.params, p.params, 'params');
    expect(out.state.every((v) => v === 0)).toBe(true);
  });

  test(`${engine.name}: unit weights give the unweighted losses and params bit for bit, every loss, shuffled mini-batches`, () => {
    for (const [loss, output, delta] of LOSS_CASES) {
      const p = makeProblem(stack([3, 6, 3], 'leakyRelu', output as never), loss, 37, 2800, 0);
      const order = shuffledOrder(37, 4, 5);
      const opt = optimizer('adam', { learningRate: 0.01 });
      const plain = trainEngine(engine, p, opt, { epochs: 4, batchSize: 8, order, delta });
      const ones = trainEngine(engine, p, opt, {
        epochs: 4,
        batchSize: 8,
        order,
        delta,
        weights: new Float32Array(37).fill(1),
      });
      expectIdentical(ones.losses, plain.losses, `${loss} losses`);
      expectIdentical(ones.params, plain.params, `${loss} params`);
      expectIdentical(ones.state, plain.state, `${loss} state`);
    }
  });

  test(`${engine.name}: evaluate with weights is the weighted loss; unit weights give evaluate's number bit for bit`, () => {
    const p = makeProblem(stack([3, 4, 2], 'tanh', 'linear'), 'huber', 300, 2900);
    const weights = randomWeights(300, 3);
    const model = engine.createModel(
      { layers: p.layers, loss: 'huber', threads: 1, huberDelta: 0.5 },
      p.params,
    );
    const out = new Float32Array(600);
    const weighted = model.evaluate(p.X, p.Y, 300, out, weights);
    const expected = referenceLossAndGradient(p.layers, 'huber', Float64Array.from(p.params), p.X, p.Y, 300, {
      delta: 0.5,
      weights,
    }).loss;
    expect(Math.abs(weighted - expected)).toBeLessThan(1e-6 * (1 + expected));
    const plain = model.evaluate(p.X, p.Y, 300, out);
    expect(Object.is(model.evaluate(p.X, p.Y, 300, out, new Float32Array(300).fill(1)), plain)).toBe(true);
    expect(model.evaluate(p.X, p.Y, 300, out, null)).toBe(plain);
    model.dispose();
    const trainer = engine.createTrainer(
      { ...trainerPlan(p.layers, 'huber', optimizer('sgd'), 64), huberDelta: 0.5 },
      p.params.slice(),
      new Float32Array(0),
    );
    expect(Math.abs(trainer.evaluate(p.X, p.Y, 300, out, weights) - expected)).toBeLessThan(
      1e-6 * (1 + expected),
    );
    trainer.dispose();
  });

  test(`${engine.name}: bad weights are refused before anything changes`, () => {
    const p = makeProblem(stack([3, 1], 'tanh', 'linear'), 'mae', 4, 3000);
    const params = p.params.slice();
    const trainer = engine.createTrainer(
      trainerPlan(p.layers, 'mae', optimizer('sgd'), 4),
      params,
      new Float32Array(0),
    );
    const chunk = (weights: unknown): TrainChunk => ({
      X: p.X,
      Y: p.Y,
      rows: 4,
      order: null,
      epochs: 1,
      batchSize: 4,
      step: 0,
      losses: new Float64Array(1),
      weights: weights as Float32Array,
    });
    expect(() => trainer.trainEpochs(chunk(new Float32Array([1, -1, 1, 1])))).toThrow(
      new RangeError('Expected finite weights >= 0 for weights but received -1 at 1'),
    );
    expect(() => trainer.trainEpochs(chunk(new Float32Array([1, 1, 1, Number.NaN])))).toThrow(
      new RangeError('Expected finite weights >= 0 for weights but received NaN at 3'),
    );
    expect(() => trainer.trainEpochs(chunk(new Float32Array(3)))).toThrow(RangeError);
    expect(() => trainer.trainEpochs(chunk([1, 1, 1, 1]))).toThrow(TypeError);
    expect(() =>
      trainer.evaluate(
        p.X,
        p.Y,
        4,
        new Float32Array(4),
        new Float32Array([0, Number.POSITIVE_INFINITY, 0, 0]),
      ),
    ).toThrow(new RangeError('Expected finite weights >= 0 for weights but received Infinity at 1'));
    expectIdentical(params, p.params, 'params');
    trainer.dispose();
  });
});

// --- hand-computed values -------------------------------------------------------------------

/** A network whose prediction is its input: one linear unit, no bias, weight 1. */
function identityNet(engine: string, loss: NetworkOptions['loss']): Network {
  const net = new Network({
    inputs: 1,
    layers: [{ units: 1, activation: 'linear', useBias: false }],
    loss,
    optimizer: { name: 'sgd', learningRate: 1 },
    seed: 1,
    engine: engine as never,
  });
  net.setParameters(new Float32Array([1]));
  return net;
}

describe.each(engineNames)('%s engine: hand-computed mae and huber', (engine) => {
  test('huber: 0.5 r^2 below delta, delta (|r| - delta / 2) above, mean over rows; its gradient', () => {
    // residuals 0.5 (quadratic: 0.125) and -3 (linear: 1 * (3 - 0.5) = 2.5); mean 1.3125
    const X = [[0.5], [-3]];
    const y = [0, 0];
    expect(identityNet(engine, 'huber').evaluate(X, y).loss).toBeCloseTo(1.3125, 12);
    // delta 2: 0.125 and 2 * (3 - 1) = 4; mean 2.0625
    expect(identityNet(engine, { name: 'huber', delta: 2 }).evaluate(X, y).loss).toBeCloseTo(2.0625, 12);
    // delta 0.25: both linear: 0.25 * (0.5 - 0.125) + 0.25 * (3 - 0.125) = 0.09375 + 0.71875; mean 0.40625
    expect(identityNet(engine, { name: 'huber', delta: 0.25 }).evaluate(X, y).loss).toBeCloseTo(0.40625, 7);
    // one sgd step with lr 1: dL/dw = mean of clip(r, delta) * x = (0.5 * 0.5 + (-1) * (-3)) / 2 = 1.625
    const net = identityNet(engine, 'huber');
    const h = net.fitSync(X, y, { epochs: 1, batchSize: 'full' });
    expect(h.loss[0]).toBeCloseTo(1.3125, 12);
    expect(net.getParameters()[0]).toBeCloseTo(1 - 1.625, 6);
  });

  test('mae: mean |p - y|, gradient sign(p - y) with 0 where p == y', () => {
    const X = [[0.5], [-3], [2]];
    const y = [0, 0, 2]; // residuals 0.5, -3, 0
    const net = identityNet(engine, 'mae');
    expect(net.evaluate(X, y).loss).toBeCloseTo(3.5 / 3, 12);
    net.fitSync(X, y, { epochs: 1, batchSize: 'full' });
    // dL/dw = (1 * 0.5 + (-1) * (-3) + 0 * 2) / 3 = 3.5 / 3
    expect(net.getParameters()[0]).toBeCloseTo(1 - 3.5 / 3, 6);
  });

  test('weighted huber: the weighted mean over the batch weight (sampleWeight)', () => {
    const net = identityNet(engine, 'huber');
    const h = net.fitSync([[0.5], [-3]], [0, 0], { epochs: 1, batchSize: 'full', sampleWeight: [3, 1] });
    expect(h.loss[0]).toBeCloseTo((3 * 0.125 + 2.5) / 4, 12);
    expect(net.getParameters()[0]).toBeCloseTo(1 - (3 * 0.25 + 3) / 4, 6);
  });
});

// --- what weights promise, through fit --------------------------------------------------------

function regressionData(rows: number, seed: number) {
  const rng = new Random(seed);
  const X = Array.from({ length: rows }, () => [rng.range(-1, 1), rng.range(-1, 1), rng.range(-1, 1)]);
  const y = X.map(([a, b, c]) => [Math.sin(2 * a) + b * c, a - b]);
  return { X, y };
}

function classData(rows: number, classes: number, seed: number) {
  const rng = new Random(seed);
  const X = Array.from({ length: rows }, () => [rng.range(-1, 1), rng.range(-1, 1)]);
  const y = X.map(([a], r) => (r % 5 === 0 ? 0 : Math.floor(((a + 1) / 2) * classes) % classes));
  return { X, y };
}

const regressionNet = (
  engine: string,
  loss: NetworkOptions['loss'],
  name: 'sgd' | 'adam',
  activation = 'linear',
) =>
  new Network({
    inputs: 3,
    layers: [
      { units: 8, activation: 'tanh' },
      { units: 2, activation: activation as never },
    ],
    loss,
    optimizer: { name, learningRate: 0.05 },
    seed: 42,
    engine: engine as never,
  });

describe.each(engineNames)('%s engine: sample weights through fit', (engine) => {
  test.each([['mae'], ['huber'], ['mse'], ['sse']] as const)(
    'weights [1..1, 0..0] full-batch give the weights of training on the weighted rows alone (%s, adam)',
    (loss) => {
      const { X, y } = regressionData(30, 1);
      const weighted = regressionNet(engine, loss, 'adam');
      const h1 = weighted.fitSync(X, y, {
        epochs: 20,
        batchSize: 'full',
        sampleWeight: X.map((_, r) => (r < 18 ? 1 : 0)),
      });
      const alone = regressionNet(engine, loss, 'adam');
      const h2 = alone.fitSync(X.slice(0, 18), y.slice(0, 18), { epochs: 20, batchSize: 'full' });
      expectClose(h1.loss, h2.loss, 1e-6, 1e-7, 'losses');
      expectClose(weighted.getParameters(), alone.getParameters(), 1e-5, 1e-6, 'params');
    },
  );

  test.each([['mae'], ['huber'], ['mse'], ['bce']] as const)(
    'an integer weight k equals repeating the row k times (full-batch sgd, %s)',
    (loss) => {
      const { X, y } = regressionData(12, 2);
      const targets = loss === 'bce' ? y.map(([a]) => [a > 0 ? 1 : 0, 0.5]) : y;
      const k = [1, 3, 2, 1, 1, 4, 1, 2, 1, 1, 3, 1];
      const repeatedX = X.flatMap((row, r) => Array.from({ length: k[r] }, () => row));
      const repeatedY = targets.flatMap((row, r) => Array.from({ length: k[r] }, () => row));
      const activation = loss === 'bce' ? 'sigmoid' : 'linear';
      const weighted = regressionNet(engine, loss, 'sgd', activation);
      const h1 = weighted.fitSync(X, targets, { epochs: 15, batchSize: 'full', sampleWeight: k });
      const repeated = regressionNet(engine, loss, 'sgd', activation);
      const h2 = repeated.fitSync(repeatedX, repeatedY, { epochs: 15, batchSize: 'full' });
      expectClose(h1.loss, h2.loss, 1e-5, 1e-7, 'losses');
      expectClose(weighted.getParameters(), repeated.getParameters(), 1e-5, 1e-6, 'params');
    },
  );

  test('sampleWeight of ones is bit-identical to none: losses, accuracy, validation, weights (shuffled mini-batches)', () => {
    const { X, y } = classData(70, 3, 3);
    const make = () =>
      new Network({
        inputs: 2,
        layers: [{ units: 6 }, { units: 3, activation: 'softmax' }],
        optimizer: 'adam',
        seed: 9,
        engine: engine as never,
      });
    const a = make();
    const ha = a.fitSync(X, y, { epochs: 6, batchSize: 16, validationSplit: 0.2 });
    const b = make();
    const hb = b.fitSync(X, y, {
      epochs: 6,
      batchSize: 16,
      validationSplit: 0.2,
      sampleWeight: new Float32Array(70).fill(1),
      validationSampleWeight: new Array(14).fill(1),
    });
    expectIdentical(hb.loss, ha.loss, 'loss');
    expectIdentical(hb.accuracy, ha.accuracy, 'accuracy');
    expectIdentical(hb.val_loss, ha.val_loss, 'val_loss');
    expectIdentical(hb.val_accuracy, ha.val_accuracy, 'val_accuracy');
    expectIdentical(b.getParameters(), a.getParameters(), 'params');
  });

  test('weights follow the shuffle: each row keeps its weight in whatever batch it lands', () => {
    // Shuffled mini-batches: if a weight did not travel with its row through the shuffle, the
    // weight-0 rows' targets (here replaced by nonsense) would leak into training.
    const { X, y } = regressionData(40, 4);
    const w = X.map((_, r) => (r % 3 === 0 ? 0 : 1 + (r % 2)));
    const noisy = y.map((row, r) => (w[r] === 0 ? [100 * row[0] + 7, -50] : row));
    const a = regressionNet(engine, 'huber', 'adam');
    const ha = a.fitSync(X, y, { epochs: 5, batchSize: 8, sampleWeight: w });
    const b = regressionNet(engine, 'huber', 'adam');
    const hb = b.fitSync(X, noisy, { epochs: 5, batchSize: 8, sampleWeight: w });
    expectIdentical(hb.loss, ha.loss, 'loss');
    expectIdentical(b.getParameters(), a.getParameters(), 'params');
  });

  test('validationSampleWeight weighs val_loss; without it validation is unweighted', () => {
    const { X, y } = regressionData(30, 5);
    const vx = X.slice(20);
    const vy = y.slice(20);
    const net = regressionNet(engine, 'mae', 'sgd');
    const h = net.fitSync(X.slice(0, 20), y.slice(0, 20), {
      epochs: 1,
      validationData: [vx, vy],
      validationSampleWeight: vx.map((_, r) => (r < 4 ? 1 : 0)),
    });
    expect(h.val_loss[0]).toBeCloseTo(net.evaluate(vx.slice(0, 4), vy.slice(0, 4)).loss, 6);
    const plain = regressionNet(engine, 'mae', 'sgd');
    const hp = plain.fitSync(X.slice(0, 20), y.slice(0, 20), { epochs: 1, validationData: [vx, vy] });
    expect(hp.val_loss[0]).toBe(plain.evaluate(vx, vy).loss);
  });

  test("classWeight 'balanced' trains exactly as sampleWeight set to scikit-learn's balanced weights; both multiply", () => {
    const { X, y } = classData(50, 3, 6);
    const counts = [0, 0, 0];
    for (const c of y) counts[c]++;
    const balanced = counts.map((c) => 50 / (3 * c)); // compute_class_weight('balanced')
    const make = () =>
      new Network({
        inputs: 2,
        layers: [{ units: 5 }, { units: 3, activation: 'softmax' }],
        optimizer: 'adam',
        seed: 3,
        engine: engine as never,
      });
    const a = make();
    const ha = a.fitSync(X, y, { epochs: 4, batchSize: 16, classWeight: 'balanced' });
    const b = make();
    const hb = b.fitSync(X, y, {
      epochs: 4,
      batchSize: 16,
      sampleWeight: y.map((c) => Math.fround(balanced[c])),
    });
    expectIdentical(ha.loss, hb.loss, 'loss');
    expectIdentical(a.getParameters(), b.getParameters(), 'params');
    // classWeight numbers times sampleWeight
    const sw = y.map((_, r) => 1 + (r % 3));
    const cw = [0.5, 2, 1.25];
    const c = make();
    const hc = c.fitSync(X, y, { epochs: 2, batchSize: 16, sampleWeight: sw, classWeight: cw });
    const d = make();
    const hd = d.fitSync(X, y, { epochs: 2, batchSize: 16, sampleWeight: y.map((k, r) => sw[r] * cw[k]) });
    expectIdentical(hc.loss, hd.loss, 'loss');
    expectIdentical(c.getParameters(), d.getParameters(), 'params');
  });

  test('classWeight on a single sigmoid output: classes 0 and 1', () => {
    const X = [[0], [1], [2], [3]];
    const y = [0, 0, 0, 1];
    const make = () =>
      new Network({
        inputs: 1,
        layers: [{ units: 1, activation: 'sigmoid' }],
        optimizer: 'sgd',
        seed: 1,
        engine: engine as never,
      });
    const a = make();
    a.fitSync(X, y, { epochs: 3, batchSize: 'full', classWeight: [1, 3] });
    const b = make();
    b.fitSync(X, y, { epochs: 3, batchSize: 'full', sampleWeight: [1, 1, 1, 3] });
    expectIdentical(a.getParameters(), b.getParameters(), 'params');
  });
});

describe("classWeight 'balanced' equals scikit-learn's compute_class_weight", () => {
  test('hand cases (the values compute_class_weight returns for them)', () => {
    // compute_class_weight('balanced', classes=[0, 1], y=[0, 0, 0, 1]) -> [0.6667, 2.0]
    expectClose(balancedClassWeights([0, 0, 0, 1], 2), [4 / 6, 2], 1e-15, 1e-300, 'binary');
    // compute_class_weight('balanced', classes=[0, 1, 2], y=[0, 0, 1, 2, 2, 2]) -> [1.0, 2.0, 0.6667]
    expectClose(balancedClassWeights([0, 0, 1, 2, 2, 2], 3), [1, 2, 2 / 3], 1e-15, 1e-300, 'three classes');
    // a class with no sample weighs 0; the others count only the classes present
    expectClose(balancedClassWeights([0, 2, 2, 2], 3), [2, 0, 4 / 6], 1e-15, 1e-300, 'missing class');
  });

  let sklearn = false;
  try {
    execFileSync('python3', ['-c', 'import sklearn'], { stdio: 'ignore' });
    sklearn = true;
  } catch {
    // no python3 with scikit-learn here: the hand cases above stand
  }
  test.skipIf(!sklearn)('against scikit-learn itself on a random labelling', () => {
    const rng = new Random(12);
    const y = Array.from({ length: 200 }, () => Math.min(4, Math.floor(rng.range(0, 1) ** 2 * 5)));
    const script =
      'import sys, json, numpy as np\nfrom sklearn.utils.class_weight import compute_class_weight\n' +
      'y = np.array(json.loads(sys.argv[1]))\nprint(json.dumps(compute_class_weight("balanced", classes=np.unique(y), y=y).tolist()))';
    const expected = JSON.parse(
      execFileSync('python3', ['-c', script, JSON.stringify(y)], { encoding: 'utf8' }),
    ) as number[];
    const present = [...new Set(y)].sort();
    const ours = balancedClassWeights(y, 5);
    expectClose(
      present.map((c) => ours[c]),
      expected,
      1e-12,
      0,
      'weights',
    );
  });
});

// --- model files ------------------------------------------------------------------------------

describe('huber delta in model files and JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fastmlp-25-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const make = () =>
    new Network({
      inputs: 2,
      layers: [{ units: 3 }, { units: 1 }],
      loss: { name: 'huber', delta: 0.375 },
      seed: 5,
      engine: 'ts',
    });

  test('save/load and toJSON/fromJSON keep the delta; the loss stays the name', async () => {
    const net = make();
    expect(net.loss).toBe('huber');
    expect(net.huberDelta).toBe(0.375);
    const path = join(dir, 'huber.safetensors');
    await net.save(path);
    const loaded = await Network.load(path);
    expect(loaded.loss).toBe('huber');
    expect(loaded.huberDelta).toBe(0.375);
    const X = [
      [3, -2],
      [0.1, 0.2],
    ];
    const y = [10, 0];
    expect(loaded.evaluate(X, y).loss).toBe(net.evaluate(X, y).loss);
    const json = net.toJSON();
    expect(json.huberDelta).toBe(0.375);
    expect(Network.fromJSON(JSON.stringify(json)).huberDelta).toBe(0.375);
  });

  test('a JSON without huberDelta (written before it existed) loads with delta 1; a bad one is refused', () => {
    const json = { ...make().toJSON() } as Record<string, unknown>;
    delete json.huberDelta;
    expect(Network.fromJSON(json).huberDelta).toBe(1);
    expect(() => Network.fromJSON({ ...json, huberDelta: -1 })).toThrow(
      new RangeError('Expected a positive finite float32 number for huberDelta but received -1'),
    );
  });

  test('other losses report no delta', () => {
    expect(
      new Network({ inputs: 1, layers: [{ units: 1 }], loss: 'mae', engine: 'ts' }).huberDelta,
    ).toBeNull();
    expect(new Network({ inputs: 1, layers: [{ units: 1 }], loss: { name: 'mae' }, engine: 'ts' }).loss).toBe(
      'mae',
    );
  });
});

// --- bad options ------------------------------------------------------------------------------

describe('bad loss and weight options are refused, naming the option, with the network untouched', () => {
  const net = () =>
    new Network({
      inputs: 1,
      layers: [{ units: 2, activation: 'softmax' }],
      optimizer: 'sgd',
      seed: 2,
      engine: 'ts',
    });
  const X = [[0], [1], [2], [3]];
  const y = [0, 1, 1, 0];

  test.each([
    [
      { name: 'mse', delta: 1 },
      TypeError,
      "Expected no delta for loss 'mse' (only huber takes one) for loss.delta but received 1",
    ],
    [
      { name: 'huber', delta: 0 },
      RangeError,
      'Expected a positive finite float32 number for loss.delta but received 0',
    ],
    [{ name: 'huber', delta: Number.NaN }, RangeError, 'for loss.delta but received NaN'],
    [{ name: 'huber', delta: '1' }, TypeError, "for loss.delta but received '1'"],
    [{ name: 'huber', detla: 1 }, TypeError, "Unknown option 'detla' for loss"],
    [{ name: 'hubber' }, RangeError, 'for loss.name'],
    [{ delta: 1 }, TypeError, 'for loss.name but received undefined'],
  ])('loss %j', (loss, Kind, message) => {
    expect(
      () => new Network({ inputs: 1, layers: [{ units: 1 }], loss: loss as never, engine: 'ts' }),
    ).toThrow(Kind);
    expect(
      () => new Network({ inputs: 1, layers: [{ units: 1 }], loss: loss as never, engine: 'ts' }),
    ).toThrow(message);
  });

  test.each([
    [
      'sampleWeight',
      { sampleWeight: [1, 1, 1] },
      RangeError,
      'Expected 4 weights (one per sample of X) for sampleWeight but received an array of length 3',
    ],
    [
      'sampleWeight',
      { sampleWeight: [1, -1, 1, 1] },
      RangeError,
      'Expected a non-negative finite float32 number for sampleWeight[1] but received -1',
    ],
    [
      'sampleWeight',
      { sampleWeight: [1, Number.NaN, 1, 1] },
      RangeError,
      'for sampleWeight[1] but received NaN',
    ],
    [
      'sampleWeight',
      { sampleWeight: [1, 1e300, 1, 1] },
      RangeError,
      'for sampleWeight[1] but received 1e+300',
    ],
    ['sampleWeight', { sampleWeight: [1, '1', 1, 1] }, TypeError, "for sampleWeight[1] but received '1'"],
    [
      'sampleWeight',
      { sampleWeight: 'ones' },
      TypeError,
      'Expected an array or a Float32Array of one weight per sample for sampleWeight',
    ],
    [
      'sampleWeight',
      { sampleWeight: new Float64Array(4) },
      TypeError,
      'for sampleWeight but received a Float64Array',
    ],
    [
      'sampleWeight',
      { sampleWeight: [0, 0, 0, 0] },
      RangeError,
      'Expected sampleWeight to give the samples a positive total weight but received all zero',
    ],
    [
      'sampleWeight',
      { sampleWeight: [0, 0, 1, 1], validationSplit: 0.5 },
      RangeError,
      'Expected sampleWeight to give the samples validationSplit keeps a positive total weight',
    ],
    [
      'classWeight',
      { classWeight: 'balance' },
      RangeError,
      "Expected 'balanced' or an array of one weight per class for classWeight but received 'balance'",
    ],
    ['classWeight', { classWeight: { 0: 1, 1: 2 } }, TypeError, 'for classWeight but received an object'],
    [
      'classWeight',
      { classWeight: [1, 2, 3] },
      RangeError,
      'Expected 2 weights (one per class of the output) for classWeight',
    ],
    ['classWeight', { classWeight: [1, -2] }, RangeError, 'for classWeight[1] but received -2'],
    [
      'classWeight',
      { classWeight: [0, 0] },
      RangeError,
      'Expected classWeight to give the training samples a positive total weight',
    ],
    [
      'classWeight',
      { classWeight: [1, 0], sampleWeight: [0, 1, 1, 0] },
      RangeError,
      'Expected sampleWeight and classWeight to give the training samples',
    ],
    [
      'validationSampleWeight',
      { validationSampleWeight: [1] },
      TypeError,
      'Expected validationData or validationSplit for validationSampleWeight but received neither',
    ],
    [
      'validationSampleWeight',
      { validationSplit: 0.5, validationSampleWeight: [1, 1, 1] },
      RangeError,
      'Expected 2 weights (one per validation sample) for validationSampleWeight',
    ],
    [
      'validationSampleWeight',
      { validationSplit: 0.5, validationSampleWeight: [0, 0] },
      RangeError,
      'Expected validationSampleWeight to give the validation samples a positive total weight',
    ],
    [
      'validationSampleWeight',
      { validationSplit: 0.5, validationSampleWeight: [1, -0.5] },
      RangeError,
      'for validationSampleWeight[1] but received -0.5',
    ],
  ])('%s: %j', (_, options, Kind, message) => {
    const n = net();
    const before = n.getParameters();
    expect(() => n.fitSync(X, y, options as never)).toThrow(Kind);
    expect(() => n.fitSync(X, y, options as never)).toThrow(message);
    expectIdentical(n.getParameters(), before, 'params');
    expect(n.steps).toBe(0);
  });

  test('classWeight is refused for regression and multi-label outputs', () => {
    const regression = new Network({ inputs: 1, layers: [{ units: 1 }], loss: 'huber', engine: 'ts' });
    expect(() => regression.fitSync(X, y, { classWeight: 'balanced' })).toThrow(
      new TypeError(
        "Expected a classification output for classWeight: a 'linear' output is regression, which has no classes",
      ),
    );
    const multilabel = new Network({
      inputs: 1,
      layers: [{ units: 2, activation: 'sigmoid' }],
      engine: 'ts',
    });
    expect(() =>
      multilabel.fitSync(
        X,
        [
          [0, 1],
          [1, 1],
          [0, 0],
          [1, 0],
        ],
        { classWeight: [1, 2] },
      ),
    ).toThrow(
      'Expected a classification output for classWeight: a multi-label output (several sigmoid units with bce) has no single class per sample',
    );
    expect(regression.steps + multilabel.steps).toBe(0);
  });
});
