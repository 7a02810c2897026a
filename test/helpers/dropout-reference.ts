// Dropout in the float64 reference, written from engine.ts's description and independent of both
// engines: masks drawn with lib/random.ts's Random (setState, nextUint32) in the specified order,
// and the loss and gradient of a forward pass whose hidden outputs are multiplied by fixed masks.
import type { LayerPlan, LossName } from '../../lib/engine/engine.js';
import { paramLayout } from '../../lib/engine/layout.js';
import type { Random } from '../../lib/random.js';
import { activate, activationGradient, lossGradient, referenceLoss } from './reference.js';

type Vec = ArrayLike<number>;

/**
 * The masks one batch of `rows` rows draws from the generator `random` (advanced): per layer in
 * order, for a layer with dropout p > 0, one word per element row-major, kept (1 / (1 - p) as
 * float32) when the word >= floor(p * 2^32); null for a layer without dropout.
 */
export function referenceMasks(random: Random, layers: LayerPlan[], rows: number): (Float64Array | null)[] {
  return layers.map((layer) => {
    const p = layer.dropout ?? 0;
    if (p === 0) return null;
    const threshold = Math.floor(p * 2 ** 32);
    const scale = Math.fround(1 / (1 - p));
    const mask = new Float64Array(rows * layer.units);
    for (let i = 0; i < mask.length; i++) mask[i] = random.nextUint32() >= threshold ? scale : 0;
    return mask;
  });
}

/** Loss and gradient (float64 backpropagation) of (X, Y) with each hidden output multiplied by its fixed mask. */
export function referenceMaskedLossAndGradient(
  layers: LayerPlan[],
  loss: LossName,
  params: Vec,
  X: Vec,
  Y: Vec,
  rows: number,
  masks: (Float64Array | null)[],
): { loss: number; grad: Float64Array } {
  const layout = paramLayout(layers);
  const Z: Float64Array[] = [];
  const A: Float64Array[] = [];
  /** What the next layer reads: A, masked. */
  const out: Float64Array[] = [];
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
    const mask = masks[l];
    const o = mask ? a.map((v, i) => v * mask[i]) : a;
    Z.push(z);
    A.push(a);
    out.push(o);
    input = o;
  });
  const last = layers.length - 1;
  const outputs = layers[last].units;
  const value = referenceLoss(loss, out[last], Y, rows, outputs);
  const grad = new Float64Array(layout.size);
  let dOut = lossGradient(loss, out[last], Y, rows, outputs);
  for (let l = last; l >= 0; l--) {
    const { inputs, units, activation } = layers[l];
    const { w, b } = layout.layers[l];
    const mask = masks[l];
    const dA = mask ? dOut.map((v, i) => v * mask[i]) : dOut;
    const dZ = activationGradient(activation, Z[l], A[l], dA, rows, units);
    const prev: Vec = l === 0 ? X : out[l - 1];
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
    dOut = dPrev;
  }
  return { loss: value, grad };
}
