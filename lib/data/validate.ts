// Argument guards for lib/data, built on the project's one validation module (lib/validate.ts) so
// messages share its shape, "Expected <what> for <name> but received <value>": TypeError for a wrong
// type, RangeError for a bad value, all run before any work is done.

import { inRange, RANGES } from '../engine/contract.js';
import { invalidArgument, isPlainObject, outOfRange, rejectUnknownKeys } from '../validate.js';

/** The largest sample count a generator accepts: enough for any toy set, small enough not to exhaust memory. */
export const MAX_SAMPLES = 10_000_000;

export const invalidType = invalidArgument;
export const invalidValue = outOfRange;

/** Returns `options` as a record after rejecting a non-object and any unknown key (naming the nearest). */
export function checkOptions(
  fn: string,
  options: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (options === undefined) return {};
  if (!isPlainObject(options)) throw invalidType(`the options of ${fn}`, 'an object', options);
  rejectUnknownKeys(options, known, fn);
  return options;
}

// --- scalar options

export function checkNumber(name: string, value: unknown): number {
  if (typeof value !== 'number') throw invalidType(name, 'a number', value);
  return value;
}

/** Sample counts: a positive integer, capped so a typo like 1e12 fails fast instead of exhausting memory. */
export function checkSamples(value: unknown, name = 'samples'): number {
  const n = checkNumber(name, value);
  if (!Number.isInteger(n) || n < 1) throw invalidValue(name, 'a positive integer', n);
  if (n > MAX_SAMPLES) throw invalidValue(name, `at most ${MAX_SAMPLES}`, n);
  return n;
}

/** Seeds: an integer in the 32-bit range Random accepts (so two seeds never alias), worded as Network's. */
export function checkSeed(value: unknown): number {
  const s = checkNumber('seed', value);
  if (!inRange(RANGES.seed, s)) throw invalidValue('seed', RANGES.seed.expected, s);
  return s;
}

/** Noise levels: a finite standard deviation >= 0. */
export function checkNoise(value: unknown, name = 'noise'): number {
  const x = checkNumber(name, value);
  if (!Number.isFinite(x) || x < 0) throw invalidValue(name, 'a finite number >= 0', x);
  return x;
}

/** A number strictly between 0 and 1 (circles' factor). */
export function checkOpenUnit(name: string, value: unknown): number {
  const x = checkNumber(name, value);
  if (!(x > 0 && x < 1)) throw invalidValue(name, 'a number between 0 and 1 (exclusive)', x);
  return x;
}

export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalidType(name, 'a boolean', value);
  return value;
}

// --- arrays

/** A non-empty rectangular matrix of finite numbers; returns its column count. */
export function checkMatrix(name: string, X: unknown): number {
  if (!Array.isArray(X)) throw invalidType(name, 'an array of rows', X);
  if (X.length === 0) throw invalidValue(name, 'a non-empty array of rows', X);
  let cols = -1;
  for (let i = 0; i < X.length; i++) {
    const row: unknown = X[i];
    if (!Array.isArray(row)) throw invalidType(`${name}[${i}]`, 'an array of numbers', row);
    if (cols < 0) cols = row.length;
    if (row.length !== cols) throw invalidValue(`${name}[${i}]`, `a row of length ${cols}`, row);
    for (let j = 0; j < row.length; j++) {
      const v: unknown = row[j];
      if (typeof v !== 'number') throw invalidType(`${name}[${i}][${j}]`, 'a number', v);
      if (!Number.isFinite(v)) throw invalidValue(`${name}[${i}][${j}]`, 'a finite number', v);
    }
  }
  if (cols === 0) throw invalidValue(`${name}[0]`, 'a non-empty row', X[0]);
  return cols;
}

/** A non-negative integer class label below `classes` (when given). */
export function checkLabel(name: string, value: unknown, classes?: number): number {
  const x = checkNumber(name, value);
  if (!Number.isInteger(x) || x < 0) throw invalidValue(name, 'a non-negative integer label', x);
  if (classes !== undefined && x >= classes) throw invalidValue(name, `a label below ${classes}`, x);
  return x;
}
