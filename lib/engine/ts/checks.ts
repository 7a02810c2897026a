// Guards of the TS engine. Users' options are validated above the seam (lib/spec.ts); the engine
// re-checks every plan it is given against the same contract, as the native addon does, so both
// engines reject the same plans with the same error class (TypeError for a wrong type,
// RangeError for a bad value), and never loop forever or index out of bounds on bad sizes.
import {
  ACTIVATION_CODES,
  inRange,
  LOSS_CODES,
  LOSS_REQUIRES_ACTIVATION,
  type NumberRange,
  OPTIMIZER_CODES,
  OPTIMIZER_NUMBERS,
  RANGES,
} from '../contract.js';
import type { ModelPlan, TrainerPlan } from '../engine.js';

/** value must be an integer in [min, max]: a TypeError when it is no number, else a RangeError. */
export function checkInteger(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    const Kind = typeof value === 'number' ? RangeError : TypeError;
    throw new Kind(`Expected ${name} to be an integer ${range} but received ${String(value)}`);
  }
}

/** array must hold at least `needed` elements. */
export function checkLength(name: string, array: ArrayLike<number>, needed: number): void {
  if (array.length < needed) {
    throw new RangeError(`Expected ${name} to have at least ${needed} elements but received ${array.length}`);
  }
}

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

// --- the plan -------------------------------------------------------------------------------

function received(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
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

function checkObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(TypeError, name, 'an object', value);
  return value as Record<string, unknown>;
}

function checkNumber(value: unknown, name: string, range: NumberRange): number {
  if (typeof value !== 'number') fail(TypeError, name, range.expected, value);
  if (!inRange(range, value)) fail(RangeError, name, range.expected, value);
  return value;
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
  if (!Array.isArray(p.layers)) fail(TypeError, 'plan.layers', 'an array', p.layers);
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
    const before = i > 0 ? (layers[i - 1] as { units: number }).units : inputs;
    if (inputs !== before)
      fail(RangeError, `${name}.inputs`, `${before} (the units of the layer before)`, inputs);
    params += inputs * units + (layer.useBias ? units : 0);
  });
  checkName(p.loss, 'plan.loss', LOSS_CODES);
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
