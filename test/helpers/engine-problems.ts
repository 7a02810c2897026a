// Small seeded problems shared by the engine contract tests (41, 42): a layer stack, random
// parameters, inputs and targets that suit the loss, and plan builders with every option explicit.
import { ACTIVATIONS as CONTRACT_ACTIVATIONS } from '../../lib/engine/contract.js';
import type {
  ActivationName,
  LayerPlan,
  LossName,
  OptimizerPlan,
  TrainerPlan,
} from '../../lib/engine/engine.js';
import { paramLayout } from '../../lib/engine/layout.js';
import { Random } from '../../lib/random.js';
import { referenceForward } from './reference.js';

/** Every activation of the contract: a new one fails here until the reference knows it. */
export const ACTIVATIONS: ActivationName[] = [...CONTRACT_ACTIVATIONS];

/** Output activations each loss accepts: bce needs sigmoid, cross-entropy softmax, the rest any. */
export const OUTPUTS_FOR: Record<LossName, ActivationName[]> = {
  sse: ACTIVATIONS,
  'half-sse': ACTIVATIONS,
  mse: ACTIVATIONS,
  bce: ['sigmoid'],
  'cross-entropy': ['softmax'],
  mae: ACTIVATIONS,
  huber: ACTIVATIONS,
};

export function optimizer(
  kind: OptimizerPlan['kind'],
  overrides: Partial<OptimizerPlan> = {},
): OptimizerPlan {
  return {
    kind,
    learningRate: 0.1,
    momentum: 0.9,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: 0,
    rho: 0.99,
    clipNorm: 0,
    clipValue: 0,
    ...overrides,
  };
}

export function trainerPlan(
  layers: LayerPlan[],
  loss: LossName,
  opt: OptimizerPlan,
  batchSize: number,
): TrainerPlan {
  return { layers, loss, optimizer: opt, batchSize, threads: 1 };
}

/** Dense stack from sizes, e.g. stack([3, 4, 2], 'tanh', 'sigmoid'). */
export function stack(
  sizes: number[],
  hidden: ActivationName,
  output: ActivationName,
  useBias = true,
): LayerPlan[] {
  const layers: LayerPlan[] = [];
  for (let l = 1; l < sizes.length; l++) {
    const activation = l === sizes.length - 1 ? output : hidden;
    layers.push({ inputs: sizes[l - 1], units: sizes[l], activation, useBias });
  }
  return layers;
}

export interface Problem {
  layers: LayerPlan[];
  loss: LossName;
  /** float32 values; the reference reads the same numbers in float64. */
  params: Float32Array;
  X: Float32Array;
  Y: Float32Array;
  rows: number;
}

/** Targets that fit the loss: one-hot rows for cross-entropy, (0, 1) for bce, [-0.5, 1] else. */
export function targets(rng: Random, loss: LossName, rows: number, outputs: number): Float32Array {
  const Y = new Float32Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    const hot = rng.int(outputs);
    for (let j = 0; j < outputs; j++) {
      if (loss === 'cross-entropy') Y[r * outputs + j] = j === hot ? 1 : 0;
      else if (loss === 'bce') Y[r * outputs + j] = rng.range(0.05, 0.95);
      else Y[r * outputs + j] = rng.range(-0.5, 1);
    }
  }
  return Y;
}

/**
 * Random problem whose relu / leakyRelu pre-activations all stay at least `margin` away from the
 * kink at 0 (redrawn until they do), so finite differences and float32 rounding cannot cross it.
 */
export function makeProblem(
  layers: LayerPlan[],
  loss: LossName,
  rows: number,
  seed: number,
  margin = 0.05,
): Problem {
  const P = paramLayout(layers).size;
  const inputs = layers[0].inputs;
  const outputs = layers[layers.length - 1].units;
  for (let attempt = 0; attempt < 1000; attempt++) {
    const rng = new Random(seed * 1000 + attempt);
    const params = new Float32Array(P);
    for (let i = 0; i < P; i++) params[i] = rng.range(-1, 1);
    const X = new Float32Array(rows * inputs);
    for (let i = 0; i < X.length; i++) X[i] = rng.range(-1, 1);
    const Y = targets(rng, loss, rows, outputs);
    const { Z } = referenceForward(layers, params, X, rows);
    const clear = layers.every(
      (layer, l) =>
        (layer.activation !== 'relu' && layer.activation !== 'leakyRelu') ||
        Z[l].every((z) => Math.abs(z) >= margin),
    );
    if (clear) return { layers, loss, params, X, Y, rows };
  }
  throw new Error('makeProblem: no draw kept the relu pre-activations away from 0');
}
