// Guards of the TS engine. Users' options are validated above the seam (lib/spec.ts); the engine
// re-checks every plan and every call's arguments against the same contract, as the native addon
// does, so both engines reject the same things with the same error class (TypeError for a wrong
// type, RangeError for a bad value), and never loop forever or index out of bounds on bad sizes.

import { types } from 'node:util';
import {
  ACTIVATION_CODES,
  inRange,
  LOSS_CODES,
  LOSS_REQUIRES_ACTIVATION,
  MAX_ELEMENTS,
  type NumberRange,
  OPTIMIZER_CLIPS,
  OPTIMIZER_CODES,
  OPTIMIZER_NUMBERS,
  RANGES,
} from '../contract.js';
import type { ModelPlan, TrainerPlan } from '../engine.js';

// The prototype getters, taken once: an own property on a buffer cannot hide what it is (the
// addon does the same, guards.cpp expect_fixed_length).
const resizableGetter = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'resizable')?.get;
const growableGetter = Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, 'growable')?.get;

/**
 * array must lie on a buffer whose length cannot change (not a resizable ArrayBuffer, not a
 * growable SharedArrayBuffer): a TypeError worded as the addon's, which refuses them because its
 * worker reads the arrays after trainEpochsAsync returned.
 */
export function checkFixedLength(name: string, array: ArrayBufferView, kind: string): void {
  const buffer = array.buffer;
  // Each getter throws on the other kind of buffer, so trying one tells which kind this is.
  let shared = false;
  let changes = false;
  try {
    changes = resizableGetter?.call(buffer) === true;
  } catch {
    shared = true;
    changes = growableGetter?.call(buffer) === true;
  }
  if (changes) {
    const what = shared ? 'growable SharedArrayBuffer' : 'resizable ArrayBuffer';
    throw new TypeError(
      `Expected a ${kind} on a fixed-length buffer for ${name} but received one on a ${what}`,
    );
  }
}

/** How a received value is described (the addon's describe(), briefly). */
function received(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (typeof value === 'function') return 'a function';
  // Before Array.isArray and .length: describing a Proxy runs none of its traps (as the addon).
  if (types.isProxy(value)) return 'a Proxy';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    const length = 'length' in value ? (value as { length: number }).length : value.byteLength;
    return `a ${value.constructor.name} of length ${length}`;
  }
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function fail(
  Kind: typeof TypeError | typeof RangeError,
  name: string,
  expected: string,
  value: unknown,
): never {
  throw new Kind(`Expected ${expected} for ${name} but received ${received(value)}`);
}

// --- call arguments ---------------------------------------------------------------------------
// Twins of the addon's guards (native/addon/guards.cpp), in its words and error classes: a wrong
// type (no number, no boolean, the wrong array kind, a detached buffer) is a TypeError; a number
// out of range (NaN, fractions and +-Infinity included) or an array too short is a RangeError.

/** "1..2^31" as the addon words the element cap, else the number itself. */
const bound = (n: number): string => (n === MAX_ELEMENTS ? '2^31' : String(n));

/** value must be an integer in [min, max] (as expect_size). */
export function checkSize(name: string, value: unknown, min: number, max: number): number {
  const expected = `an integer in ${min}..${bound(max)}`;
  if (typeof value !== 'number') fail(TypeError, name, expected, value);
  if (!Number.isInteger(value) || value < min || value > max) fail(RangeError, name, expected, value);
  return value;
}

/** value must be a finite number (as expect_finite). */
export function checkFinite(name: string, value: unknown): number {
  if (typeof value !== 'number') fail(TypeError, name, 'a finite number', value);
  if (!Number.isFinite(value)) fail(RangeError, name, 'a finite number', value);
  return value;
}

export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(TypeError, name, 'a boolean', value);
  return value;
}

type ArrayKind = Float32ArrayConstructor | Float64ArrayConstructor | Uint32ArrayConstructor;

/** A detached view has length 0 and a buffer no view can be built on (Node 20 lacks .detached). */
function isDetached(array: ArrayBufferView): boolean {
  if (array.byteLength !== 0) return false;
  try {
    new Uint8Array(array.buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** value must be a typed array of exactly that kind, on a live buffer, of at most 2^31 elements. */
export function checkArray(name: string, value: unknown, kind: ArrayKind): void {
  const expected = `a ${kind.name}`;
  // A Proxy first: instanceof would run its getPrototypeOf trap; the addon sees no typed array.
  if (types.isProxy(value) || !(value instanceof kind)) fail(TypeError, name, expected, value);
  if (isDetached(value)) {
    throw new TypeError(
      `Expected ${expected} with a live buffer for ${name} but received one whose buffer is detached`,
    );
  }
  if (value.length > MAX_ELEMENTS) fail(RangeError, name, `${expected} of at most 2^31 elements`, value);
}

/** a * b as an element count of at most 2^31 (as expect_elements), else a RangeError naming `name`. */
export function checkElements(name: string, a: number, b: number, culprit: unknown): number {
  if (a !== 0 && b > MAX_ELEMENTS / a) fail(RangeError, name, 'at most 2^31 elements in all', culprit);
  return a * b;
}

/** step + epochs x batches must stay a step count (as the core's train_epochs). */
export function checkSteps(step: number, epochs: number, rows: number, batchSize: number): void {
  if (epochs * Math.ceil(rows / batchSize) > RANGES.step.max - step) {
    fail(RangeError, 'step', 'at most 2^53-1 steps in total', step);
  }
}

/** array must hold at least `needed` elements (as expect_at_least); `shape` says why ("rows x inputs"). */
export function checkLength(name: string, array: ArrayLike<number>, needed: number, shape: string): void {
  if (array.length < needed) {
    const kind = (array as object).constructor.name;
    fail(RangeError, name, `a ${kind} of length >= ${needed} (${shape})`, array);
  }
}

// --- the plan -------------------------------------------------------------------------------

/**
 * A plain object, no Proxy (as the addon's expect_object): a Proxy of an array passes
 * Array.isArray but not the addon's napi_is_array, so neither engine reads through traps.
 */
export function checkObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || types.isProxy(value) || Array.isArray(value))
    fail(TypeError, name, 'an object', value);
  return value as Record<string, unknown>;
}

export function checkNumber(value: unknown, name: string, range: NumberRange): number {
  if (typeof value !== 'number') fail(TypeError, name, range.expected, value);
  if (!inRange(range, value)) fail(RangeError, name, range.expected, value);
  return value;
}

/** A plan's clipping threshold: 0 (off) or a number in its range (the addon's expect_clip). */
function checkClip(value: unknown, name: string, range: NumberRange): void {
  if (value === 0) return;
  const expected = `0 (off) or ${range.expected}`;
  if (typeof value !== 'number') fail(TypeError, name, expected, value);
  if (!inRange(range, value)) fail(RangeError, name, expected, value);
}

function checkName(value: unknown, name: string, codes: Record<string, number>): void {
  const expected = `one of ${Object.keys(codes)
    .map((n) => `'${n}'`)
    .join(', ')}`;
  if (typeof value !== 'string') fail(TypeError, name, expected, value);
  if (!Object.hasOwn(codes, value)) fail(RangeError, name, expected, value);
}

/**
 * Checks every field of a trainer's plan against the contract, in the addon's order
 * (trainer_plan.cpp): layers, loss, optimizer, batchSize, threads, the loss's output activation,
 * the parameter count.
 */
export function checkPlan(plan: TrainerPlan): void {
  const p = checkObject(plan, 'plan');
  const params = checkLayersAndLoss(p);
  const optimizer = checkObject(p.optimizer, 'plan.optimizer');
  checkName(optimizer.kind, 'plan.optimizer.kind', OPTIMIZER_CODES);
  for (const key of OPTIMIZER_NUMBERS) checkNumber(optimizer[key], `plan.optimizer.${key}`, RANGES[key]);
  for (const key of OPTIMIZER_CLIPS) checkClip(optimizer[key], `plan.optimizer.${key}`, RANGES[key]);
  checkNumber(p.batchSize, 'plan.batchSize', RANGES.batchSize);
  checkThreadsAndOutput(p, plan, params);
}

/** An inference model's plan: as checkPlan without the optimizer and batchSize. */
export function checkModelPlan(plan: ModelPlan): void {
  const p = checkObject(plan, 'plan');
  const params = checkLayersAndLoss(p);
  checkThreadsAndOutput(p, plan, params);
}

/** The layers and the loss; returns the parameter count. */
function checkLayersAndLoss(p: Record<string, unknown>): number {
  if (types.isProxy(p.layers) || !Array.isArray(p.layers))
    fail(TypeError, 'plan.layers', 'an array', p.layers);
  const layers = p.layers as unknown[];
  if (!inRange(RANGES.layerCount, layers.length)) {
    fail(RangeError, 'plan.layers', `an array of ${RANGES.layerCount.expected}`, layers);
  }
  let params = 0;
  layers.forEach((value, i) => {
    const name = `plan.layers[${i}]`;
    const layer = checkObject(value, name);
    const inputs = checkNumber(layer.inputs, `${name}.inputs`, RANGES.units);
    const units = checkNumber(layer.units, `${name}.units`, RANGES.units);
    checkName(layer.activation, `${name}.activation`, ACTIVATION_CODES);
    if (typeof layer.useBias !== 'boolean') fail(TypeError, `${name}.useBias`, 'a boolean', layer.useBias);
    if (layer.dropout !== undefined) checkNumber(layer.dropout, `${name}.dropout`, RANGES.dropout);
    const before = i > 0 ? (layers[i - 1] as { units: number }).units : inputs;
    if (inputs !== before)
      fail(RangeError, `${name}.inputs`, `${before} (the units of the layer before)`, inputs);
    params += inputs * units + (layer.useBias ? units : 0);
  });
  checkName(p.loss, 'plan.loss', LOSS_CODES);
  const last = layers.length - 1;
  const outputDropout = (layers[last] as { dropout?: number }).dropout;
  if (outputDropout !== undefined && outputDropout !== 0) {
    fail(RangeError, `plan.layers[${last}].dropout`, '0 (no dropout on the output layer)', outputDropout);
  }
  if (p.huberDelta !== undefined) checkNumber(p.huberDelta, 'plan.huberDelta', RANGES.huberDelta);
  return params;
}

/** threads, the output activation the loss needs, and the parameter cap (checked last). */
function checkThreadsAndOutput(p: Record<string, unknown>, plan: ModelPlan, params: number): void {
  checkNumber(p.threads, 'plan.threads', RANGES.planThreads);
  const last = plan.layers.length - 1;
  const required = LOSS_REQUIRES_ACTIVATION[plan.loss];
  if (required !== undefined && plan.layers[last].activation !== required) {
    fail(
      RangeError,
      `plan.layers[${last}].activation`,
      `'${required}' with loss '${plan.loss}'`,
      plan.layers[last].activation,
    );
  }
  if (!inRange(RANGES.params, params)) fail(RangeError, 'plan.layers', RANGES.params.expected, params);
}

// --- forward calls (predict / evaluate of a trainer or a model) ------------------------------

/** array holds rows x perRow elements (at most 2^31, as expect_elements, then expect_at_least). */
function checkRows(name: string, array: unknown, rows: number, perRow: number, shape: string): void {
  checkLength(name, array as Float32Array, checkElements(name, rows, perRow, array), shape);
}

/** predict's arguments, in the addon's order (guards.cpp): X, rows, out and their lengths. */
export function checkPredictArgs(
  X: unknown,
  rows: unknown,
  out: unknown,
  inputs: number,
  outputs: number,
): void {
  checkArray('X', X, Float32Array);
  const n = checkSize('rows', rows, 0, MAX_ELEMENTS);
  checkArray('out', out, Float32Array);
  checkRows('X', X, n, inputs, 'rows x inputs');
  checkRows('out', out, n, outputs, 'rows x outputs');
}

/**
 * evaluate's arguments, in the addon's order: X, Y, rows, out and their lengths, then the
 * optional weights (null or undefined: none): a Float32Array of >= rows finite values >= 0.
 */
export function checkEvaluateArgs(
  X: unknown,
  Y: unknown,
  rows: unknown,
  out: unknown,
  inputs: number,
  outputs: number,
  weights: unknown = null,
): void {
  checkArray('X', X, Float32Array);
  checkArray('Y', Y, Float32Array);
  const n = checkNumber(rows, 'rows', RANGES.rows);
  checkArray('out', out, Float32Array);
  checkRows('X', X, n, inputs, 'rows x inputs');
  checkRows('Y', Y, n, outputs, 'rows x outputs');
  checkRows('out', out, n, outputs, 'rows x outputs');
  if (weights === null || weights === undefined) return;
  checkArray('weights', weights, Float32Array);
  checkLength('weights', weights as Float32Array, n, 'rows');
  checkWeights(weights as Float32Array, n);
}

/**
 * weights[0..rows) must be finite and >= 0 (as the core's check_weights): a RangeError naming
 * the first that is not. -0 counts as 0.
 */
export function checkWeights(weights: Float32Array, rows: number): void {
  for (let i = 0; i < rows; i++) {
    const w = weights[i];
    if (!(w >= 0 && w < Number.POSITIVE_INFINITY)) {
      throw new RangeError(`Expected finite weights >= 0 for weights but received ${w} at ${i}`);
    }
  }
}
