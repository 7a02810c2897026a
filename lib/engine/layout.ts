// The one place that decides where each layer's weights and biases live in the flat parameter
// buffer. Gradients and optimizer state use the same offsets. Mirrored by native/core/layout.hpp.
import type { LayerPlan, OptimizerKind } from './engine.js';

export interface LayerOffsets {
  /** Offset of W, (inputs, units) row-major. */
  w: number;
  /** Offset of b (units), or -1 when the layer has no bias. */
  b: number;
  inputs: number;
  units: number;
}

export interface ParamLayout {
  layers: LayerOffsets[];
  /** Total number of parameters. */
  size: number;
}

export function paramLayout(layers: readonly LayerPlan[]): ParamLayout {
  let offset = 0;
  const out: LayerOffsets[] = [];
  for (const layer of layers) {
    const w = offset;
    offset += layer.inputs * layer.units;
    const b = layer.useBias ? offset : -1;
    if (layer.useBias) offset += layer.units;
    out.push({ w, b, inputs: layer.inputs, units: layer.units });
  }
  return { layers: out, size: offset };
}

/**
 * Floats of optimizer state per parameter: adam and adamw keep m and v, rmsprop its square average
 * and momentum buffer, momentum-style v only.
 */
export function stateSize(kind: OptimizerKind, params: number): number {
  if (kind === 'adam' || kind === 'adamw' || kind === 'rmsprop') return 2 * params;
  if (kind === 'momentum' || kind === 'nesterov') return params;
  return 0;
}

/** Just the plan of each layer (a resolved layer also carries its initializers); dropout 0 when absent. */
export function layerPlans(layers: readonly LayerPlan[]): (LayerPlan & { dropout: number })[] {
  return layers.map(({ inputs, units, activation, useBias, dropout }) => ({
    inputs,
    units,
    activation,
    useBias,
    dropout: dropout ?? 0,
  }));
}
