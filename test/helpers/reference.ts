// Float64 reference MLP in plain loops, written from the formulas (Z = A_prev W + b, A = f(Z), the
// five losses, the six activations, the four update rules) and independent of every engine: no
// fused gradients, derivatives from Z, losses from probabilities. Test 41 checks it against
// central finite differences; the engine tests then compare against it.
import type { ActivationName, LayerPlan, LossName, OptimizerPlan } from '../../lib/engine/engine.js';
import { paramLayout } from '../../lib/engine/layout.js';

type Vec = ArrayLike<number>;

/**
 * C = alpha op(A) op(B) + beta C in float64; beta = 0 ignores C entirely. Returns a new array.
 * When magnitude is given it receives |alpha| sum_p |a_ip b_pj| (for rounding-error bounds).
 */
export function referenceGemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  A: Vec,
  B: Vec,
  beta: number,
  C: Vec,
  magnitude?: Float64Array,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let abs = 0;
      for (let p = 0; p < k; p++) {
        const a = transA ? A[p * m + i] : A[i * k + p];
        const b = transB ? B[j * k + p] : B[p * n + j];
        sum += a * b;
        abs += Math.abs(a * b);
      }
      out[i * n + j] = alpha * sum + (beta === 0 ? 0 : beta * C[i * n + j]);
      if (magnitude) magnitude[i * n + j] = Math.abs(alpha) * abs;
    }
  }
  return out;
}

export function activate(name: ActivationName, z: Float64Array, rows: number, units: number): Float64Array {
  const a = new Float64Array(z.length);
  for (let r = 0; r < rows; r++) {
    if (name === 'softmax') {
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < units; j++) max = Math.max(max, z[r * units + j]);
      let sum = 0;
      for (let j = 0; j < units; j++) sum += Math.exp(z[r * units + j] - max);
      for (let j = 0; j < units; j++) a[r * units + j] = Math.exp(z[r * units + j] - max) / sum;
      continue;
    }
    for (let j = 0; j < units; j++) {
      const x = z[r * units + j];
      if (name === 'sigmoid') a[r * units + j] = 1 / (1 + Math.exp(-x));
      else if (name === 'tanh') a[r * units + j] = Math.tanh(x);
      else if (name === 'relu') a[r * units + j] = Math.max(0, x);
      else if (name === 'leakyRelu') a[r * units + j] = x > 0 ? x : 0.01 * x;
      else a[r * units + j] = x;
    }
  }
  return a;
}

/** dZ from dA through f'(Z); softmax through its Jacobian d s_i / d z_j = s_i (delta_ij - s_j). */
export function activationGradient(
  name: ActivationName,
  z: Float64Array,
  a: Float64Array,
  dA: Float64Array,
  rows: number,
  units: number,
) {
  const dZ = new Float64Array(z.length);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < units; j++) {
      const i = r * units + j;
      const x = z[i];
      if (name === 'softmax') {
        let sum = 0;
        for (let q = 0; q < units; q++)
          sum += dA[r * units + q] * a[r * units + q] * ((q === j ? 1 : 0) - a[i]);
        dZ[i] = sum;
      } else if (name === 'sigmoid') {
        const s = 1 / (1 + Math.exp(-x));
        dZ[i] = dA[i] * s * (1 - s);
      } else if (name === 'tanh') dZ[i] = dA[i] * (1 - Math.tanh(x) ** 2);
      else if (name === 'relu') dZ[i] = x > 0 ? dA[i] : 0;
      else if (name === 'leakyRelu') dZ[i] = x > 0 ? dA[i] : 0.01 * dA[i];
      else dZ[i] = dA[i];
    }
  }
  return dZ;
}

export interface ReferenceForward {
  /** Pre-activations per layer, (rows, units). */
  Z: Float64Array[];
  /** Activations per layer, (rows, units); the last is the prediction. */
  A: Float64Array[];
}

export function referenceForward(layers: LayerPlan[], params: Vec, X: Vec, rows: number): ReferenceForward {
  const layout = paramLayout(layers);
  const Z: Float64Array[] = [];
  const A: Float64Array[] = [];
  let input: Vec = X;
  layers.forEach((layer, l) => {
    const { w, b } = layout.layers[l];
    const z = new Float64Array(rows * layer.units);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < layer.units; j++) {
        let sum = b >= 0 ? params[b + j] : 0;
        for (let i = 0; i < layer.inputs; i++)
          sum += input[r * layer.inputs + i] * params[w + i * layer.units + j];
        z[r * layer.units + j] = sum;
      }
    }
    const a = activate(layer.activation, z, rows, layer.units);
    Z.push(z);
    A.push(a);
    input = a;
  });
  return { Z, A };
}

/**
 * What a loss needs besides predictions and targets: huber's delta (default 1) and sample
 * weights (default: every row 1), as the loss contract in engine.ts defines them.
 */
export interface LossOptions {
  delta?: number;
  weights?: Vec | null;
}

/** The element loss of prediction p against target y (before any mean). */
function elementLoss(loss: LossName, p: number, y: number, delta: number): number {
  if (loss === 'bce') return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
  if (loss === 'cross-entropy') return -y * Math.log(p);
  if (loss === 'mae') return Math.abs(p - y);
  if (loss === 'huber') {
    const a = Math.abs(p - y);
    return a <= delta ? 0.5 * a * a : delta * (a - 0.5 * delta);
  }
  return (p - y) ** 2;
}

/** d elementLoss / dp. */
function elementGradient(loss: LossName, p: number, y: number, delta: number): number {
  if (loss === 'bce') return -y / p + (1 - y) / (1 - p);
  if (loss === 'cross-entropy') return -y / p;
  if (loss === 'mae') return Math.sign(p - y);
  if (loss === 'huber') return Math.max(-delta, Math.min(delta, p - y));
  if (loss === 'half-sse') return p - y;
  return 2 * (p - y);
}

/** What a loss is divided by: 1 for the sums, the weight (times outputs, but cross-entropy) for the means. */
function lossDivisor(loss: LossName, weight: number, outputs: number): number {
  if (loss === 'sse' || loss === 'half-sse') return 1;
  return loss === 'cross-entropy' ? weight : weight * outputs;
}

function rowWeights(options: LossOptions, rows: number): Float64Array {
  const w = new Float64Array(rows).fill(1);
  if (options.weights) for (let r = 0; r < rows; r++) w[r] = options.weights[r];
  return w;
}

/** Loss of predictions P against Y, (rows, outputs), from the probabilities. */
export function referenceLoss(
  loss: LossName,
  P: Vec,
  Y: Vec,
  rows: number,
  outputs: number,
  options: LossOptions = {},
): number {
  const delta = options.delta ?? 1;
  const w = rowWeights(options, rows);
  let total = 0;
  let weight = 0;
  for (let r = 0; r < rows; r++) {
    weight += w[r];
    for (let j = 0; j < outputs; j++) {
      const i = r * outputs + j;
      total += w[r] * elementLoss(loss, P[i], Y[i], delta);
    }
  }
  if (weight === 0) return 0;
  return (loss === 'half-sse' ? 0.5 * total : total) / lossDivisor(loss, weight, outputs);
}

/** dLoss/dP, (rows, outputs). */
export function lossGradient(
  loss: LossName,
  P: Vec,
  Y: Vec,
  rows: number,
  outputs: number,
  options: LossOptions = {},
): Float64Array {
  const delta = options.delta ?? 1;
  const w = rowWeights(options, rows);
  const weight = w.reduce((a, b) => a + b, 0);
  const divisor = lossDivisor(loss, weight, outputs);
  const d = new Float64Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < outputs; j++) {
      const i = r * outputs + j;
      d[i] = weight === 0 ? 0 : (w[r] * elementGradient(loss, P[i], Y[i], delta)) / divisor;
    }
  }
  return d;
}

/** Loss of (X, Y) and its gradient with respect to every parameter, by backpropagation in float64. */
export function referenceLossAndGradient(
  layers: LayerPlan[],
  loss: LossName,
  params: Float64Array,
  X: Vec,
  Y: Vec,
  rows: number,
  options: LossOptions = {},
): { loss: number; grad: Float64Array } {
  const layout = paramLayout(layers);
  const { Z, A } = referenceForward(layers, params, X, rows);
  const last = layers.length - 1;
  const outputs = layers[last].units;
  const value = referenceLoss(loss, A[last], Y, rows, outputs, options);
  const grad = new Float64Array(layout.size);
  let dA = lossGradient(loss, A[last], Y, rows, outputs, options);
  for (let l = last; l >= 0; l--) {
    const { inputs, units, activation } = layers[l];
    const { w, b } = layout.layers[l];
    const dZ = activationGradient(activation, Z[l], A[l], dA, rows, units);
    const prev: Vec = l === 0 ? X : A[l - 1];
    const dPrev = new Float64Array(rows * inputs);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < units; j++) {
        const d = dZ[r * units + j];
        if (b >= 0) grad[b + j] += d;
        for (let i = 0; i < inputs; i++) {
          grad[w + i * units + j] += prev[r * inputs + i] * d;
          dPrev[r * inputs + i] += d * params[w + i * units + j];
        }
      }
    }
    dA = dPrev;
  }
  return { loss: value, grad };
}

/** True for the offsets of weights (L2 applies), false for biases. */
export function weightMask(layers: LayerPlan[]): boolean[] {
  const layout = paramLayout(layers);
  const mask = new Array<boolean>(layout.size).fill(false);
  for (const { w, inputs, units } of layout.layers)
    for (let i = 0; i < inputs * units; i++) mask[w + i] = true;
  return mask;
}

/**
 * torch.nn.utils.clip_grad_value_ then clip_grad_norm_, in float64 over every parameter (the
 * order engine.ts states). Returns a new array.
 */
export function referenceClip(opt: OptimizerPlan, grad: Vec): Float64Array {
  const g = Float64Array.from(grad);
  if (opt.clipValue > 0)
    for (let i = 0; i < g.length; i++) g[i] = Math.min(Math.max(g[i], -opt.clipValue), opt.clipValue);
  if (opt.clipNorm > 0) {
    let sum = 0;
    for (const x of g) sum += x * x;
    const norm = Math.sqrt(sum);
    if (norm > opt.clipNorm) for (let i = 0; i < g.length; i++) g[i] *= opt.clipNorm / (norm + 1e-6);
  }
  return g;
}

/**
 * One update of step t (from 1), in place, in float64, straight from the rules in engine.ts
 * (PyTorch's: SGD, Adam, AdamW, RMSprop), after clipping the gradient.
 */
export function referenceOptimizerStep(
  opt: OptimizerPlan,
  layers: LayerPlan[],
  params: Float64Array,
  rawGrad: Float64Array,
  state: Float64Array,
  t: number,
): void {
  const P = params.length;
  const mask = weightMask(layers);
  const grad = referenceClip(opt, rawGrad);
  for (let i = 0; i < P; i++) {
    const decay = mask[i] ? opt.weightDecay : 0;
    const g = grad[i] + (opt.kind === 'adamw' ? 0 : decay * params[i]);
    if (opt.kind === 'sgd') params[i] -= opt.learningRate * g;
    else if (opt.kind === 'momentum') {
      state[i] = opt.momentum * state[i] + g;
      params[i] -= opt.learningRate * state[i];
    } else if (opt.kind === 'nesterov') {
      state[i] = opt.momentum * state[i] + g;
      params[i] -= opt.learningRate * (g + opt.momentum * state[i]);
    } else if (opt.kind === 'rmsprop') {
      state[i] = opt.rho * state[i] + (1 - opt.rho) * g * g;
      const a = Math.sqrt(state[i]) + opt.epsilon;
      if (opt.momentum > 0) {
        state[P + i] = opt.momentum * state[P + i] + g / a;
        params[i] -= opt.learningRate * state[P + i];
      } else params[i] -= (opt.learningRate * g) / a;
    } else {
      if (opt.kind === 'adamw') params[i] *= 1 - opt.learningRate * decay;
      state[i] = opt.beta1 * state[i] + (1 - opt.beta1) * g;
      state[P + i] = opt.beta2 * state[P + i] + (1 - opt.beta2) * g * g;
      const mHat = state[i] / (1 - opt.beta1 ** t);
      const vHat = state[P + i] / (1 - opt.beta2 ** t);
      params[i] -= (opt.learningRate * mHat) / (Math.sqrt(vHat) + opt.epsilon);
    }
  }
}

export interface ReferenceRun {
  layers: LayerPlan[];
  loss: LossName;
  optimizer: OptimizerPlan;
  X: Vec;
  Y: Vec;
  rows: number;
  order: Uint32Array | null;
  epochs: number;
  batchSize: number;
  step: number;
  /** One weight per row of X, read through order (absent: unweighted). */
  weights?: Vec | null;
  /** huber's delta (absent: 1). */
  delta?: number;
}

/**
 * Replays trainEpochs in float64: the same batches in the same order, each batch's loss before
 * its update, epoch losses as the contract defines them. Updates params/state in place.
 */
export function referenceTrain(run: ReferenceRun, params: Float64Array, state: Float64Array): Float64Array {
  const { layers, rows, batchSize } = run;
  const inputs = layers[0].inputs;
  const outputs = layers[layers.length - 1].units;
  const sum = run.loss === 'sse' || run.loss === 'half-sse';
  const losses = new Float64Array(run.epochs);
  let t = run.step;
  for (let e = 0; e < run.epochs; e++) {
    let total = 0;
    let totalWeight = 0;
    for (let start = 0; start < rows; start += batchSize) {
      const count = Math.min(batchSize, rows - start);
      const xb = new Float64Array(count * inputs);
      const yb = new Float64Array(count * outputs);
      const wb = new Float64Array(count);
      for (let r = 0; r < count; r++) {
        const row = run.order === null ? start + r : run.order[e * rows + start + r];
        for (let i = 0; i < inputs; i++) xb[r * inputs + i] = run.X[row * inputs + i];
        for (let j = 0; j < outputs; j++) yb[r * outputs + j] = run.Y[row * outputs + j];
        wb[r] = run.weights ? run.weights[row] : 1;
      }
      const weight = wb.reduce((a, b) => a + b, 0);
      const options = { delta: run.delta, weights: wb };
      const { loss, grad } = referenceLossAndGradient(layers, run.loss, params, xb, yb, count, options);
      total += sum ? loss : loss * weight;
      totalWeight += weight;
      t++;
      // a batch of weight 0 is not applied; its step counts (the loss contract)
      if (weight > 0) referenceOptimizerStep(run.optimizer, layers, params, grad, state, t);
    }
    losses[e] = sum ? total : totalWeight === 0 ? 0 : total / totalWeight;
  }
  return losses;
}
