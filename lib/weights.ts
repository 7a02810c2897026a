// Reading and writing a network's weights as users see them: per-layer W and b as Float32Array
// copies, checked replacements of one layer or of the flat buffer, and the allocation of such buffers.
import type { Engine, LayerPlan } from './engine/engine.js';
import type { ParamLayout } from './engine/layout.js';
import { expectObject, invalidArgument, isFiniteFloat32, outOfRange, rejectUnknownKeys } from './validate.js';

/** One layer's weights and biases, as getWeights returns them (copies) and setWeights takes them. */
export interface LayerWeights {
  /** W's shape, [inputs, units]. */
  shape: [number, number];
  /** (inputs, units) row-major: W[i * units + j] connects input i to unit j. */
  W: Float32Array;
  /** units values; null when the layer has no bias. */
  b: Float32Array | null;
}

/** What setWeights takes: W flat (inputs*units, row-major) or as inputs rows of units numbers; b likewise. */
export interface LayerWeightsInput {
  W: Float32Array | readonly number[] | readonly (readonly number[])[];
  b?: Float32Array | readonly number[] | null;
  /** Optional; when given (as getWeights returns it) it must be the layer's [inputs, units]. */
  shape?: readonly [number, number] | readonly number[];
}

/** A copy of each layer's weights and biases out of the flat buffer. */
export function layerWeights(
  layers: readonly LayerPlan[],
  layout: ParamLayout,
  params: Float32Array,
): LayerWeights[] {
  return layers.map((layer, i) => {
    const at = layout.layers[i];
    const W = params.slice(at.w, at.w + layer.inputs * layer.units);
    const b = at.b >= 0 ? params.slice(at.b, at.b + layer.units) : null;
    return { shape: [layer.inputs, layer.units], W, b };
  });
}

/**
 * Checks setWeights' arguments against the network's layers and returns where the values go
 * (offsets into the flat parameters) and the values as float32, before anything is written.
 */
export function checkLayerWeights(
  index: unknown,
  weights: unknown,
  layers: readonly LayerPlan[],
  layout: ParamLayout,
): { w: number; W: Float32Array; b: number; bias: Float32Array | null } {
  if (typeof index !== 'number') throw invalidArgument('layer', 'a layer index', index);
  if (!Number.isInteger(index) || index < 0 || index >= layers.length) {
    throw outOfRange('layer', `a layer index in 0..${layers.length - 1}`, index);
  }
  const o = expectObject(weights, 'weights');
  rejectUnknownKeys(o, ['W', 'b', 'shape'], 'setWeights');
  const { inputs, units } = layers[index];
  const at = layout.layers[index];
  if (o.shape !== undefined) {
    const shape = o.shape as unknown[];
    if (!Array.isArray(shape) || shape.length !== 2 || shape[0] !== inputs || shape[1] !== units) {
      throw outOfRange('weights.shape', `[${inputs}, ${units}] (layer ${index}'s inputs and units)`, o.shape);
    }
  }
  const W = matrixValues(o.W, 'weights.W', inputs, units);
  let bias: Float32Array | null = null;
  if (at.b >= 0) {
    if (o.b === undefined || o.b === null) {
      throw invalidArgument('weights.b', `${units} biases (layer ${index} has a bias)`, o.b);
    }
    bias = vectorValues(o.b, 'weights.b', units);
  } else if (o.b !== undefined && o.b !== null) {
    throw invalidArgument('weights.b', `null (layer ${index} has no bias)`, o.b);
  }
  return { w: at.w, W, b: at.b, bias };
}

/** W as float32: a flat Float32Array or number[] of rows*cols values, or rows arrays of cols numbers. */
function matrixValues(value: unknown, name: string, rows: number, cols: number): Float32Array {
  const expected = `a Float32Array of ${rows * cols} values or ${rows} rows of ${cols} numbers`;
  if (Array.isArray(value) && value.length === rows && value.every((row) => Array.isArray(row))) {
    const out = new Float32Array(rows * cols);
    value.forEach((row: unknown[], r) => {
      if (row.length !== cols) throw outOfRange(`${name}[${r}]`, `a row of ${cols} numbers`, row);
      for (let c = 0; c < cols; c++) out[r * cols + c] = finite(row[c], `${name}[${r}][${c}]`);
    });
    return out;
  }
  if (value instanceof Float32Array || (Array.isArray(value) && !value.some((v) => Array.isArray(v)))) {
    if (value.length !== rows * cols) throw outOfRange(name, expected, value);
    return toFloat32(value, name);
  }
  if (Array.isArray(value)) throw outOfRange(name, expected, value);
  throw invalidArgument(name, expected, value);
}

function vectorValues(value: unknown, name: string, length: number): Float32Array {
  const expected = `a Float32Array or array of ${length} numbers`;
  if (!(value instanceof Float32Array) && !Array.isArray(value)) throw invalidArgument(name, expected, value);
  if (value.length !== length) throw outOfRange(name, expected, value);
  return toFloat32(value, name);
}

function toFloat32(values: Float32Array | unknown[], name: string): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = finite(values[i], `${name}[${i}]`);
  return out;
}

/** A number that stays finite as float32. */
function finite(v: unknown, name: string): number {
  if (typeof v !== 'number') throw invalidArgument(name, 'a finite number', v);
  if (!Number.isFinite(v) || !isFiniteFloat32(v)) throw outOfRange(name, 'a finite float32 number', v);
  return v;
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

/** Where a network's parameter and optimizer-state buffers come from: an engine (Engine.allocateFloat32). */
export type FloatSource = Pick<Engine, 'allocateFloat32'>;

/**
 * A buffer of `size` floats, zeroed unless the caller writes every value (`zeroed: false` saves
 * touching every page twice), or a RangeError saying which buffer did not fit. With `from`, the
 * buffer is that engine's (zeroed): a network's parameters and optimizer state live in the native
 * engine's own memory, which its async training reads and writes in place instead of copying
 * them in and out of every chunk (native/addon/async_copies.hpp).
 */
export function allocate(
  size: number,
  what: string,
  zeroed = true,
  from: FloatSource | null = null,
): Float32Array {
  try {
    if (from !== null) return from.allocateFloat32(size);
    return zeroed
      ? new Float32Array(size)
      : new Float32Array(Buffer.allocUnsafeSlow(4 * size).buffer, 0, size);
  } catch (cause) {
    throw new RangeError(`Could not allocate ${size} floats for the network's ${what}`, { cause });
  }
}

/** A copy of `values` in a buffer from `from` (allocate's), to adopt arrays made elsewhere (a file, JSON). */
export function copyInto(values: Float32Array, what: string, from: FloatSource): Float32Array {
  const out = allocate(values.length, what, true, from);
  out.set(values);
  return out;
}
