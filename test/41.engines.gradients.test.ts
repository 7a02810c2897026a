// Gradients and update rules. First the float64 reference itself against central finite
// differences, for every hidden activation x (loss, output activation) pair; then each engine's
// gradient (read back from one SGD step with learning rate 1) and its optimizers against it.
import { describe, expect, test } from 'vitest';
import type { ActivationName, LayerPlan, LossName, OptimizerPlan } from '../lib/engine/engine.js';
import { paramLayout, stateSize } from '../lib/engine/layout.js';
import {
  ACTIVATIONS,
  makeProblem,
  OUTPUTS_FOR,
  optimizer,
  type Problem,
  stack,
  trainerPlan,
} from './helpers/engine-problems.js';
import { engines } from './helpers/engines.js';
import { referenceLossAndGradient, referenceOptimizerStep } from './helpers/reference.js';

type Case = [hidden: ActivationName, output: ActivationName, loss: LossName];
const CASES: Case[] = [];
for (const loss of Object.keys(OUTPUTS_FOR) as LossName[]) {
  for (const output of OUTPUTS_FOR[loss])
    for (const hidden of ACTIVATIONS) CASES.push([hidden, output, loss]);
}
const ROWS = 5;

function problemFor([hidden, output, loss]: Case, index: number): Problem {
  return makeProblem(stack([3, 4, 2], hidden, output), loss, ROWS, 4100 + index);
}

/** The engine's loss and gradient: one full-batch SGD step with learning rate 1, g = before - after. */
function engineGradient(engine: (typeof engines)[number], p: Problem): { loss: number; grad: Float64Array } {
  const plan = trainerPlan(p.layers, p.loss, optimizer('sgd', { learningRate: 1 }), p.rows);
  const params = p.params.slice();
  const trainer = engine.createTrainer(plan, params, new Float32Array(0));
  const losses = new Float64Array(1);
  const step = trainer.trainEpochs({
    X: p.X,
    Y: p.Y,
    rows: p.rows,
    order: null,
    epochs: 1,
    batchSize: p.rows,
    step: 0,
    losses,
  });
  trainer.dispose();
  expect(step).toBe(1);
  const grad = new Float64Array(params.length);
  for (let i = 0; i < params.length; i++) grad[i] = p.params[i] - params[i];
  return { loss: losses[0], grad };
}

describe('float64 reference', () => {
  test.each(CASES)('hidden %s, output %s, loss %s: gradient equals central differences', (...c) => {
    const p = problemFor(
      c,
      CASES.findIndex((d) => d.join() === c.join()),
    );
    const params = Float64Array.from(p.params);
    const { grad } = referenceLossAndGradient(p.layers, p.loss, params, p.X, p.Y, p.rows);
    const h = 1e-6;
    for (let i = 0; i < params.length; i++) {
      const saved = params[i];
      params[i] = saved + h;
      const plus = referenceLossAndGradient(p.layers, p.loss, params, p.X, p.Y, p.rows).loss;
      params[i] = saved - h;
      const minus = referenceLossAndGradient(p.layers, p.loss, params, p.X, p.Y, p.rows).loss;
      params[i] = saved;
      const numeric = (plus - minus) / (2 * h);
      expect(Math.abs(grad[i] - numeric), `param ${i}: ${grad[i]} vs ${numeric}`).toBeLessThan(
        1e-7 * (1 + Math.abs(numeric)),
      );
    }
  });
});

/**
 * float32 agreement: a float32 engine sums O(rows * units) products of size O(1) per gradient
 * entry (error ~1e-6 absolute where they cancel), and g = before - after adds ulp(param) / 2.
 */
function expectGradientClose(actual: Float64Array, expected: Float64Array, scale: number): void {
  for (let i = 0; i < expected.length; i++) {
    const tol = 1e-5 * scale + 1e-4 * Math.abs(expected[i]);
    expect(Math.abs(actual[i] - expected[i]), `grad[${i}]: ${actual[i]} vs ${expected[i]}`).toBeLessThan(tol);
  }
}

describe.each(engines)('$name engine: gradients and updates', (engine) => {
  test.each(CASES)(
    `${engine.name}: hidden %s, output %s, loss %s: loss and gradient equal the reference`,
    (...c) => {
      const p = problemFor(
        c,
        CASES.findIndex((d) => d.join() === c.join()),
      );
      const expected = referenceLossAndGradient(
        p.layers,
        p.loss,
        Float64Array.from(p.params),
        p.X,
        p.Y,
        p.rows,
      );
      const actual = engineGradient(engine, p);
      expect(Math.abs(actual.loss - expected.loss)).toBeLessThan(1e-6 * (1 + Math.abs(expected.loss)));
      const scale = Math.max(1, ...p.params.map(Math.abs));
      expectGradientClose(actual.grad, expected.grad, scale);
    },
  );

  test(`${engine.name}: layers without bias: gradient of a 3-5-4-2 stack equals the reference`, () => {
    const layers: LayerPlan[] = [
      { inputs: 3, units: 5, activation: 'tanh', useBias: false },
      { inputs: 5, units: 4, activation: 'leakyRelu', useBias: true },
      { inputs: 4, units: 2, activation: 'softmax', useBias: false },
    ];
    const p = makeProblem(layers, 'cross-entropy', 7, 4199);
    const expected = referenceLossAndGradient(layers, p.loss, Float64Array.from(p.params), p.X, p.Y, p.rows);
    const actual = engineGradient(engine, p);
    expect(actual.loss).toBeCloseTo(expected.loss, 5);
    expectGradientClose(actual.grad, expected.grad, 1);
  });

  const UPDATES: [string, OptimizerPlan, boolean][] = [
    ['sgd with L2 on weights only', optimizer('sgd', { learningRate: 0.5, weightDecay: 0.3 }), true],
    ['momentum (PyTorch form)', optimizer('momentum', { learningRate: 0.2, momentum: 0.9 }), true],
    ['nesterov (PyTorch form)', optimizer('nesterov', { learningRate: 0.2, momentum: 0.8 }), true],
    ['adam with bias corrections', optimizer('adam', { learningRate: 0.05, beta1: 0.8, beta2: 0.95 }), true],
    ['adam with L2, no bias in layer 1', optimizer('adam', { learningRate: 0.05, weightDecay: 0.1 }), false],
    ['momentum with L2', optimizer('momentum', { learningRate: 0.1, momentum: 0.5, weightDecay: 0.2 }), true],
  ];

  test.each(UPDATES)(
    `${engine.name}: %s: params and state after 3 steps equal the float64 rules`,
    (_, opt, bias) => {
      const layers = stack([3, 4, 2], 'tanh', 'sigmoid');
      layers[0].useBias = bias;
      const p = makeProblem(layers, 'mse', 6, 4242);
      const P = paramLayout(layers).size;
      const params = p.params.slice();
      const state = new Float32Array(stateSize(opt.kind, P));
      const trainer = engine.createTrainer(trainerPlan(layers, 'mse', opt, 6), params, state);
      const chunk = { X: p.X, Y: p.Y, rows: 6, order: null, epochs: 3, batchSize: 6, step: 0 };
      expect(trainer.trainEpochs({ ...chunk, losses: new Float64Array(3) })).toBe(3);

      const ref = Float64Array.from(p.params);
      const refState = new Float64Array(state.length);
      for (let t = 1; t <= 3; t++) {
        const { grad } = referenceLossAndGradient(layers, 'mse', ref, p.X, p.Y, 6);
        referenceOptimizerStep(opt, layers, ref, grad, refState, t);
      }
      // adam divides by sqrt(v): a gradient entry near 0 (1.9e-5 here) carries a float32 relative
      // error ~1e-4 into an update of size lr, hence the lr-scaled slack (a wrong rule moves ~lr)
      const slack = opt.kind === 'adam' ? 1e-3 * opt.learningRate : 0;
      for (let i = 0; i < P; i++) {
        expect(Math.abs(params[i] - ref[i]), `param ${i}`).toBeLessThan(
          2e-6 + slack + 1e-5 * Math.abs(ref[i]),
        );
      }
      for (let i = 0; i < state.length; i++) {
        expect(Math.abs(state[i] - refState[i]), `state ${i}`).toBeLessThan(
          1e-6 + 1e-4 * Math.abs(refState[i]),
        );
      }
    },
  );
});
