// Activations of the TS engine as forward/backward pairs over (rows, units) row-major blocks.
// Forward is the dense layer's epilogue (bias + activation fused, in place on Z); backward turns
// dA into dZ in place using A alone (engines keep A per layer, not Z: see engine.ts).
import { ACTIVATION_CODES, LEAKY_RELU_ALPHA } from '../contract.js';

/** Activation codes (contract.ts): a small integer switches faster than a string in the hot loops. */
export const SIGMOID = ACTIVATION_CODES.sigmoid;
export const RELU = ACTIVATION_CODES.relu;
export const TANH = ACTIVATION_CODES.tanh;
export const LEAKY_RELU = ACTIVATION_CODES.leakyRelu;
export const SOFTMAX = ACTIVATION_CODES.softmax;
export const LINEAR = ACTIVATION_CODES.linear;

/**
 * A[aOff..] = f(A + b) in place, where A holds Z = X W on entry.
 * A is (rows, units); b is params[bOff .. bOff+units), or absent when bOff < 0.
 * When Z is given, Z[0..rows*units) receives the logits (bce / cross-entropy need them).
 */
export function biasActivationForward(
  A: Float32Array,
  rows: number,
  units: number,
  params: Float32Array,
  bOff: number,
  act: number,
  Z: Float32Array | null,
): void {
  const size = rows * units;
  if (bOff >= 0) {
    for (let r = 0; r < size; r += units) {
      for (let j = 0; j < units; j++) A[r + j] += params[bOff + j];
    }
  }
  if (Z !== null) for (let i = 0; i < size; i++) Z[i] = A[i];
  switch (act) {
    case SIGMOID:
      // stable: exp of a non-positive number only, never overflows
      for (let i = 0; i < size; i++) {
        const z = A[i];
        if (z >= 0) A[i] = 1 / (1 + Math.exp(-z));
        else {
          const e = Math.exp(z);
          A[i] = e / (1 + e);
        }
      }
      break;
    case RELU:
      for (let i = 0; i < size; i++) if (!(A[i] > 0)) A[i] = 0;
      break;
    case TANH:
      for (let i = 0; i < size; i++) A[i] = Math.tanh(A[i]);
      break;
    case LEAKY_RELU:
      for (let i = 0; i < size; i++) if (!(A[i] > 0)) A[i] *= LEAKY_RELU_ALPHA;
      break;
    case SOFTMAX:
      softmaxRows(A, rows, units);
      break;
    default: // LINEAR: Z is A
      break;
  }
}

/** Row-wise softmax in place; subtracting the row max keeps every exp <= 1 (no overflow). */
function softmaxRows(A: Float32Array, rows: number, units: number): void {
  for (let r = 0; r < rows * units; r += units) {
    let max = A[r];
    for (let j = 1; j < units; j++) if (A[r + j] > max) max = A[r + j];
    let sum = 0;
    for (let j = 0; j < units; j++) {
      const e = Math.exp(A[r + j] - max);
      A[r + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j < units; j++) A[r + j] *= inv;
  }
}

/**
 * D holds dA on entry and dZ on exit, both (rows, units); A is the layer's output.
 * Derivatives from A: sigmoid A(1-A), tanh 1-A^2, relu A>0, leakyRelu A>0 ? 1 : alpha, linear 1;
 * softmax by its Jacobian: dZ_i = A_i (dA_i - sum_j dA_j A_j).
 */
export function activationBackward(
  D: Float32Array,
  A: Float32Array,
  rows: number,
  units: number,
  act: number,
) {
  const size = rows * units;
  switch (act) {
    case SIGMOID:
      for (let i = 0; i < size; i++) D[i] *= A[i] * (1 - A[i]);
      break;
    case RELU:
      for (let i = 0; i < size; i++) if (!(A[i] > 0)) D[i] = 0;
      break;
    case TANH:
      for (let i = 0; i < size; i++) D[i] *= 1 - A[i] * A[i];
      break;
    case LEAKY_RELU:
      for (let i = 0; i < size; i++) if (!(A[i] > 0)) D[i] *= LEAKY_RELU_ALPHA;
      break;
    case SOFTMAX:
      for (let r = 0; r < size; r += units) {
        let dot = 0;
        for (let j = 0; j < units; j++) dot += D[r + j] * A[r + j];
        for (let j = 0; j < units; j++) D[r + j] = A[r + j] * (D[r + j] - dot);
      }
      break;
    default: // LINEAR
      break;
  }
}
