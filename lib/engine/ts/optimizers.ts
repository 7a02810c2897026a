// Optimizer update of the TS engine: one loop over a range of the flat parameter buffer, the
// variant chosen by a code. Rules (and the PyTorch momentum / nesterov forms) as in engine.ts.
import { OPTIMIZER_CODES } from '../contract.js';
import type { OptimizerPlan } from '../engine.js';

/** Optimizer codes (contract.ts). */
export const SGD = OPTIMIZER_CODES.sgd;
export const MOMENTUM = OPTIMIZER_CODES.momentum;
export const NESTEROV = OPTIMIZER_CODES.nesterov;
export const ADAM = OPTIMIZER_CODES.adam;

/** Resolved settings plus adam's per-step bias corrections; built once per trainer, mutated per step. */
export interface OptimizerState {
  kind: number;
  learningRate: number;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  /** Number of parameters: adam's v lives at state[P + i]. */
  P: number;
  /** 1 - beta1^t and 1 - beta2^t for the current step t (adam only). */
  correction1: number;
  correction2: number;
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
    P,
    correction1: 1,
    correction2: 1,
  };
}

/** Sets the bias corrections for step t (counted from 1), in float64 once per step (Kingma & Ba, 2015). */
export function beginStep(o: OptimizerState, t: number): void {
  o.correction1 = 1 - o.beta1 ** t;
  o.correction2 = 1 - o.beta2 ** t;
}

/**
 * Updates params[start, end) from grad[start, end). decay is the L2 coefficient for this range:
 * weightDecay for weights, 0 for biases (g += decay * w before the rule).
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
    default: {
      // adam: w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
      const b1 = o.beta1;
      const b2 = o.beta2;
      const c1 = o.correction1;
      const c2 = o.correction2;
      const eps = o.epsilon;
      const vOff = o.P;
      for (let i = start; i < end; i++) {
        const g = grad[i] + decay * params[i];
        state[i] = b1 * state[i] + (1 - b1) * g;
        state[vOff + i] = b2 * state[vOff + i] + (1 - b2) * g * g;
        params[i] -= (lr * (state[i] / c1)) / (Math.sqrt(state[vOff + i] / c2) + eps);
      }
      break;
    }
  }
}
