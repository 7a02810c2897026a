// Reading and writing a network's weights as users see them: per-layer W and b as plain arrays,
// a checked replacement of the flat buffer, and the allocation of such buffers.
import type { LayerPlan } from './engine/engine.js';
import type { ParamLayout } from './engine/layout.js';

export interface LayerWeights {
  /** (inputs, units): W[i][j] connects input i to unit j. */
  W: number[][];
  b: number[] | null;
}

/** A copy of each layer's weights and biases out of the flat buffer. */
export function layerWeights(
  layers: readonly LayerPlan[],
  layout: ParamLayout,
  params: Float32Array,
): LayerWeights[] {
  return layers.map((layer, i) => {
    const at = layout.layers[i];
    const W = Array.from({ length: layer.inputs }, (_, r) =>
      Array.from(params.subarray(at.w + r * layer.units, at.w + (r + 1) * layer.units)),
    );
    const b = at.b >= 0 ? Array.from(params.subarray(at.b, at.b + layer.units)) : null;
    return { W, b };
  });
}

/** Checks a replacement for all parameters: a Float32Array of `count` finite values. */
export function checkParameters(values: unknown, count: number): Float32Array {
  if (!(values instanceof Float32Array) || values.length !== count) {
    // a wrong type is a TypeError, a Float32Array of the wrong length a RangeError
    const Kind = values instanceof Float32Array ? RangeError : TypeError;
    throw new Kind(
      `Expected a Float32Array of ${count} values for values but received ${(values as { constructor?: { name?: string } } | null)?.constructor?.name}`,
    );
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`Expected finite numbers for values[${i}]`);
  }
  return values;
}

/**
 * A buffer of `size` floats, zeroed unless the caller writes every value (`zeroed: false` saves
 * touching every page twice), or a RangeError saying which buffer did not fit.
 */
export function allocate(size: number, what: string, zeroed = true): Float32Array {
  try {
    return zeroed
      ? new Float32Array(size)
      : new Float32Array(Buffer.allocUnsafeSlow(4 * size).buffer, 0, size);
  } catch (cause) {
    throw new RangeError(`Could not allocate ${size} floats for the network's ${what}`, { cause });
  }
}
