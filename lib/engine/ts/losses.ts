// Losses of the TS engine as forward/backward pairs over one batch, per the contract in engine.ts:
// sse and half-sse are sums over the batch, mse / bce / cross-entropy means. bce and
// cross-entropy are fused with their output activation: backward gives dZ = (P - Y) / count.
import { LOSS_CODES } from '../contract.js';

/** Loss codes (contract.ts). */
export const SSE = LOSS_CODES.sse;
export const HALF_SSE = LOSS_CODES['half-sse'];
export const MSE = LOSS_CODES.mse;
export const BCE = LOSS_CODES.bce;
export const CROSS_ENTROPY = LOSS_CODES['cross-entropy'];

/** bce and cross-entropy read the output logits and give dZ directly. */
export function lossIsFused(loss: number): boolean {
  return loss === BCE || loss === CROSS_ENTROPY;
}

/** sse and half-sse add up over the epoch; the others are means weighted by batch rows. */
export function lossIsSum(loss: number): boolean {
  return loss === SSE || loss === HALF_SSE;
}

/**
 * out[0] = loss of one batch, accumulated in float64. P and Z are (rows, outputs) from offset 0
 * (Z, the logits, only read for bce / cross-entropy); Y is (rows, outputs) from offset yOff.
 * The result goes through out, not a return value: V8 boxes a double returned from a call it does
 * not inline, and this runs once per batch.
 */
export function lossForward(
  out: Float64Array,
  loss: number,
  P: Float32Array,
  Z: Float32Array,
  Y: Float32Array,
  yOff: number,
  rows: number,
  outputs: number,
): void {
  out[0] = batchLoss(loss, P, Z, Y, yOff, rows, outputs);
}

function batchLoss(
  loss: number,
  P: Float32Array,
  Z: Float32Array,
  Y: Float32Array,
  yOff: number,
  rows: number,
  outputs: number,
): number {
  const size = rows * outputs;
  let total = 0;
  switch (loss) {
    case BCE:
      // from the logit, stably: max(z,0) - z y + log1p(exp(-|z|)) (finite when saturated)
      for (let i = 0; i < size; i++) {
        const z = Z[i];
        total += Math.max(z, 0) - z * Y[yOff + i] + Math.log1p(Math.exp(-Math.abs(z)));
      }
      return total / size;
    case CROSS_ENTROPY:
      // per row logsumexp(z) - sum_k y_k z_k, with the row max taken out of the exps
      for (let r = 0; r < size; r += outputs) {
        let max = Z[r];
        for (let j = 1; j < outputs; j++) if (Z[r + j] > max) max = Z[r + j];
        let sum = 0;
        let dot = 0;
        for (let j = 0; j < outputs; j++) {
          sum += Math.exp(Z[r + j] - max);
          dot += Y[yOff + r + j] * Z[r + j];
        }
        total += max + Math.log(sum) - dot;
      }
      return total / rows;
    default:
      for (let i = 0; i < size; i++) {
        const d = P[i] - Y[yOff + i];
        total += d * d;
      }
      if (loss === HALF_SSE) return 0.5 * total;
      if (loss === MSE) return total / size;
      return total;
  }
}

/**
 * D = dLoss/dA (sse, half-sse, mse) or dLoss/dZ (bce, cross-entropy: fused), (rows, outputs).
 *   sse 2 (P - Y); half-sse (P - Y); mse 2 (P - Y) / (rows*outputs);
 *   bce (P - Y) / (rows*outputs); cross-entropy (P - Y) / rows.
 */
export function lossBackward(
  loss: number,
  D: Float32Array,
  P: Float32Array,
  Y: Float32Array,
  yOff: number,
  rows: number,
  outputs: number,
): void {
  const size = rows * outputs;
  let scale = 1;
  if (loss === SSE) scale = 2;
  else if (loss === MSE) scale = 2 / size;
  else if (loss === BCE) scale = 1 / size;
  else if (loss === CROSS_ENTROPY) scale = 1 / rows;
  for (let i = 0; i < size; i++) D[i] = (P[i] - Y[yOff + i]) * scale;
}
