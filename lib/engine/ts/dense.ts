// The dense layer of the TS engine as a forward/backward pair on the flat parameter buffer.
// Forward Z = A_prev W + b, A = f(Z); backward dW = A_prev^T dZ, db = column sums of dZ,
// dA_prev = dZ W^T: the three products of backprop are one gemm with transpose flags each.
import { ACTIVATION_CODES, LOSS_CODES } from '../contract.js';
import type { LayerPlan, LossName } from '../engine.js';
import { paramLayout } from '../layout.js';
import { activationBackward, biasActivationForward } from './activations.js';
import { gemm } from './gemm.js';

/** Where one layer lives in the flat buffers (see lib/engine/layout.ts) and how it activates. */
export interface DenseLayer {
  inputs: number;
  units: number;
  /** Offset of W, (inputs, units) row-major, in params and grad. */
  w: number;
  /** Offset of b (units), or -1 without bias. */
  b: number;
  /** Activation code (activations.ts). */
  act: number;
}

/**
 * A = f(X W + b); Z (when given) receives the pre-activation X W + b.
 * X is (rows, inputs) from offset xOff, W is (inputs, units), A is (rows, units) from offset 0.
 */
export function denseForward(
  A: Float32Array,
  Z: Float32Array | null,
  X: Float32Array,
  xOff: number,
  params: Float32Array,
  layer: DenseLayer,
  rows: number,
): void {
  gemm(false, false, rows, layer.units, layer.inputs, 1, X, xOff, params, layer.w, 0, A, 0);
  biasActivationForward(A, rows, layer.units, params, layer.b, layer.act, Z);
}

/**
 * dZ holds dA on entry (dZ already when fused is true) and dZ on exit; writes dW and db into
 * grad, and dA_prev = dZ W^T into dPrev unless dPrev is null (the first layer needs none).
 * dZ and A are (rows, units); Xprev is (rows, inputs) from offset xOff; dPrev is (rows, inputs).
 */
export function denseBackward(
  dPrev: Float32Array | null,
  dZ: Float32Array,
  A: Float32Array,
  Xprev: Float32Array,
  xOff: number,
  params: Float32Array,
  grad: Float32Array,
  layer: DenseLayer,
  rows: number,
  fused: boolean,
): void {
  const units = layer.units;
  if (!fused) activationBackward(dZ, A, rows, units, layer.act);
  // dW = Xprev^T dZ: (inputs, rows)(rows, units)
  gemm(true, false, layer.inputs, units, rows, 1, Xprev, xOff, dZ, 0, 0, grad, layer.w);
  if (layer.b >= 0) {
    // db = column sums of dZ, each summed in float64 before one rounding
    for (let j = 0; j < units; j++) {
      let sum = 0;
      for (let i = j; i < rows * units; i += units) sum += dZ[i];
      grad[layer.b + j] = sum;
    }
  }
  // dA_prev = dZ W^T: (rows, units)(units, inputs)
  if (dPrev !== null) gemm(false, true, rows, layer.inputs, units, 1, dZ, 0, params, layer.w, 0, dPrev, 0);
}

/**
 * The plan's layers resolved against the flat layout, checked (sizes, chaining, the output
 * activation the loss needs, params' length); shared by the model and the trainer.
 */
export function denseLayers(
  plan: { layers: readonly LayerPlan[]; loss: LossName },
  params: Float32Array,
): { layers: DenseLayer[]; size: number; loss: number } {
  // the plan was checked against the contract (checks.ts) before it got here
  const layout = paramLayout(plan.layers);
  const layers = plan.layers.map((layer, l) => {
    const { w, b } = layout.layers[l];
    return { inputs: layer.inputs, units: layer.units, w, b, act: ACTIVATION_CODES[layer.activation] };
  });
  if (params.length !== layout.size) {
    throw new RangeError(`Expected params of length ${layout.size} but received length ${params.length}`);
  }
  return { layers, size: layout.size, loss: LOSS_CODES[plan.loss] };
}
