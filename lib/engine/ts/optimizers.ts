// Optimizer update of the TS engine: one loop over a range of the flat parameter buffer, the
// variant chosen by a code. Rules (and the PyTorch momentum / nesterov forms) as in engine.ts.
import { CLIP_NORM_BLOCK, CLIP_NORM_EPSILON, OPTIMIZER_CODES } from '../contract.js';
import type { OptimizerPlan } from '../engine.js';

/** Optimizer codes (contract.ts). */
export const SGD = OPTIMIZER_CODES.sgd;
export const MOMENTUM = OPTIMIZER_CODES.momentum;
export const NESTEROV = OPTIMIZER_CODES.nesterov;
export const ADAM = OPTIMIZER_CODES.adam;
export const ADAMW = OPTIMIZER_CODES.adamw;
export const RMSPROP = OPTIMIZER_CODES.rmsprop;

/** Resolved settings plus adam's per-step bias corrections; built once per trainer, mutated per step. */
export interface OptimizerState {
  kind: number;
  learningRate: number;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  rho: number;
  /** 0: off. */
  clipNorm: number;
  clipValue: number;
  /** Number of parameters: adam's v (rmsprop's momentum buffer) lives at state[P + i]. */
  P: number;
  /** 1 - beta1^t and 1 - beta2^t for the current step t (adam, adamw). */
  correction1: number;
  correction2: number;
  /** adamw: float32(1 - lr * weightDecay), what each weight is multiplied by before the step. */
  weightKeep: number;
}

export function createOptimizerState(plan: OptimizerPlan, P: number): OptimizerState {
  return {
    kind: OPTIMIZER_CODES[plan.kind],
    learningRate: plan.learningRate,
    momentum: plan.momentum,
    beta1: plan.beta1,
    beta2: plan.beta2,
    epsilon: plan.epsilon,
    weightDecay: plan.weightDecay,
    rho: plan.rho,
    clipNorm: plan.clipNorm,
    clipValue: plan.clipValue,
    P,
    correction1: 1,
    correction2: 1,
    weightKeep: 1,
  };
}

/**
 * Sets the bias corrections for step t (counted from 1), in float64 once per step (Kingma & Ba,
 * 2015), and adamw's decay factor from this step's learning rate.
 */
export function beginStep(o: OptimizerState, t: number): void {
  o.correction1 = 1 - o.beta1 ** t;
  o.correction2 = 1 - o.beta2 ** t;
  o.weightKeep = Math.fround(1 - o.learningRate * o.weightDecay);
}

/** True when the plan clips gradients (clipGradients has work to do). */
export function clips(o: OptimizerState): boolean {
  return o.clipNorm > 0 || o.clipValue > 0;
}

/**
 * Clips grad[0, n) in place as the rule in engine.ts says: each element to [-clipValue, clipValue],
 * then the whole by the global norm, summed in float64 in the contract's blocks (the order the
 * native core sums them in, so both engines get the same norm). Allocates nothing.
 */
export function clipGradients(o: OptimizerState, grad: Float32Array, n: number): void {
  const c = Math.fround(o.clipValue);
  if (c > 0) {
    for (let i = 0; i < n; i++) {
      const g = grad[i];
      if (g > c) grad[i] = c;
      else if (g < -c) grad[i] = -c;
    }
  }
  if (o.clipNorm <= 0) return;
  const norm = Math.sqrt(sumOfSquares(grad, n));
  if (!(norm > o.clipNorm)) return; // NaN: left alone, as clip_grad_norm_ without error_if_nonfinite
  const scale = Math.fround(o.clipNorm / (norm + CLIP_NORM_EPSILON));
  for (let i = 0; i < n; i++) grad[i] *= scale; // a float32 product, rounded once on store
}

/** sum of g^2 over [0, n) in float64: blocks in order, 4 interleaved partial sums per block. */
export function sumOfSquares(grad: Float32Array, n: number): number {
  let total = 0;
  for (let start = 0; start < n; start += CLIP_NORM_BLOCK) {
    const end = Math.min(n, start + CLIP_NORM_BLOCK);
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = start;
    for (; i + 4 <= end; i += 4) {
      s0 += grad[i] * grad[i];
      s1 += grad[i + 1] * grad[i + 1];
      s2 += grad[i + 2] * grad[i + 2];
      s3 += grad[i + 3] * grad[i + 3];
    }
    if (i < end) s0 += grad[i] * grad[i];
    if (i + 1 < end) s1 += grad[i + 1] * grad[i + 1];
    if (i + 2 < end) s2 += grad[i + 2] * grad[i + 2];
    total += s0 + s1 + (s2 + s3);
  }
  return total;
}

/**
 * Updates params[start, end) from grad[start, end) (already clipped). decay is this range's
 * weight decay: weightDecay for weights, 0 for biases; L2 (g += decay * w before the rule) for
 * every kind but adamw, whose decay is decoupled (w *= weightKeep when decay > 0).
 */
export function optimizerUpdate(
  o: OptimizerState,
  params: Float32Array,
  grad: Float32Array,
  state: Float32Array,
  start: number,
  end: number,
  decay: number,
): void {
  const lr = o.learningRate;
  switch (o.kind) {
    case SGD:
      // decay 0 (biases, or no L2): the same value for finite weights, one load fewer
      if (decay === 0) for (let i = start; i < end; i++) params[i] -= lr * grad[i];
      else for (let i = start; i < end; i++) params[i] -= lr * (grad[i] + decay * params[i]);
      break;
    case MOMENTUM: {
      const mu = o.momentum;
      for (let i = start; i < end; i++) {
        const v = mu * state[i] + (grad[i] + decay * params[i]);
        state[i] = v;
        params[i] -= lr * state[i];
      }
      break;
    }
    case NESTEROV: {
      const mu = o.momentum;
      for (let i = start; i < end; i++) {
        const g = grad[i] + decay * params[i];
        state[i] = mu * state[i] + g;
        params[i] -= lr * (g + mu * state[i]);
      }
      break;
    }
    case RMSPROP: {
      // torch.optim.RMSprop: s = rho s + (1-rho) g^2; a = sqrt(s) + eps; then w -= lr * g / a, or
      // through the momentum buffer b = mu b + g / a at state[P + i].
      const rho = o.rho;
      const eps = o.epsilon;
      const mu = o.momentum;
      const bOff = o.P;
      for (let i = start; i < end; i++) {
        const g = grad[i] + decay * params[i];
        state[i] = rho * state[i] + (1 - rho) * (g * g);
        const a = Math.sqrt(state[i]) + eps;
        if (mu > 0) {
          state[bOff + i] = mu * state[bOff + i] + g / a;
          params[i] -= lr * state[bOff + i];
        } else params[i] -= lr * (g / a);
      }
      break;
    }
    default: {
      // adam: w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps); adamw first decays the
      // weights (decoupled: w *= 1 - lr * weightDecay), then takes adam's step without L2.
      const decoupled = o.kind === ADAMW;
      if (decoupled && decay > 0) {
        const keep = o.weightKeep;
        for (let i = start; i < end; i++) params[i] *= keep;
      }
      const l2 = decoupled ? 0 : decay;
      const b1 = o.beta1;
      const b2 = o.beta2;
      const c1 = o.correction1;
      const c2 = o.correction2;
      const eps = o.epsilon;
      const vOff = o.P;
      for (let i = start; i < end; i++) {
        const g = grad[i] + l2 * params[i];
        state[i] = b1 * state[i] + (1 - b1) * g;
        state[vOff + i] = b2 * state[vOff + i] + (1 - b2) * g * g;
        params[i] -= (lr * (state[i] / c1)) / (Math.sqrt(state[vOff + i] / c2) + eps);
      }
      break;
    }
  }
}
