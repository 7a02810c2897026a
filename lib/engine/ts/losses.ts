// Losses of the TS engine as forward/backward pairs over one batch, per the contract in engine.ts:
// sse and half-sse are sums over the batch, mse / bce / cross-entropy / mae / huber means. bce and
// cross-entropy are fused with their output activation: backward gives dZ = (P - Y) / count.
// Sample weights: each row's terms are multiplied by its weight w (1 when W is null) and a mean
// divides by the batch's weight instead of its rows; with every w = 1 the arithmetic is exactly
// the unweighted one (1 * x = x, and the rows are summed in the same order).
import { LOSS_CODES, SUM_LOSSES } from '../contract.js';

/** Loss codes (contract.ts). */
export const SSE = LOSS_CODES.sse;
export const HALF_SSE = LOSS_CODES['half-sse'];
export const MSE = LOSS_CODES.mse;
export const BCE = LOSS_CODES.bce;
export const CROSS_ENTROPY = LOSS_CODES['cross-entropy'];
export const MAE = LOSS_CODES.mae;
export const HUBER = LOSS_CODES.huber;

/** bce and cross-entropy read the output logits and give dZ directly. */
export function lossIsFused(loss: number): boolean {
  return loss === BCE || loss === CROSS_ENTROPY;
}

/** The codes of the contract's SUM_LOSSES. */
const SUM_LOSS_CODES: readonly number[] = SUM_LOSSES.map((name) => LOSS_CODES[name]);

/** sse and half-sse (SUM_LOSSES) add up over the epoch; the others are means weighted by batch weight. */
export function lossIsSum(loss: number): boolean {
  return SUM_LOSS_CODES.includes(loss);
}

/** What one batch is, besides its arrays: the loss, huber's delta, the shape. */
export interface LossSettings {
  loss: number;
  /** huber's delta, already rounded to float32. */
  delta: number;
}

/** The batch's weight: the sum of its rows' weights in float64, or its rows when unweighted. */
export function batchWeight(W: Float32Array | null, wOff: number, rows: number): number {
  if (W === null) return rows;
  let sum = 0;
  for (let r = 0; r < rows; r++) sum += W[wOff + r];
  return sum;
}

/**
 * out[0] = loss of one batch, accumulated in float64. P and Z are (rows, outputs) from offset 0
 * (Z, the logits, only read for bce / cross-entropy); Y is (rows, outputs) from offset yOff; W
 * (null: unweighted) one weight per row from wOff, whose sum is `weight` (batchWeight). A batch
 * of weight 0 has loss 0.
 * The result goes through out, not a return value: V8 boxes a double returned from a call it does
 * not inline, and this runs once per batch.
 */
export function lossForward(
  out: Float64Array,
  s: LossSettings,
  P: Float32Array,
  Z: Float32Array,
  Y: Float32Array,
  yOff: number,
  W: Float32Array | null,
  wOff: number,
  weight: number,
  rows: number,
  outputs: number,
): void {
  out[0] = weight === 0 ? 0 : batchLoss(s, P, Z, Y, yOff, W, wOff, weight, rows, outputs);
}

function batchLoss(
  s: LossSettings,
  P: Float32Array,
  Z: Float32Array,
  Y: Float32Array,
  yOff: number,
  W: Float32Array | null,
  wOff: number,
  weight: number,
  rows: number,
  outputs: number,
): number {
  const loss = s.loss;
  let total = 0;
  if (loss === CROSS_ENTROPY) {
    // per row logsumexp(z) - sum_k y_k z_k, with the row max taken out of the exps
    for (let r = 0, i = 0; r < rows; r++, i += outputs) {
      let max = Z[i];
      for (let j = 1; j < outputs; j++) if (Z[i + j] > max) max = Z[i + j];
      let sum = 0;
      let dot = 0;
      for (let j = 0; j < outputs; j++) {
        sum += Math.exp(Z[i + j] - max);
        dot += Y[yOff + i + j] * Z[i + j];
      }
      const w = W === null ? 1 : W[wOff + r];
      total += w * (max + Math.log(sum) - dot);
    }
    return total / weight;
  }
  // One loop per loss (the branch out of the hot loop), each row's terms times its weight;
  // summed in index order whatever the weights.
  const delta = s.delta;
  for (let r = 0, i = 0; r < rows; r++) {
    const w = W === null ? 1 : W[wOff + r];
    const end = i + outputs;
    if (loss === BCE) {
      // from the logit, stably: max(z,0) - z y + log1p(exp(-|z|)) (finite when saturated)
      for (; i < end; i++) {
        const z = Z[i];
        total += w * (Math.max(z, 0) - z * Y[yOff + i] + Math.log1p(Math.exp(-Math.abs(z))));
      }
    } else if (loss === MAE) {
      for (; i < end; i++) total += w * Math.abs(P[i] - Y[yOff + i]);
    } else if (loss === HUBER) {
      for (; i < end; i++) {
        const d = P[i] - Y[yOff + i];
        const a = Math.abs(d);
        total += w * (a <= delta ? 0.5 * d * d : delta * (a - 0.5 * delta));
      }
    } else {
      for (; i < end; i++) {
        const d = P[i] - Y[yOff + i];
        total += w * d * d;
      }
    }
  }
  if (loss === HALF_SSE) return 0.5 * total;
  if (loss === SSE) return total;
  return total / (weight * outputs);
}

/**
 * D = dLoss/dA (sse, half-sse, mse, mae, huber) or dLoss/dZ (bce, cross-entropy: fused),
 * (rows, outputs), for a batch of weight `weight` > 0 (batchWeight); row r's gradient is
 * multiplied by its weight w_r (1 when W is null):
 *   sse 2 d; half-sse d; mse 2 d / (W outputs); mae sign(d) / (W outputs);
 *   huber (|d| <= delta ? d : delta sign(d)) / (W outputs); bce d / (W outputs);
 *   cross-entropy d / W   (d = P - Y, W the batch weight).
 */
export function lossBackward(
  s: LossSettings,
  D: Float32Array,
  P: Float32Array,
  Y: Float32Array,
  yOff: number,
  W: Float32Array | null,
  wOff: number,
  weight: number,
  rows: number,
  outputs: number,
): void {
  const loss = s.loss;
  // the per-row factor for w = 1; with weights, w times the numerator over the same divisor
  let numerator = 1;
  let divisor = 1;
  if (loss === SSE) numerator = 2;
  else if (loss === MSE) {
    numerator = 2;
    divisor = weight * outputs;
  } else if (loss === CROSS_ENTROPY) divisor = weight;
  else if (loss !== HALF_SSE) divisor = weight * outputs;
  // row r's factor is w_r * factor: for w_r = 1 (and unweighted) exactly factor
  const factor = numerator / divisor;
  if (W === null) {
    fillGradient(s, D, P, Y, yOff, 0, rows * outputs, factor);
    return;
  }
  for (let r = 0; r < rows; r++)
    fillGradient(s, D, P, Y, yOff, r * outputs, (r + 1) * outputs, W[wOff + r] * factor);
}

/** D[i] = scale * g(P[i] - Y[yOff + i]) over [begin, end), g the loss's (sub)gradient in d. */
function fillGradient(
  s: LossSettings,
  D: Float32Array,
  P: Float32Array,
  Y: Float32Array,
  yOff: number,
  begin: number,
  end: number,
  scale: number,
): void {
  const delta = s.delta;
  if (s.loss === MAE) {
    for (let i = begin; i < end; i++) {
      const d = P[i] - Y[yOff + i];
      D[i] = (d > 0 ? 1 : d < 0 ? -1 : 0) * scale;
    }
  } else if (s.loss === HUBER) {
    for (let i = begin; i < end; i++) D[i] = Math.min(delta, Math.max(-delta, P[i] - Y[yOff + i])) * scale;
  } else {
    for (let i = begin; i < end; i++) D[i] = (P[i] - Y[yOff + i]) * scale;
  }
}
