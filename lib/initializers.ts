// Initial weights, drawn in TypeScript from the network's seed so both engines start from the
// same numbers. The seeds' four distributions plus Glorot and He, with a default per activation.
import {
  type ActivationName,
  DEFAULTS,
  INITIALIZERS,
  type InitializerName,
  inRange,
  RANGES,
} from './engine/contract.js';
import type { LayerPlan } from './engine/engine.js';
import type { ParamLayout } from './engine/layout.js';
import type { Random } from './random.js';
import { expectInRange, expectNumber, expectObject, expectOneOf, rejectUnknownKeys } from './validate.js';

export type { InitializerName };

/**
 * A name, or an object with parameters:
 * - `{ name: 'uniform', low = 0, high = 1 }`: seed 000 uses [0, 1), seed 001 [-1, 1).
 * - `{ name: 'normal', mean = 0, std = 1 }`: seed 002 uses N(0, 1), seed 003 N(0, 0.1).
 * - glorot (Glorot & Bengio 2010): uniform limit sqrt(6 / (fanIn + fanOut)), normal std sqrt(2 / (fanIn + fanOut)).
 * - he (He et al. 2015): uniform limit sqrt(6 / fanIn), normal std sqrt(2 / fanIn).
 */
export type InitializerSpec =
  | InitializerName
  | { name: 'uniform'; low?: number; high?: number }
  | { name: 'normal'; mean?: number; std?: number }
  | { name: Exclude<InitializerName, 'uniform' | 'normal'> };

export interface ResolvedInitializer {
  name: InitializerName;
  low: number;
  high: number;
  mean: number;
  std: number;
}

export function resolveInitializer(spec: unknown, name: string): ResolvedInitializer {
  const base = DEFAULTS.initializer;
  if (typeof spec === 'string') return { ...base, name: expectOneOf(spec, name, INITIALIZERS) };
  const obj = expectObject(spec, name);
  const kind = expectOneOf(obj.name, `${name}.name`, INITIALIZERS);
  const allowed =
    kind === 'uniform' ? ['name', 'low', 'high'] : kind === 'normal' ? ['name', 'mean', 'std'] : ['name'];
  rejectUnknownKeys(obj, allowed, name);
  const bound = RANGES.initializerBound;
  const low = obj.low === undefined ? base.low : expectInRange(obj.low, `${name}.low`, bound);
  const high =
    obj.high === undefined
      ? base.high
      : expectNumber(
          obj.high,
          `${name}.high`,
          `${bound.expected} above low`,
          (v) => inRange(bound, v) && v > low,
        );
  const mean = obj.mean === undefined ? base.mean : expectInRange(obj.mean, `${name}.mean`, bound);
  const std = obj.std === undefined ? base.std : expectInRange(obj.std, `${name}.std`, RANGES.initializerStd);
  return { name: kind, low, high, mean, std };
}

export function defaultInitializer(activation: ActivationName): ResolvedInitializer {
  const name: InitializerName =
    activation === 'relu' || activation === 'leakyRelu' ? 'heNormal' : 'glorotUniform';
  return { ...DEFAULTS.initializer, name };
}

/** Biases follow the seeds' distributions when one is chosen; Glorot/He layers start at zero. */
export function defaultBiasInitializer(weights: ResolvedInitializer): ResolvedInitializer {
  return weights.name === 'uniform' || weights.name === 'normal' ? weights : { ...weights, name: 'zeros' };
}

/** Draws every layer's weights, then its biases, in layer order from one stream. */
export function initializeLayers(
  params: Float32Array,
  layout: ParamLayout,
  layers: readonly (LayerPlan & { initializer: ResolvedInitializer; biasInitializer: ResolvedInitializer })[],
  random: Random,
): void {
  layers.forEach((layer, i) => {
    const at = layout.layers[i];
    const { inputs, units } = layer;
    initialize(params, at.w, inputs * units, layer.initializer, inputs, units, random);
    if (at.b >= 0) initialize(params, at.b, units, layer.biasInitializer, inputs, units, random);
  });
}

/** Fills out[offset, offset + count) for a layer with the given fans. */
export function initialize(
  out: Float32Array,
  offset: number,
  count: number,
  init: ResolvedInitializer,
  fanIn: number,
  fanOut: number,
  random: Random,
): void {
  const draw = drawFunction(init, fanIn, fanOut, random);
  for (let i = 0; i < count; i++) out[offset + i] = draw();
}

function drawFunction(
  init: ResolvedInitializer,
  fanIn: number,
  fanOut: number,
  random: Random,
): () => number {
  switch (init.name) {
    case 'zeros':
      return () => 0;
    case 'uniform':
      return () => random.range(init.low, init.high);
    case 'normal':
      return () => random.normal(init.mean, init.std);
    case 'glorotUniform': {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return () => random.range(-limit, limit);
    }
    case 'glorotNormal': {
      const std = Math.sqrt(2 / (fanIn + fanOut));
      return () => random.normal(0, std);
    }
    case 'heUniform': {
      const limit = Math.sqrt(6 / fanIn);
      return () => random.range(-limit, limit);
    }
    case 'heNormal': {
      const std = Math.sqrt(2 / fanIn);
      return () => random.normal(0, std);
    }
  }
}
