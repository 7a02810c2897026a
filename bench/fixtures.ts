// Data and references the workloads share: seeded random arrays, the 784-128-10 network and its
// synthetic MNIST-shaped data, a float64 forward pass, and tfjs models that mirror fastmlp ones.
// The `mnist` package is not installed: inputs are uniform in [0, 1), labels uniform in 0..9.
import type * as TF from '@tensorflow/tfjs';
import type { TrainerPlan } from '../lib/engine/engine.js';
import { Network, type NetworkOptions } from '../lib/index.js';
import { Random } from '../lib/random.js';
import type { Tf } from './types.js';

export function randomArray(rng: Random, size: number, low = -1, high = 1): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.range(low, high);
  return out;
}

export const MLP_INPUTS = 784;
export const MLP_HIDDEN = 128;
export const MLP_CLASSES = 10;

/** 784-128-10, ReLU then softmax, cross-entropy, SGD lr 0.01: the training/predict workload. */
export function mlpOptions(engine: 'native' | 'ts', threads: number): NetworkOptions {
  return {
    inputs: MLP_INPUTS,
    layers: [
      { units: MLP_HIDDEN, activation: 'relu' },
      { units: MLP_CLASSES, activation: 'softmax' },
    ],
    loss: 'cross-entropy',
    optimizer: { name: 'sgd', learningRate: 0.01 },
    seed: 1,
    engine,
    threads,
  };
}

/** The same network as an engine-level plan (SGD, as resolveSpec would resolve it). */
export function mlpPlan(batchSize: number, threads: number): TrainerPlan {
  return {
    layers: [
      { inputs: MLP_INPUTS, units: MLP_HIDDEN, activation: 'relu', useBias: true },
      { inputs: MLP_HIDDEN, units: MLP_CLASSES, activation: 'softmax', useBias: true },
    ],
    loss: 'cross-entropy',
    optimizer: {
      kind: 'sgd',
      learningRate: 0.01,
      momentum: 0,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0,
      rho: 0.99,
      clipNorm: 0,
      clipValue: 0,
    },
    batchSize,
    threads,
  };
}

/** The network's initial parameters (drawn in TS from seed 1: identical for every engine). */
export function mlpInitialParams(): Float32Array {
  return new Network(mlpOptions('ts', 1)).getParameters();
}

export interface Synthetic {
  X: Float32Array;
  /** One-hot (rows, 10). */
  Y: Float32Array;
  labels: Float32Array;
  rows: number;
}

export function syntheticMnist(rows: number, seed = 2): Synthetic {
  const rng = new Random(seed);
  const X = randomArray(rng, rows * MLP_INPUTS, 0, 1);
  const Y = new Float32Array(rows * MLP_CLASSES);
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const c = rng.int(MLP_CLASSES);
    labels[r] = c;
    Y[r * MLP_CLASSES + c] = 1;
  }
  return { X, Y, labels, rows };
}

/** Softmax probabilities of 784-128-10 for one row of X, in float64 plain loops (the reference). */
export function referenceForward(params: Float32Array, X: Float32Array, row: number): number[] {
  const W1 = 0;
  const b1 = MLP_INPUTS * MLP_HIDDEN;
  const W2 = b1 + MLP_HIDDEN;
  const b2 = W2 + MLP_HIDDEN * MLP_CLASSES;
  const h = new Float64Array(MLP_HIDDEN);
  for (let j = 0; j < MLP_HIDDEN; j++) {
    let z = params[b1 + j];
    for (let i = 0; i < MLP_INPUTS; i++) z += X[row * MLP_INPUTS + i] * params[W1 + i * MLP_HIDDEN + j];
    h[j] = Math.max(0, z);
  }
  const z = new Float64Array(MLP_CLASSES);
  for (let c = 0; c < MLP_CLASSES; c++) {
    let s = params[b2 + c];
    for (let j = 0; j < MLP_HIDDEN; j++) s += h[j] * params[W2 + j * MLP_CLASSES + c];
    z[c] = s;
  }
  const max = Math.max(...z);
  const e = Array.from(z, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

// --- tfjs mirrors --------------------------------------------------------------------------------

export interface DenseSpec {
  units: number;
  activation: 'relu' | 'sigmoid' | 'softmax';
}

/**
 * tf.sequential of dense layers with the given fastmlp flat parameters (per layer W (in, units)
 * row-major then b: the same layout as tfjs's kernel and bias), so both start from one point.
 */
export function tfjsModel(tf: Tf, inputs: number, layers: DenseSpec[], params: Float32Array): TF.Sequential {
  const model = tf.sequential();
  layers.forEach((l, i) => {
    model.add(
      tf.layers.dense({
        units: l.units,
        activation: l.activation,
        inputShape: i === 0 ? [inputs] : undefined,
      }),
    );
  });
  const weights: TF.Tensor[] = [];
  let offset = 0;
  let fanIn = inputs;
  for (const l of layers) {
    weights.push(tf.tensor2d(params.subarray(offset, offset + fanIn * l.units), [fanIn, l.units]));
    offset += fanIn * l.units;
    weights.push(tf.tensor1d(params.subarray(offset, offset + l.units)));
    offset += l.units;
    fanIn = l.units;
  }
  model.setWeights(weights);
  for (const w of weights) w.dispose();
  return model;
}

/** The model's weights flattened back into fastmlp's layout. */
export function tfjsParams(model: TF.Sequential): Float32Array {
  const parts = model.getWeights().map((w) => w.dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
