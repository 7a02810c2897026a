// Trainers over many batches and epochs: size checks first, then batches (a partial last one),
// `order`, determinism, chunked epochs, predict / evaluate past one batch, and learning xor.
// Expected values come from the float64 reference replaying the same batches.
import { describe, expect, test } from 'vitest';
import type { ActivationName, LossName, OptimizerPlan, TrainChunk } from '../lib/engine/engine.js';
import { paramLayout, stateSize } from '../lib/engine/layout.js';
import { Random } from '../lib/random.js';
import { makeProblem, optimizer, type Problem, stack, trainerPlan } from './helpers/engine-problems.js';
import { engines } from './helpers/engines.js';
import { referenceForward, referenceLoss, referenceTrain } from './helpers/reference.js';

type Engine = (typeof engines)[number];

function start(engine: Engine, p: Problem, opt: OptimizerPlan, batchSize: number) {
  const params = p.params.slice();
  const state = new Float32Array(stateSize(opt.kind, params.length));
  const trainer = engine.createTrainer(trainerPlan(p.layers, p.loss, opt, batchSize), params, state);
  return { trainer, params, state };
}

function chunk(p: Problem, epochs: number, batchSize: number, order: Uint32Array | null = null): TrainChunk {
  return {
    X: p.X,
    Y: p.Y,
    rows: p.rows,
    order,
    epochs,
    batchSize,
    step: 0,
    losses: new Float64Array(epochs),
  };
}

/** Per-epoch shuffles of 0..rows-1, as the fit loop builds them. */
function shuffledOrder(rows: number, epochs: number, seed: number): Uint32Array {
  const rng = new Random(seed);
  const order = new Uint32Array(rows * epochs);
  const perm = new Uint32Array(rows);
  for (let e = 0; e < epochs; e++) {
    for (let i = 0; i < rows; i++) perm[i] = i;
    rng.shuffle(perm);
    order.set(perm, e * rows);
  }
  return order;
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

describe.each(engines)('$name engine: training', (engine) => {
  const mse = () => makeProblem(stack([3, 5, 2], 'tanh', 'sigmoid'), 'mse', 10, 4200);

  test(`${engine.name}: inconsistent sizes are a RangeError naming the argument, and change nothing`, () => {
    const p = mse();
    const opt = optimizer('adam');
    const P = paramLayout(p.layers).size;
    const plan = trainerPlan(p.layers, 'mse', opt, 4);
    expect(() => engine.createTrainer(plan, new Float32Array(P - 1), new Float32Array(2 * P))).toThrow(
      /params/,
    );
    expect(() => engine.createTrainer(plan, new Float32Array(P), new Float32Array(P))).toThrow(/state/);
    const { trainer, params, state } = start(engine, p, opt, 4);
    const bad: [Partial<TrainChunk>, RegExp][] = [
      [{ X: p.X.subarray(1) }, /X/],
      [{ Y: p.Y.subarray(1) }, /Y/],
      [{ rows: 0 }, /rows/],
      [{ batchSize: 5 }, /batchSize/],
      [{ batchSize: 0 }, /batchSize/],
      [{ losses: new Float64Array(1) }, /losses/],
      [{ order: new Uint32Array(19) }, /order/],
      [{ order: new Uint32Array(20).fill(10) }, /order/],
      [{ epochs: 1.5 }, /epochs/],
    ];
    for (const [change, message] of bad) {
      expect(() => trainer.trainEpochs({ ...chunk(p, 2, 4), ...change })).toThrow(RangeError);
      expect(() => trainer.trainEpochs({ ...chunk(p, 2, 4), ...change })).toThrow(message);
    }
    expect(() => trainer.predict(p.X, 10, new Float32Array(19))).toThrow(/out/);
    expect(() => trainer.predict(p.X, 11, new Float32Array(22))).toThrow(/X/);
    expect(() => trainer.evaluate(p.X, p.Y.subarray(2), 10, new Float32Array(20))).toThrow(/Y/);
    expect(Array.from(params)).toEqual(Array.from(p.params));
    expect(state.every((v) => v === 0)).toBe(true);
  });

  test(`${engine.name}: trainEpochsAsync rejects bad sizes; dispose is final and safe twice`, async () => {
    const p = mse();
    const { trainer } = start(engine, p, optimizer('sgd'), 4);
    await expect(trainer.trainEpochsAsync({ ...chunk(p, 1, 4), rows: 11 })).rejects.toThrow(RangeError);
    await expect(trainer.trainEpochsAsync(chunk(p, 1, 4))).resolves.toBe(3);
    trainer.dispose();
    trainer.dispose();
    expect(() => trainer.trainEpochs(chunk(p, 1, 4))).toThrow(/disposed/);
    expect(() => trainer.predict(p.X, 10, new Float32Array(20))).toThrow(/disposed/);
    await expect(trainer.trainEpochsAsync(chunk(p, 1, 4))).rejects.toThrow(/disposed/);
  });

  test(`${engine.name}: runsOffThread says where trainEpochsAsync trains`, async () => {
    const p = mse();
    const { trainer, params } = start(engine, p, optimizer('sgd'), 4);
    expect(trainer.runsOffThread).toBe(engine.name === 'native'); // the addon trains on a libuv worker
    const before = params.slice();
    const pending = trainer.trainEpochsAsync(chunk(p, 1, 4));
    // on the calling thread, the chunk is done when the call returns; off it, fit must not touch the weights yet
    if (!trainer.runsOffThread) expect(params).not.toEqual(before);
    await expect(pending).resolves.toBe(3);
    expect(params).not.toEqual(before);
  });

  const BATCHING: [LossName, ActivationName, ActivationName, OptimizerPlan][] = [
    ['mse', 'tanh', 'sigmoid', optimizer('sgd', { learningRate: 0.5 })],
    ['sse', 'relu', 'linear', optimizer('momentum', { learningRate: 0.02 })],
    ['half-sse', 'leakyRelu', 'tanh', optimizer('nesterov', { learningRate: 0.05, weightDecay: 0.01 })],
    ['bce', 'sigmoid', 'sigmoid', optimizer('adam', { learningRate: 0.02 })],
    ['cross-entropy', 'tanh', 'softmax', optimizer('adam', { learningRate: 0.02, weightDecay: 0.01 })],
  ];

  test.each(BATCHING)(
    `${engine.name}: %s: 10 rows in batches of 4 (last one 2), in data order and shuffled, match the replay`,
    (loss, hidden, output, opt) => {
      const layers = stack([3, 5, 2], hidden, output);
      const p = makeProblem(layers, loss, 10, 4201);
      for (const order of [null, shuffledOrder(10, 4, 7)]) {
        const { trainer, params, state } = start(engine, p, opt, 4);
        const c = chunk(p, 4, 4, order);
        expect(trainer.trainEpochs(c)).toBe(12);
        const refParams = Float64Array.from(p.params);
        const refState = new Float64Array(state.length);
        const run = { ...c, layers, loss, optimizer: opt };
        const refLosses = referenceTrain(run, refParams, refState);
        expectClose(c.losses, refLosses, 1e-5, 1e-7, 'losses');
        expectClose(params, refParams, 1e-4, 1e-5, 'params');
      }
    },
  );

  test(`${engine.name}: order decides the batches: another order gives other weights`, () => {
    const p = mse();
    const a = start(engine, p, optimizer('sgd', { learningRate: 0.5 }), 4);
    const b = start(engine, p, optimizer('sgd', { learningRate: 0.5 }), 4);
    a.trainer.trainEpochs(chunk(p, 2, 4, shuffledOrder(10, 2, 1)));
    b.trainer.trainEpochs(chunk(p, 2, 4, shuffledOrder(10, 2, 2)));
    expect(Array.from(a.params)).not.toEqual(Array.from(b.params));
  });

  test(`${engine.name}: the same inputs give bit-identical params, state and losses`, () => {
    const p = mse();
    const order = shuffledOrder(10, 5, 3);
    const runs = [0, 1].map(() => {
      const run = start(engine, p, optimizer('adam', { learningRate: 0.01 }), 4);
      const c = chunk(p, 5, 3, order);
      run.trainer.trainEpochs(c);
      return { params: Array.from(run.params), state: Array.from(run.state), losses: Array.from(c.losses) };
    });
    expect(runs[1]).toEqual(runs[0]);
  });

  test(`${engine.name}: 6 epochs in one call equal 3 + 3 with the step carried (adam's t)`, () => {
    const p = mse();
    const order = shuffledOrder(10, 6, 4);
    const opt = optimizer('adam', { learningRate: 0.01 });
    const whole = start(engine, p, opt, 4);
    const c = chunk(p, 6, 4, order);
    expect(whole.trainer.trainEpochs(c)).toBe(18);
    const split = start(engine, p, opt, 4);
    const first = chunk(p, 3, 4, order.slice(0, 30));
    const step = split.trainer.trainEpochs(first);
    const second = { ...chunk(p, 3, 4, order.slice(30)), step };
    expect(split.trainer.trainEpochs(second)).toBe(18);
    expect(Array.from(split.params)).toEqual(Array.from(whole.params));
    expect([...first.losses, ...second.losses]).toEqual(Array.from(c.losses));
  });

  test.each(['mse', 'sse', 'cross-entropy'] as LossName[])(
    `${engine.name}: %s: predict and evaluate on 37 rows with batchSize 8`,
    (loss) => {
      const layers = stack([4, 6, 3], 'tanh', loss === 'cross-entropy' ? 'softmax' : 'sigmoid');
      const p = makeProblem(layers, loss, 37, 4202);
      const { trainer } = start(engine, p, optimizer('sgd'), 8);
      const out = new Float32Array(37 * 3).fill(Number.NaN);
      trainer.predict(p.X, 37, out);
      const { A } = referenceForward(layers, p.params, p.X, 37);
      expectClose(out, A[1], 1e-5, 1e-6, 'predict');
      const out2 = new Float32Array(37 * 3);
      const value = trainer.evaluate(p.X, p.Y, 37, out2);
      expect(Array.from(out2)).toEqual(Array.from(out));
      const expected = referenceLoss(loss, A[1], p.Y, 37, 3);
      expect(Math.abs(value - expected)).toBeLessThan(1e-5 * Math.abs(expected));
      trainer.predict(p.X, 0, new Float32Array(0));
    },
  );

  test.each(['mse', 'sse', 'cross-entropy'] as LossName[])(
    `${engine.name}: %s: a trainer predicts and evaluates as the inference model over its params`,
    (loss) => {
      const layers = stack([4, 6, 3], 'tanh', loss === 'cross-entropy' ? 'softmax' : 'sigmoid');
      const p = makeProblem(layers, loss, 300, 4203);
      const { trainer, params } = start(engine, p, optimizer('sgd'), 8);
      trainer.trainEpochs(chunk(p, 2, 8)); // the model reads the trained params, in place
      const model = engine.createModel({ layers, loss, threads: 1 }, params);
      const weights = Float32Array.from({ length: 300 }, (_, r) => (r % 7) / 3);
      const [fromTrainer, fromModel] = [trainer, model].map((f) => {
        const predicted = new Float32Array(300 * 3);
        f.predict(p.X, 300, predicted);
        const out = new Float32Array(300 * 3);
        const out2 = new Float32Array(300 * 3);
        return {
          predicted: Array.from(predicted),
          loss: f.evaluate(p.X, p.Y, 300, out),
          weighted: f.evaluate(p.X, p.Y, 300, out2, weights),
          out: Array.from(out),
        };
      });
      expect(fromTrainer).toEqual(fromModel);
      model.dispose();
    },
  );

  test(`${engine.name}: xor with tanh hidden, sigmoid output, bce and adam: the loss falls`, () => {
    const layers = stack([2, 8, 1], 'tanh', 'sigmoid');
    const rng = new Random(42);
    const params = new Float32Array(paramLayout(layers).size).map(() => rng.range(-1, 1));
    const X = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]);
    const Y = new Float32Array([0, 1, 1, 0]);
    const p: Problem = { layers, loss: 'bce', params, X, Y, rows: 4 };
    const { trainer } = start(engine, p, optimizer('adam', { learningRate: 0.05 }), 4);
    const c = chunk(p, 300, 4);
    trainer.trainEpochs(c);
    expect(c.losses[299]).toBeLessThan(0.05);
    expect(c.losses[299]).toBeLessThan(c.losses[0] / 10);
    const out = new Float32Array(4);
    trainer.predict(X, 4, out);
    expect(Array.from(out, (v) => Math.round(v))).toEqual([0, 1, 1, 0]);
  });
});
